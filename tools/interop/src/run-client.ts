/**
 * Runs one real client as a child process: feeds stdin, captures stdout/stderr (bounded),
 * kills it by PID when it outlives its budget. Results carry everything a failing
 * assertion needs to explain itself.
 */
import { spawn } from 'node:child_process';
import { registerChild, signalChild } from './child-registry.js';
import { interopLimits } from './limits.js';

/** What to run. */
export interface ClientRun {
  command: string;
  args: readonly string[];
  /** Written to stdin, which is then closed. */
  stdin?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
}

/** How it ended. */
export interface ClientResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs the client to completion (or to its timeout). */
export function runClient(run: ClientRun): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.command, [...run.args], {
      cwd: run.cwd,
      env: { ...process.env, ...run.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    registerChild(child, true);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let byteCount = 0;
    let timedOut = false;
    const pid = child.pid;
    const kill = (): void => {
      if (pid !== undefined) signalChild(pid, 'SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, run.timeoutMs ?? interopLimits.clientTimeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      byteCount += chunk.length;
      if (byteCount > interopLimits.outputBytesMax) {
        kill();
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
    // A client that exits without reading stdin must not crash the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.stdin ?? '');
  });
}

/** A one-line summary of a run for assertion messages. */
export function describeRun(result: ClientResult): string {
  return (
    `exit=${result.code} signal=${result.signal} timedOut=${result.timedOut}\n` +
    `--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-6000)}`
  );
}

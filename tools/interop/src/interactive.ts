/**
 * A line-driven client session (cli_mt): write one command, wait until the output that
 * follows it matches a pattern. cli_mt answers asynchronously, so a fixed script on stdin
 * would interleave replies; waiting per command keeps each answer attributable.
 */
import { spawn } from 'node:child_process';
import { registerChild, signalChild } from './child-registry.js';
import { interopLimits } from './limits.js';

/** A running interactive client. */
export interface InteractiveClient {
  /** Waits (without sending) until output since the last mark matches `until`; returns it. */
  expect(until: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `line`, then waits until the output it produced matches `until`; returns that output. */
  send(line: string, until: RegExp, timeoutMs?: number): Promise<string>;
  /** Everything printed so far (for failure messages). */
  transcript(): string;
  /** Ends the process (SIGKILL by PID) and waits for it. */
  close(): Promise<void>;
}

/** Spawns command with stdout+stderr merged (one fd keeps their order). */
export function startInteractive(command: string, args: readonly string[]): InteractiveClient {
  const child = spawn('bash', ['-c', 'exec "$0" "$@" 2>&1', command, ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: true,
  });
  registerChild(child, true);
  let output = '';
  let mark = 0;
  let exited = false;
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (output.length + chunk.length > interopLimits.outputBytesMax) return;
    output += chunk;
    for (const wake of waiters) wake();
  });
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      for (const wake of waiters) wake();
      resolve();
    }),
  );
  child.stdin.on('error', () => undefined);

  const expect = (until: RegExp, timeoutMs = 15_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const fresh = output.slice(mark);
        const match = until.exec(fresh);
        if (match === null) return false;
        mark += match.index + match[0].length;
        resolve(fresh.slice(0, match.index + match[0].length));
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out waiting for ${String(until)}; output since mark:\n${output.slice(mark)}`));
      }, timeoutMs);
      const wake = (): void => {
        if (check()) {
          clearTimeout(timer);
          waiters.delete(wake);
        } else if (exited) {
          clearTimeout(timer);
          waiters.delete(wake);
          reject(new Error(`client exited while waiting for ${String(until)}; output:\n${output.slice(mark)}`));
        }
      };
      waiters.add(wake);
    });

  return {
    expect,
    send: (line, until, timeoutMs) => {
      child.stdin.write(line + '\n');
      return expect(until, timeoutMs);
    },
    transcript: () => output,
    close: async () => {
      if (!exited && child.pid !== undefined) signalChild(child.pid, 'SIGKILL');
      await gone;
    },
  };
}

/**
 * Every child process the harness starts is recorded here, so that a test that fails
 * (or a runner that exits early) never leaves a JVM behind: `after` hooks stop them by
 * PID, and an exit hook SIGKILLs whatever is still registered.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Map<number, ChildProcess>();
let exitHookInstalled = false;

function killAllSync(): void {
  for (const [pid] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Records a started child until it exits. */
export function registerChild(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  live.set(pid, child);
  child.once('exit', () => live.delete(pid));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAllSync);
  }
}

/** Sends `signal` to one registered child by PID (no-op if it has exited). */
export function signalChild(pid: number, signal: NodeJS.Signals): void {
  if (!live.has(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // raced with exit
  }
}

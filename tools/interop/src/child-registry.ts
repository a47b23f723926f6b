/**
 * Every child process the harness starts is recorded here, so that a test that fails
 * (or a runner that exits early) never leaves a JVM behind: `after` hooks stop them by
 * PID, and an exit hook SIGKILLs whatever is still registered.
 */
import type { ChildProcess } from 'node:child_process';

/** Live children by PID; `true` when the child leads its own process group (killed as a group). */
const live = new Map<number, boolean>();
let exitHookInstalled = false;

function killAllSync(): void {
  for (const [pid, group] of live) {
    try {
      process.kill(group ? -pid : pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/**
 * Records a started child until it exits. `group`: the child was spawned `detached` and leads
 * its own process group, so signals go to the group — a wrapper script (zkCli.sh runs java
 * without exec) must not leave its JVM behind when it is killed.
 */
export function registerChild(child: ChildProcess, group = false): void {
  const pid = child.pid;
  if (pid === undefined) return;
  live.set(pid, group);
  child.once('exit', () => live.delete(pid));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killAllSync);
  }
}

/** Sends `signal` to one registered child (or its group) by PID; no-op if it has exited. */
export function signalChild(pid: number, signal: NodeJS.Signals): void {
  const group = live.get(pid);
  if (group === undefined) return;
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // raced with exit
  }
}

/**
 * A real failing disk under one running member, caused from outside its
 * process: util-linux's prlimit lowers the process's RLIMIT_FSIZE to 0, so
 * every write that would grow a regular file fails with EFBIG, as on a full
 * disk — LevelDB's log append, a snapshot chunk, an epoch file. Node ignores
 * SIGXFSZ, so the write fails instead of killing the process; root is bound
 * by the limit (unlike file modes, which it ignores); the member's stdout and
 * stderr are pipes, not files, so its last log lines still arrive. A process
 * started later (a restart) has a healthy disk again: the limit is the
 * process's, not the directory's.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const prlimitBin = '/usr/bin/prlimit';

/** Why the disk fault cannot be caused here, or false when it can. */
export function diskFaultMissing(): string | false {
  if (process.platform !== 'linux') return 'RLIMIT_FSIZE faults need Linux';
  if (!existsSync(prlimitBin)) return `${prlimitBin} (util-linux) is not installed`;
  return false;
}

/** From now on, every write of `pid` that grows a file fails (EFBIG). */
export function failDiskOf(pid: number): void {
  const result = spawnSync(prlimitBin, ['--pid', String(pid), '--fsize=0:unlimited'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`prlimit --pid ${pid} failed: ${result.stderr || result.error?.message || `status ${String(result.status)}`}`);
}

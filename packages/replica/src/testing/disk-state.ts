/**
 * What a Driver keeps on disk for one server, as plain values, and the three
 * rules every test Driver must follow with it. Shared by TestEnsemble and
 * tools/sim so that both perform a Ready's writes, recover after a crash and
 * build a role's InitialState the same way (the server's real Driver does
 * the same over txn-log).
 */
import type { Zxid } from '@corral/base';
import type { InitialState } from '@corral/broadcast';
import type { Epoch, Ready, Txn } from '../broadcast-port.js';
import { snapshotChunksOf } from '../snapshot-frames.js';

/** What one server's disk holds. */
export interface TestDisk {
  readonly acceptedEpoch: Epoch;
  readonly currentEpoch: Epoch;
  /** The serialized tree at `snapshotZxid` (null: the empty tree at 0). */
  readonly snapshot: readonly Uint8Array[] | null;
  readonly snapshotZxid: Zxid;
  /** Log records above `logBaseZxid`, oldest first. */
  readonly log: readonly Txn[];
  readonly logBaseZxid: Zxid;
}

/** A fresh server's disk. */
export const emptyDisk: TestDisk = { acceptedEpoch: 0, currentEpoch: 0, snapshot: null, snapshotZxid: 0n, log: [], logBaseZxid: 0n };

/** True when a broadcast Ready writes anything. */
export function readyWrites(ready: Ready): boolean {
  return ready.snapshot !== null || ready.truncate !== null || ready.append.length > 0 || ready.hardState !== null;
}

/**
 * A Ready's writes as ONE unit: the snapshot install or truncate, the sync's
 * appends and the epochs (a crash keeps all of it or none).
 */
export function applyReadyWrites(disk: TestDisk, ready: Pick<Ready, 'snapshot' | 'truncate' | 'append' | 'hardState'>): TestDisk {
  const { snapshot, truncate, append, hardState } = ready;
  let next = disk;
  if (snapshot !== null) next = { ...next, snapshot: [...snapshotChunksOf(snapshot.snapshot)], snapshotZxid: snapshot.zxid, log: [], logBaseZxid: snapshot.zxid };
  if (truncate !== null) next = { ...next, log: next.log.filter((txn) => txn.zxid <= truncate) };
  const epochs = hardState === null ? {} : { acceptedEpoch: hardState.acceptedEpoch, currentEpoch: hardState.currentEpoch };
  return { ...next, log: [...next.log, ...append], ...epochs };
}

/** A snapshot of the tree at `zxid` written as its own file; with `purge`, the log at or below it goes. */
export function withSnapshot(disk: TestDisk, chunks: readonly Uint8Array[], zxid: Zxid, purge: boolean): TestDisk {
  if (!purge) return { ...disk, snapshot: chunks, snapshotZxid: zxid };
  return {
    ...disk, snapshot: chunks, snapshotZxid: zxid, log: disk.log.filter((txn) => txn.zxid > zxid), logBaseZxid: zxid > disk.logBaseZxid ? zxid : disk.logBaseZxid,
  };
}

/**
 * What a restart starts from. The snapshot may be ahead of the durable log:
 * an observer applies an INFORM in the Ready that appends it, and the
 * snapshot file is durable on its own. The log below the snapshot then has a
 * gap at its end: drop it, so that the log base is the snapshot again.
 */
export function recoveredDisk(disk: TestDisk): TestDisk {
  const last = disk.log.at(-1)?.zxid ?? disk.logBaseZxid;
  return last < disk.snapshotZxid ? { ...disk, log: [], logBaseZxid: disk.snapshotZxid } : disk;
}

/** The last zxid on the disk: its last log record, or the snapshot's / log base's. */
export function lastLoggedZxid(disk: TestDisk): Zxid {
  return disk.log.at(-1)?.zxid ?? (disk.logBaseZxid > disk.snapshotZxid ? disk.logBaseZxid : disk.snapshotZxid);
}

/**
 * What a role starts from: the epochs on disk, the tree where the Replica
 * stands (`appliedZxid`: a committed point, a snapshot or the last txn a
 * machine handed out as committed) and the log records above it, with as
 * many older ones as fit half the window so that the leader can DIFF
 * learners a little behind.
 */
export function initialStateOf(disk: TestDisk, appliedZxid: Zxid, windowTxnsMax: number): InitialState {
  const above = disk.log.filter((txn) => txn.zxid > appliedZxid);
  const older = disk.log.filter((txn) => txn.zxid <= appliedZxid);
  const room = Math.max(0, Math.floor(windowTxnsMax / 2) - above.length);
  const start = Math.max(0, older.length - room);
  const kept = [...older.slice(start), ...above];
  const logBaseZxid = kept.length === 0 ? appliedZxid : start > 0 ? (older[start - 1] as Txn).zxid : disk.logBaseZxid;
  return {
    acceptedEpoch: disk.acceptedEpoch, currentEpoch: disk.currentEpoch, appliedZxid, logBaseZxid, log: kept,
    diskLogBaseZxid: disk.logBaseZxid < logBaseZxid ? disk.logBaseZxid : logBaseZxid,
  };
}

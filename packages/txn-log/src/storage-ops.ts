/**
 * Operations spanning the log and the snapshot store, written against the
 * interfaces so they run the same on LevelDB and on a MemoryDisk.
 */
import { zxidToHex } from '@corral/base';
import type { SnapshotInfo, SnapshotStore, StorageLogger, TxnLogStore } from './store.js';

/** A log and the snapshot store beside it. */
export interface Storage {
  readonly log: TxnLogStore;
  readonly snapshots: SnapshotStore;
}

/**
 * Installs a snapshot received from the leader (ZAB SNAP): newer local
 * snapshots are deleted (they belong to a history the leader overrides), the
 * chunks are written and committed with the `installed` flag, then the log
 * is reset to `zxid` (empty after it). If the process dies between commit
 * and reset, completeSnapshotInstall redoes the reset at the next start.
 */
export async function installSnapshot(storage: Storage, zxid: bigint, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<SnapshotInfo> {
  await storage.log.flush();
  await storage.snapshots.deleteAfter(zxid);
  const writer = storage.snapshots.beginSnapshot(zxid, { installed: true });
  try {
    for await (const chunk of chunks) await writer.write(chunk);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const info = await writer.commit();
  await storage.log.resetTo(zxid);
  return info;
}

/**
 * Call at startup before replay: when the newest installed snapshot is
 * ahead of the log's base, its log reset was interrupted; redo it. Returns
 * the zxid reset to, or null.
 */
export async function completeSnapshotInstall(storage: Storage, logger: StorageLogger): Promise<bigint | null> {
  const installed = (await storage.snapshots.list()).find((info) => info.installed);
  if (installed === undefined || installed.zxid <= storage.log.baseZxid) return null;
  logger.warn({ zxid: zxidToHex(installed.zxid) }, 'completing an interrupted snapshot install: resetting the log');
  await storage.log.resetTo(installed.zxid);
  return installed.zxid;
}

/** Result of purgeSnapshotsAndLog. */
export interface PurgeResult {
  readonly removedSnapshots: readonly SnapshotInfo[];
  readonly removedRecordCount: number;
}

/**
 * ZooKeeper's autopurge: keeps the newest max(snapRetainCount, 3) snapshots
 * and the log records replay from the oldest of them needs (zxid ≥ its
 * zxid); older records go.
 */
export async function purgeSnapshotsAndLog(storage: Storage, snapRetainCount: number): Promise<PurgeResult> {
  const result = await storage.snapshots.purge(snapRetainCount);
  const removedRecordCount = result.oldestRetainedZxid === null ? 0 : await storage.log.purgeBefore(result.oldestRetainedZxid);
  return { removedSnapshots: result.removed, removedRecordCount };
}

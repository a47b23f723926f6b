/** @corral/txn-log: the durable transaction log and snapshot store. */
export { CommitQueue } from './commit-queue.js';
export { follows, increasingOnly, zabContiguous } from './contiguity.js';
export { dumpLog, dumpSnapshots } from './dump.js';
export { FormatVersionError, LogBackpressureError, LogCorruptionError, LogGapError, StorageError } from './errors.js';
export { formatVersion } from './level-format.js';
export { LevelSnapshotStore, snapshotDirName } from './level-snapshot-store.js';
export { LevelTxnLog, txnLogDirName } from './level-txn-log.js';
export { defaultTxnLogLimits, resolveLimits, snapRetainCountMin } from './limits.js';
export { MemoryDisk } from './memory-disk.js';
export { MemorySnapshotStore } from './memory-snapshot-store.js';
export { MemoryTxnLog } from './memory-txn-log.js';
export { openStorage } from './open-storage.js';
export { completeSnapshotInstall, installSnapshot, purgeSnapshotsAndLog } from './storage-ops.js';
export { silentLogger } from './store.js';
export type { CommitQueueOptions, CommitSink } from './commit-queue.js';
export type { ContiguityCheck } from './contiguity.js';
export type { DumpOptions } from './dump.js';
export type { StorageErrorKind } from './errors.js';
export type { LevelSnapshotStoreOptions } from './level-snapshot-store.js';
export type { LevelTxnLogOptions } from './level-txn-log.js';
export type { TxnLogLimits } from './limits.js';
export type { LogRecord } from './log-record.js';
export type { FsyncMode } from './memory-disk.js';
export type { MemorySnapshotStoreOptions } from './memory-snapshot-store.js';
export type { MemoryTxnLogOptions } from './memory-txn-log.js';
export type { OpenedStorage, OpenStorageOptions } from './open-storage.js';
export type { PurgeResult, Storage } from './storage-ops.js';
export type {
  BeginSnapshotOptions,
  ReadOptions,
  SnapshotInfo,
  SnapshotPurgeResult,
  SnapshotReader,
  SnapshotStore,
  SnapshotWriter,
  StorageLogger,
  TornTailReport,
  TxnLogStats,
  TxnLogStore,
} from './store.js';

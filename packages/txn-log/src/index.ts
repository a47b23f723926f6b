/** @corral/txn-log: the durable transaction log and snapshot store. */
export { CommitQueue } from './commit-queue.js';
export { follows, increasingOnly, zabContiguous } from './contiguity.js';
export { FormatVersionError, LogBackpressureError, LogCorruptionError, LogGapError, StorageError } from './errors.js';
export { formatVersion } from './level-format.js';
export { LevelTxnLog, txnLogDirName } from './level-txn-log.js';
export { defaultTxnLogLimits, resolveLimits, snapRetainCountMin } from './limits.js';
export { silentLogger } from './store.js';
export type { CommitSink } from './commit-queue.js';
export type { ContiguityCheck } from './contiguity.js';
export type { StorageErrorKind } from './errors.js';
export type { LevelTxnLogOptions } from './level-txn-log.js';
export type { TxnLogLimits } from './limits.js';
export type { LogRecord } from './log-record.js';
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

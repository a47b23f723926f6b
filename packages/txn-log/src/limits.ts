/**
 * Named limits of the transaction log and snapshot store (STYLE §6). Every
 * queue, batch and record has a maximum, checked before anything is
 * allocated for it. Tests and the simulator pass tiny values through
 * `resolveLimits` so the limits are actually hit.
 */
import { assertLimit, assertLimitBelow } from '@corral/base';

/** The limits one log / snapshot store runs with. */
export interface TxnLogLimits {
  /**
   * Largest payload of one log record, in bytes. Must exceed the largest
   * txn the server accepts (jute.maxbuffer plus txn header), so a txn that
   * passed the frame limit always fits in the log.
   */
  readonly recordBytesMax: number;
  /** Most records written by one LevelDB batch (one fsync). A group is split above it. */
  readonly batchRecordsMax: number;
  /** Most payload bytes written by one batch. A group is split above it. */
  readonly batchBytesMax: number;
  /**
   * Most records accepted but not yet durable. An append beyond it rejects
   * at once with LogBackpressureError (the queue never grows past it); the
   * caller stops acknowledging until earlier appends resolve.
   */
  readonly pendingRecordsMax: number;
  /** Records fetched from LevelDB per iterator step in readFrom (bounded memory per reader). */
  readonly readBatchRecordsMax: number;
  /** Largest snapshot chunk, in bytes. */
  readonly snapshotChunkBytesMax: number;
  /** Most chunks in one snapshot (chunk index is a u32 in the key). */
  readonly snapshotChunksMax: number;
  /**
   * Chunk bytes a snapshot writer holds before it writes them as one sync
   * LevelDB batch (one fsync per batch, not per chunk; a SNAP of a few tens
   * of MB goes down in one write).
   */
  readonly snapshotWriteBatchBytesMax: number;
  /**
   * Most bad-checksum records accepted at the tail as a torn write. More than
   * this is not a torn write but damage: open refuses with LogCorruptionError.
   */
  readonly tornTailRecordsMax: number;
}

/** Default limits: sized for ZooKeeper's jute.maxbuffer (1 MiB) txns. */
export const defaultTxnLogLimits: TxnLogLimits = {
  recordBytesMax: 2 * 1024 * 1024,
  batchRecordsMax: 10_000,
  batchBytesMax: 32 * 1024 * 1024,
  pendingRecordsMax: 100_000,
  readBatchRecordsMax: 1_000,
  snapshotChunkBytesMax: 4 * 1024 * 1024,
  snapshotChunksMax: 1 << 24,
  snapshotWriteBatchBytesMax: 32 * 1024 * 1024,
  tornTailRecordsMax: 10_000,
};

/** The smallest snapRetainCount honoured, as ZooKeeper's autopurge (DatadirCleanupManager). */
export const snapRetainCountMin = 3;

/** Most records deleted per LevelDB batch by truncate / purge (bounded memory). */
export const deleteBatchRecordsMax = 10_000;

/** Fills unset fields from the defaults and asserts relations between limits. */
export function resolveLimits(partial: Partial<TxnLogLimits> = {}): TxnLogLimits {
  const limits: TxnLogLimits = { ...defaultTxnLogLimits, ...partial };
  for (const [name, value] of Object.entries(limits)) assertLimit(name, value as number);
  // One record must always fit one batch, or it could never be written.
  assertLimitBelow('recordBytesMax', limits.recordBytesMax, 'batchBytesMax + 1', limits.batchBytesMax + 1);
  assertLimitBelow('batchRecordsMax', limits.batchRecordsMax, 'pendingRecordsMax + 1', limits.pendingRecordsMax + 1);
  assertLimitBelow('snapshotChunksMax', limits.snapshotChunksMax, '2^32', 2 ** 32);
  // A chunk always fits one batch.
  assertLimitBelow('snapshotChunkBytesMax', limits.snapshotChunkBytesMax, 'snapshotWriteBatchBytesMax + 1', limits.snapshotWriteBatchBytesMax + 1);
  return limits;
}

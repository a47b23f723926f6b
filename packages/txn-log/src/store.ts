/**
 * The storage interfaces the server and the simulator program against. The
 * LevelDB classes and the in-memory MemoryDisk both implement them, so a
 * simulated disk can stand in for the real one (STYLE §4).
 */
import type { LogRecord } from './log-record.js';

/** Structured logger, pino-compatible (`logger.warn(fields, message)`). */
export interface StorageLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: StorageLogger = { info: () => undefined, warn: () => undefined };

/** Options of readFrom / readBatchesFrom. */
export interface ReadOptions {
  /** Last zxid to return (inclusive); default: the end of the log. */
  readonly toZxid?: bigint;
  /** Records per underlying read; default and maximum: limits.readBatchRecordsMax. */
  readonly batchRecordsMax?: number;
  /** Aborts the stream between batches with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** What open found and repaired at the tail of the log. */
export interface TornTailReport {
  /** First and last truncated zxid. */
  readonly fromZxid: bigint;
  readonly toZxid: bigint;
  readonly recordCount: number;
}

/** Counters for `mntr` (zk_cnt_fsynctime etc.). */
export interface TxnLogStats {
  /** Completed sync writes (ZooKeeper: zk_cnt_fsynctime). */
  readonly fsyncCount: number;
  /** Milliseconds spent in sync writes (zk_sum_fsynctime). */
  readonly fsyncMsSum: number;
  /** Shortest / longest sync write; 0 before the first. */
  readonly fsyncMsMin: number;
  readonly fsyncMsMax: number;
  /** Records made durable since open. */
  readonly appendedRecordCount: number;
  /** Approximate on-disk size of the log, in bytes. */
  readonly logBytes: number;
  readonly pendingRecordCount: number;
  readonly lastLoggedZxid: bigint;
  readonly lastCommittedZxid: bigint;
}

/**
 * The durable transaction log. Appends are group-committed: one durable
 * write (and one promise) per batch of concurrent appends.
 */
export interface TxnLogStore {
  /**
   * Appends records (zxids increasing and contiguous after everything
   * appended before). Resolves once every record is durable; all callers in
   * one batch share one promise. Rejects with StorageError (log failed),
   * LogBackpressureError or LogGapError; never resolves what is not stored.
   */
  append(records: readonly LogRecord[]): Promise<void>;
  /** Durable records with zxid > `zxid`, in order, checksums and contiguity checked. */
  readFrom(zxid: bigint, options?: ReadOptions): AsyncIterable<LogRecord>;
  /** The same stream in bounded batches (one array per underlying read). */
  readBatchesFrom(zxid: bigint, options?: ReadOptions): AsyncIterable<readonly LogRecord[]>;
  /** Durably deletes every record with zxid > `zxid` (ZAB TRUNC). Runs after earlier appends. */
  truncateAfter(zxid: bigint): Promise<void>;
  /**
   * ZAB TRUNC and the sync that follows it as ONE durable write: every record
   * with zxid > `zxid` is deleted and `records` (which must follow `zxid`)
   * are appended atomically, so a crash never leaves the log truncated
   * without the records that replace the tail (packages/broadcast README,
   * Ready step 1). Runs after earlier appends.
   */
  truncateAndAppend(zxid: bigint, records: readonly LogRecord[]): Promise<void>;
  /**
   * A SNAP's log as ONE durable write: the log is emptied, `zxid` becomes
   * its base (and commit marker), and `records` (which must follow `zxid`)
   * are appended. With the snapshot committed before it, a crash leaves the
   * old log and an installed snapshot above its base — an install to roll
   * back — or the new log, never an emptied log alone.
   */
  resetAndAppend(zxid: bigint, records: readonly LogRecord[]): Promise<void>;
  /** Deletes records with zxid < min(`zxid`, lastLoggedZxid); returns how many. */
  purgeBefore(zxid: bigint): Promise<number>;
  /**
   * Empties the log and makes `zxid` its base (after installing a snapshot
   * from the leader): lastLoggedZxid and lastCommittedZxid become `zxid`.
   */
  resetTo(zxid: bigint): Promise<void>;
  /** Persists the commit marker with the next batch (no extra fsync). */
  setLastCommittedZxid(zxid: bigint): Promise<void>;
  /** Resolves when everything queued before the call has settled. */
  flush(): Promise<void>;
  /** Highest durable zxid, or the base when the log is empty. */
  readonly lastLoggedZxid: bigint;
  /** Persisted commit marker. */
  readonly lastCommittedZxid: bigint;
  /** The zxid the log starts after when empty (set by resetTo); 0 by default. */
  readonly baseZxid: bigint;
  /** Non-null when open truncated a torn tail. */
  readonly tornTail: TornTailReport | null;
  /** Non-null once a write failed; every later append rejects with it. */
  readonly failure: Error | null;
  stats(): TxnLogStats;
  /** Drains queued writes, then closes. Idempotent. */
  close(): Promise<void>;
}

/** A committed snapshot as listed in its manifest. */
export interface SnapshotInfo {
  /** Unique, increasing id of the snapshot (its key prefix). */
  readonly snapshotId: number;
  /** Last zxid the snapshot covers (fuzzy: replay the log after it). */
  readonly zxid: bigint;
  readonly chunkCount: number;
  readonly byteCount: number;
  /** CRC32C of all chunk bytes in order. */
  readonly checksum: number;
  /** True when received from a leader (installSnapshot) and the log was reset to it. */
  readonly installed: boolean;
}

/** A snapshot being written: chunks, then commit (atomic) or abort. */
export interface SnapshotWriter {
  readonly zxid: bigint;
  /**
   * Takes one chunk; chunks are read back in write order. It may be held
   * and written with later chunks (resolving at once): only `commit`
   * resolving means the chunks are durable.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Starts writing the chunks held so far now, without waiting for the
   * caller's next turn (a learner starts its SNAP's write, then loads the
   * tree while the disk works). Resolves once they are durable.
   */
  flush(): Promise<void>;
  /** Writes the held chunks and then the manifest: until it resolves the snapshot does not exist. */
  commit(): Promise<SnapshotInfo>;
  /** Drops the chunks written so far. */
  abort(): Promise<void>;
}

/** A verified snapshot to load. */
export interface SnapshotReader {
  readonly info: SnapshotInfo;
  /** The chunks in order; each chunk's checksum is checked again as read. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** Options of beginSnapshot. */
export interface BeginSnapshotOptions {
  /** Marks a snapshot received from a leader (see installSnapshot). */
  readonly installed?: boolean;
}

/** Result of a snapshot purge. */
export interface SnapshotPurgeResult {
  readonly removed: readonly SnapshotInfo[];
  /** Zxid of the oldest snapshot kept, or null when there is none. */
  readonly oldestRetainedZxid: bigint | null;
}

/** Durable snapshots, each committed atomically. */
export interface SnapshotStore {
  beginSnapshot(zxid: bigint, options?: BeginSnapshotOptions): SnapshotWriter;
  /** Committed snapshots, newest (highest zxid, then id) first. */
  list(): Promise<readonly SnapshotInfo[]>;
  /**
   * The newest snapshot whose checksums verify; a corrupt one is logged and
   * skipped in favour of the previous. Null when none is valid.
   */
  openLatestValidSnapshot(): Promise<SnapshotReader | null>;
  /**
   * Reads one listed snapshot without verifying it first: each chunk is
   * checked as it streams, and a bad one makes the stream throw
   * LogCorruptionError. Recovery loads while it reads (one pass over a large
   * snapshot instead of two) and falls back to the previous one on error.
   */
  open(info: SnapshotInfo): SnapshotReader;
  /** Keeps the newest max(snapRetainCount, 3) snapshots, deletes the rest. */
  purge(snapRetainCount: number): Promise<SnapshotPurgeResult>;
  /** Deletes snapshots whose zxid is > `zxid` (they cover txns being truncated). */
  deleteAfter(zxid: bigint): Promise<number>;
  close(): Promise<void>;
}

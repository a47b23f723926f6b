/**
 * Typed errors of the storage layer (STYLE §7). Each carries a ZooKeeper
 * code and a machine-readable `kind`; callers switch on the class and kind,
 * never on message text.
 */
import { ZkCode, zxidToHex } from '@corral/base';

/** Why a storage operation failed. */
export type StorageErrorKind =
  /** A write or its fsync failed: the log is now failed. */
  | 'write-failed'
  /** The device is full (ENOSPC): the log is now failed. */
  | 'disk-full'
  /** An earlier write failed; this append was refused without touching the disk. */
  | 'log-failed'
  /** The store was closed before or while the operation ran. */
  | 'closed'
  /** A read or a maintenance operation (truncate, purge) failed. */
  | 'io'
  /** The simulated process crashed (MemoryDisk only). */
  | 'crashed';

/** A write, fsync or read failed; nothing the caller was promised is lost silently. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  /** ZooKeeper reports local storage failures as SYSTEMERROR. */
  readonly code = ZkCode.SYSTEMERROR;
  readonly kind: StorageErrorKind;

  constructor(kind: StorageErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(`${kind}: ${message}`, { cause: options.cause });
    this.kind = kind;
  }
}

/** More records are pending than pendingRecordsMax: retry after earlier appends resolve. */
export class LogBackpressureError extends Error {
  override readonly name = 'LogBackpressureError';
  /** The same code ZooKeeper's RequestThrottler answers with when it sheds load. */
  readonly code = ZkCode.THROTTLEDOP;
  readonly pendingRecordCount: number;
  readonly pendingRecordsMax: number;

  constructor(pendingRecordCount: number, pendingRecordsMax: number) {
    super(`txn log backpressure: ${pendingRecordCount} records pending, max ${pendingRecordsMax}`);
    this.pendingRecordCount = pendingRecordCount;
    this.pendingRecordsMax = pendingRecordsMax;
  }
}

/**
 * The zxid sequence is not contiguous (or not increasing): a txn is missing,
 * so replaying or serving the log would silently skip it.
 */
export class LogGapError extends Error {
  override readonly name = 'LogGapError';
  readonly code = ZkCode.DATAINCONSISTENCY;
  readonly previousZxid: bigint;
  readonly zxid: bigint;

  constructor(previousZxid: bigint, zxid: bigint, where: string) {
    super(`zxid gap in ${where}: ${zxidToHex(zxid)} does not follow ${zxidToHex(previousZxid)}`);
    this.previousZxid = previousZxid;
    this.zxid = zxid;
  }
}

/** A record or snapshot failed its checksum where it cannot be a torn tail. */
export class LogCorruptionError extends Error {
  override readonly name = 'LogCorruptionError';
  readonly code = ZkCode.DATAINCONSISTENCY;
  /** First corrupt zxid (log) or the snapshot's zxid. */
  readonly zxid: bigint;

  constructor(zxid: bigint, message: string) {
    super(`corruption at ${zxidToHex(zxid)}: ${message}`);
    this.zxid = zxid;
  }
}

/** The on-disk format is newer than this code, or the directory is not ours: refuse to open. */
export class FormatVersionError extends Error {
  override readonly name = 'FormatVersionError';
  readonly code = ZkCode.SYSTEMERROR;
  readonly location: string;
  /** Version found on disk, or null when the database is not a Corral store of this kind. */
  readonly foundVersion: number | null;
  readonly supportedVersion: number;

  constructor(options: { location: string; foundVersion: number | null; supportedVersion: number; message: string }) {
    super(`${options.location}: ${options.message}`);
    this.location = options.location;
    this.foundVersion = options.foundVersion;
    this.supportedVersion = options.supportedVersion;
  }
}

/** Classifies a LevelDB / fs write failure. LevelDB reports ENOSPC only as text. */
export function writeFailure(cause: unknown, what: string): StorageError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const kind: StorageErrorKind = /no space left|ENOSPC/i.test(message) ? 'disk-full' : 'write-failed';
  return new StorageError(kind, `${what}: ${message}`, { cause });
}

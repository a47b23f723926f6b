/**
 * The LevelDB transaction log. Keys are [0x01][zxid u64 BE] so LevelDB's
 * byte order is zxid order; values carry a CRC32C. Every acknowledged write
 * is a LevelDB batch written with `sync: true` (LevelDB defaults to
 * sync: false, which loses acknowledged writes on power failure).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ClassicLevel } from 'classic-level';
import { assert, zxidToHex } from '@corral/base';
import { CommitQueue } from './commit-queue.js';
import { follows, rewriteGap, zabContiguous, type ContiguityCheck } from './contiguity.js';
import { LogCorruptionError, LogGapError } from './errors.js';
import { checkFormat, type BufferLevel } from './level-format.js';
import { deleteBatchRecordsMax, resolveLimits, type TxnLogLimits } from './limits.js';
import {
  decodeLogEntry,
  encodeLogEntry,
  isLogKey,
  logKey,
  logKeyBytes,
  logKeyEnd,
  logKeyStart,
  metaKey,
  type LogRecord,
} from './log-record.js';
import { silentLogger, type ReadOptions, type StorageLogger, type TornTailReport, type TxnLogStats, type TxnLogStore } from './store.js';

/** Subdirectory of dataLogDir holding the log's LevelDB. */
export const txnLogDirName = 'txn-log';

/** Options of LevelTxnLog.open. */
export interface LevelTxnLogOptions {
  /** ZooKeeper's dataLogDir: the log lives in `<dataLogDir>/txn-log`. */
  readonly dataLogDir: string;
  readonly limits?: Partial<TxnLogLimits>;
  readonly logger?: StorageLogger;
  /** Contiguity rule on append and read; default ZAB's; false = increasing only. */
  readonly checkContiguous?: ContiguityCheck | false;
  /** Clock for fsync timing, in ms; default performance.now. */
  readonly now?: () => number;
}

const baseKey = metaKey('base');
const committedKey = metaKey('committed');

function u64(value: bigint): Buffer {
  const buffer = Buffer.allocUnsafe(8);
  buffer.writeBigUInt64BE(value, 0);
  return buffer;
}

function readU64(value: Buffer | undefined): bigint {
  return value === undefined || value.byteLength !== 8 ? 0n : value.readBigUInt64BE(0);
}

/** Opens a LevelDB with Buffer keys/values, creating its directory. */
export async function openBufferLevel(location: string): Promise<BufferLevel> {
  await mkdir(location, { recursive: true });
  const db: BufferLevel = new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  return db;
}

/** The durable txn log on LevelDB, with group commit. */
export class LevelTxnLog implements TxnLogStore {
  private readonly db: BufferLevel;
  private readonly limits: TxnLogLimits;
  private readonly check: ContiguityCheck | false;
  private readonly queue: CommitQueue<Buffer>;
  private base: bigint;
  private bytesAtOpen: number;
  private bytesAppended = 0;
  private closePromise: Promise<void> | null = null;
  readonly tornTail: TornTailReport | null;

  private constructor(options: {
    db: BufferLevel;
    limits: TxnLogLimits;
    check: ContiguityCheck | false;
    now: () => number;
    base: bigint;
    lastZxid: bigint;
    committed: bigint;
    tornTail: TornTailReport | null;
    bytes: number;
  }) {
    this.db = options.db;
    this.limits = options.limits;
    this.check = options.check;
    this.base = options.base;
    this.tornTail = options.tornTail;
    this.bytesAtOpen = options.bytes;
    this.queue = new CommitQueue<Buffer>({
      sink: { writeBatch: (entries, committedZxid) => this.writeBatch(entries, committedZxid) },
      encode: encodeLogEntry,
      limits: options.limits,
      checkContiguous: options.check,
      now: options.now,
      lastLoggedZxid: options.lastZxid,
      lastCommittedZxid: options.committed,
    });
  }

  /**
   * Opens (or creates) the log: checks the format version, then scans the
   * tail backwards and truncates records with bad checksums (a torn last
   * write), reporting their zxid range. Damage deeper than a torn tail is
   * found by readFrom when replay reaches it.
   */
  static async open(options: LevelTxnLogOptions): Promise<LevelTxnLog> {
    const limits = resolveLimits(options.limits);
    const logger = options.logger ?? silentLogger;
    const db = await openBufferLevel(join(options.dataLogDir, txnLogDirName));
    try {
      await checkFormat(db, 'txn-log');
      const base = readU64(await db.get(baseKey));
      const committed = readU64(await db.get(committedKey));
      const tail = await scanTail(db, limits.tornTailRecordsMax);
      if (tail.tornTail !== null) {
        const batch = db.batch();
        for (const key of tail.badKeys) batch.del(key);
        await batch.write({ sync: true });
        logger.warn(
          { fromZxid: zxidToHex(tail.tornTail.fromZxid), toZxid: zxidToHex(tail.tornTail.toZxid), recordCount: tail.tornTail.recordCount },
          'txn log: truncated torn tail (bad checksums)',
        );
      }
      const lastZxid = tail.lastZxid ?? base;
      return new LevelTxnLog({
        db,
        limits,
        check: options.checkContiguous ?? zabContiguous,
        now: options.now ?? (() => performance.now()),
        base,
        lastZxid,
        committed: committed < lastZxid ? committed : lastZxid,
        tornTail: tail.tornTail,
        bytes: await db.approximateSize(logKeyStart, logKeyEnd),
      });
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  get lastLoggedZxid(): bigint {
    return this.queue.lastLoggedZxid;
  }
  get lastCommittedZxid(): bigint {
    return this.queue.lastCommittedZxid;
  }
  get baseZxid(): bigint {
    return this.base;
  }
  get failure(): Error | null {
    return this.queue.failure;
  }

  append(records: readonly LogRecord[]): Promise<void> {
    return this.queue.append(records);
  }

  setLastCommittedZxid(zxid: bigint): Promise<void> {
    return this.queue.setLastCommittedZxid(zxid);
  }

  async *readFrom(zxid: bigint, options: ReadOptions = {}): AsyncIterable<LogRecord> {
    for await (const batch of this.readBatchesFrom(zxid, options)) yield* batch;
  }

  async *readBatchesFrom(zxid: bigint, options: ReadOptions = {}): AsyncIterable<readonly LogRecord[]> {
    const size = Math.min(options.batchRecordsMax ?? this.limits.readBatchRecordsMax, this.limits.readBatchRecordsMax);
    assert(size > 0, 'batchRecordsMax must be positive');
    const range = options.toZxid === undefined ? { gt: logKey(zxid), lt: logKeyEnd } : { gt: logKey(zxid), lte: logKey(options.toZxid) };
    const iterator = this.db.iterator(range);
    let previous = zxid;
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const entries = await iterator.nextv(size);
        if (entries.length === 0) return;
        const batch: LogRecord[] = [];
        for (const [key, value] of entries) {
          const entry = decodeLogEntry(key, value);
          if (!entry.checksumOk) throw new LogCorruptionError(entry.zxid, 'log record checksum mismatch');
          if (!follows(this.check, previous, entry.zxid)) throw new LogGapError(previous, entry.zxid, 'log read');
          batch.push({ zxid: entry.zxid, bytes: entry.bytes });
          previous = entry.zxid;
        }
        yield batch;
      }
    } finally {
      await iterator.close();
    }
  }

  truncateAfter(zxid: bigint): Promise<void> {
    assert(zxid >= this.base, `cannot truncate below the log base ${zxidToHex(this.base)}`);
    const committed = this.queue.lastCommittedZxid;
    assert(zxid >= committed, `truncating to ${zxidToHex(zxid)} would drop committed txns up to ${zxidToHex(committed)}`);
    return this.queue.exclusive('truncate', { lastZxid: this.minAccepted(zxid), committedZxid: committed }, async () => {
      // Newest first: a crash part-way leaves a prefix of the log, never a hole.
      await this.deleteRange({ gt: logKey(zxid), lt: logKeyEnd, reverse: true });
      const last = await lastLogZxid(this.db);
      this.queue.noteDurable(last ?? this.base, this.queue.lastCommittedZxid);
      await this.refreshSize();
    });
  }

  truncateAndAppend(zxid: bigint, records: readonly LogRecord[]): Promise<void> {
    assert(zxid >= this.base, `cannot truncate below the log base ${zxidToHex(this.base)}`);
    const committed = this.queue.lastCommittedZxid;
    assert(zxid >= committed, `truncating to ${zxidToHex(zxid)} would drop committed txns up to ${zxidToHex(committed)}`);
    const gap = rewriteGap(this.check, zxid, records);
    if (gap !== null) return Promise.reject(gap);
    const last = records.at(-1)?.zxid ?? this.minAccepted(zxid);
    return this.queue.exclusive('truncate-append', { lastZxid: last, committedZxid: committed }, async () => {
      const doomed = await this.db.keys({ gt: logKey(zxid), lt: logKeyEnd }).all();
      const batch = this.db.batch();
      for (const key of doomed) batch.del(key);
      for (const record of records) {
        const entry = encodeLogEntry(record);
        batch.put(entry.subarray(0, logKeyBytes), entry.subarray(logKeyBytes));
      }
      // One LevelDB write batch: the deletes and the puts are durable together or not at all.
      await batch.write({ sync: true });
      this.queue.noteDurable(records.at(-1)?.zxid ?? (await lastLogZxid(this.db)) ?? this.base, this.queue.lastCommittedZxid);
      await this.refreshSize();
    });
  }

  resetAndAppend(zxid: bigint, records: readonly LogRecord[]): Promise<void> {
    const gap = rewriteGap(this.check, zxid, records);
    if (gap !== null) return Promise.reject(gap);
    const last = records.at(-1)?.zxid ?? zxid;
    return this.queue.exclusive('reset-append', { lastZxid: last, committedZxid: zxid }, async () => {
      const doomed = await this.db.keys({ gte: logKeyStart, lt: logKeyEnd }).all();
      const batch = this.db.batch();
      for (const key of doomed) batch.del(key);
      batch.put(baseKey, u64(zxid));
      batch.put(committedKey, u64(zxid));
      for (const record of records) {
        const entry = encodeLogEntry(record);
        batch.put(entry.subarray(0, logKeyBytes), entry.subarray(logKeyBytes));
      }
      // One LevelDB write batch: the old log goes and the new one arrives together or not at all.
      await batch.write({ sync: true });
      this.base = zxid;
      this.queue.noteDurable(last, zxid);
      await this.refreshSize();
    });
  }

  purgeBefore(zxid: bigint): Promise<number> {
    return this.queue.exclusive('purge', null, async () => {
      const limit = zxid < this.queue.lastLoggedZxid ? zxid : this.queue.lastLoggedZxid;
      // Oldest first: a crash part-way leaves a suffix, which replay from a
      // retained snapshot does not need anyway.
      const count = await this.deleteRange({ gte: logKeyStart, lt: logKey(limit), reverse: false });
      await this.refreshSize();
      return count;
    });
  }

  resetTo(zxid: bigint): Promise<void> {
    return this.queue.exclusive('reset', { lastZxid: zxid, committedZxid: zxid }, async () => {
      await this.deleteRange({ gte: logKeyStart, lt: logKeyEnd, reverse: true });
      // Written last: until the base moves, an interrupted reset is redone
      // from the installed snapshot's manifest (completeSnapshotInstall).
      await this.db.batch(
        [
          { type: 'put', key: baseKey, value: u64(zxid) },
          { type: 'put', key: committedKey, value: u64(zxid) },
        ],
        { sync: true },
      );
      this.base = zxid;
      this.queue.noteDurable(zxid, zxid);
      await this.refreshSize();
    });
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  stats(): TxnLogStats {
    return {
      ...this.queue.fsyncStats(),
      logBytes: this.bytesAtOpen + this.bytesAppended,
      pendingRecordCount: this.queue.pendingRecordCount,
      lastLoggedZxid: this.queue.lastLoggedZxid,
      lastCommittedZxid: this.queue.lastCommittedZxid,
    };
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      await this.queue.drain();
      await this.db.close();
    })();
    return this.closePromise;
  }

  private minAccepted(zxid: bigint): bigint {
    const last = this.queue.lastLoggedZxid;
    return zxid < last ? zxid : last;
  }

  /** One chained batch per group: each put copies key and value into LevelDB's WriteBatch at once. */
  private writeBatch(entries: readonly Buffer[], committedZxid: bigint | null): Promise<void> {
    const batch = this.db.batch();
    let bytes = 0;
    for (const entry of entries) {
      batch.put(entry.subarray(0, logKeyBytes), entry.subarray(logKeyBytes));
      bytes += entry.byteLength;
    }
    if (committedZxid !== null) batch.put(committedKey, u64(committedZxid));
    this.bytesAppended += bytes;
    return batch.write({ sync: true });
  }

  private async deleteRange(range: { gt?: Buffer; gte?: Buffer; lt: Buffer; reverse: boolean }): Promise<number> {
    let count = 0;
    for (;;) {
      const keys = await this.db.keys({ ...range, limit: deleteBatchRecordsMax }).all();
      if (keys.length === 0) return count;
      await this.db.batch(
        keys.map((key) => ({ type: 'del' as const, key })),
        { sync: true },
      );
      count += keys.length;
    }
  }

  private async refreshSize(): Promise<void> {
    this.bytesAtOpen = await this.db.approximateSize(logKeyStart, logKeyEnd);
    this.bytesAppended = 0;
  }
}

/** Zxid of the last log key, or null when the log is empty. */
async function lastLogZxid(db: BufferLevel): Promise<bigint | null> {
  const keys = await db.keys({ gte: logKeyStart, lt: logKeyEnd, reverse: true, limit: 1 }).all();
  const key = keys[0];
  return key === undefined ? null : key.readBigUInt64BE(1);
}

interface TailScan {
  readonly lastZxid: bigint | null;
  readonly badKeys: Buffer[];
  readonly tornTail: TornTailReport | null;
}

/** Walks back from the end while checksums fail; stops at the first good record. */
async function scanTail(db: BufferLevel, tornTailRecordsMax: number): Promise<TailScan> {
  const iterator = db.iterator({ gte: logKeyStart, lt: logKeyEnd, reverse: true });
  const badKeys: Buffer[] = [];
  const badZxids: bigint[] = [];
  let lastZxid: bigint | null = null;
  try {
    scan: for (;;) {
      const entries = await iterator.nextv(256);
      if (entries.length === 0) break;
      for (const [key, value] of entries) {
        if (!isLogKey(key)) throw new LogCorruptionError(0n, `malformed log key ${key.toString('hex')}`);
        const entry = decodeLogEntry(key, value);
        if (entry.checksumOk) {
          lastZxid = entry.zxid;
          break scan;
        }
        badKeys.push(key);
        badZxids.push(entry.zxid);
        if (badKeys.length > tornTailRecordsMax) {
          throw new LogCorruptionError(entry.zxid, `more than ${tornTailRecordsMax} records with bad checksums at the tail`);
        }
      }
    }
  } finally {
    await iterator.close();
  }
  const newest = badZxids[0];
  const oldest = badZxids[badZxids.length - 1];
  const tornTail = newest === undefined || oldest === undefined ? null : { fromZxid: oldest, toZxid: newest, recordCount: badZxids.length };
  return { lastZxid, badKeys, tornTail };
}

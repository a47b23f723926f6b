/**
 * The in-memory TxnLogStore on a MemoryDisk: the same group-commit queue
 * and record encoding as LevelTxnLog, with the disk's faults. Exclusive
 * operations (truncate, purge, reset) apply to the disk at once, durably.
 */
import { assert, zxidToHex } from '@corral/base';
import { CommitQueue } from './commit-queue.js';
import { follows, rewriteGap, zabContiguous, type ContiguityCheck } from './contiguity.js';
import { FormatVersionError, LogCorruptionError, LogGapError } from './errors.js';
import { formatVersion } from './level-format.js';
import { resolveLimits, type TxnLogLimits } from './limits.js';
import { decodeLogEntry, encodeLogEntry, logKeyBytes, type LogRecord } from './log-record.js';
import type { MemoryDisk, MemoryLogEntry } from './memory-disk.js';
import { silentLogger, type ReadOptions, type StorageLogger, type TornTailReport, type TxnLogStats, type TxnLogStore } from './store.js';

/** Options of MemoryTxnLog.open. */
export interface MemoryTxnLogOptions {
  readonly limits?: Partial<TxnLogLimits>;
  readonly logger?: StorageLogger;
  readonly checkContiguous?: ContiguityCheck | false;
  /** Clock for fsync timing; default a clock that never moves (no real time in simulation). */
  readonly now?: () => number;
}

/** First index whose zxid is > `zxid` (entries are sorted). */
function upperBound(entries: readonly MemoryLogEntry[], zxid: bigint): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = entries[middle];
    if (entry !== undefined && entry.zxid <= zxid) low = middle + 1;
    else high = middle;
  }
  return low;
}

function decode(entry: Buffer): ReturnType<typeof decodeLogEntry> {
  return decodeLogEntry(entry.subarray(0, logKeyBytes), entry.subarray(logKeyBytes));
}

/** In-memory txn log with fault injection, for tests and simulation. */
export class MemoryTxnLog implements TxnLogStore {
  private readonly disk: MemoryDisk;
  private readonly limits: TxnLogLimits;
  private readonly check: ContiguityCheck | false;
  private readonly queue: CommitQueue<Buffer>;
  private readonly unregister: () => void;
  private closePromise: Promise<void> | null = null;
  readonly tornTail: TornTailReport | null;

  private constructor(disk: MemoryDisk, options: MemoryTxnLogOptions, tornTail: TornTailReport | null) {
    this.disk = disk;
    this.limits = resolveLimits(options.limits);
    this.check = options.checkContiguous ?? zabContiguous;
    this.tornTail = tornTail;
    const last = disk.logEntries[disk.logEntries.length - 1]?.zxid ?? disk.logBaseZxid;
    this.queue = new CommitQueue<Buffer>({
      sink: { writeBatch: (entries, committedZxid) => this.writeBatch(entries, committedZxid) },
      encode: encodeLogEntry,
      limits: this.limits,
      checkContiguous: this.check,
      now: options.now ?? (() => 0),
      lastLoggedZxid: last,
      lastCommittedZxid: disk.logCommittedZxid < last ? disk.logCommittedZxid : last,
    });
    this.unregister = disk.onCrash((error) => this.queue.fail(error));
  }

  /** Opens the log on `disk`: format check, then torn-tail truncation as LevelTxnLog does. */
  static open(disk: MemoryDisk, options: MemoryTxnLogOptions = {}): Promise<MemoryTxnLog> {
    if (disk.logFormatVersion > formatVersion) {
      return Promise.reject(
        new FormatVersionError({
          location: 'memory',
          foundVersion: disk.logFormatVersion,
          supportedVersion: formatVersion,
          message: `txn-log format version ${disk.logFormatVersion} is newer than this build supports (${formatVersion})`,
        }),
      );
    }
    const limits = resolveLimits(options.limits);
    let badCount = 0;
    for (let index = disk.logEntries.length - 1; index >= 0; index -= 1) {
      const entry = disk.logEntries[index];
      if (entry === undefined || decode(entry.entry).checksumOk) break;
      badCount += 1;
      if (badCount > limits.tornTailRecordsMax) {
        return Promise.reject(new LogCorruptionError(entry.zxid, `more than ${limits.tornTailRecordsMax} records with bad checksums at the tail`));
      }
    }
    let tornTail: TornTailReport | null = null;
    if (badCount > 0) {
      const removed = disk.logEntries.splice(disk.logEntries.length - badCount);
      const first = removed[0];
      const last = removed[removed.length - 1];
      assert(first !== undefined && last !== undefined, 'torn tail is non-empty');
      tornTail = { fromZxid: first.zxid, toZxid: last.zxid, recordCount: removed.length };
      (options.logger ?? silentLogger).warn(
        { fromZxid: zxidToHex(first.zxid), toZxid: zxidToHex(last.zxid), recordCount: removed.length },
        'txn log: truncated torn tail (bad checksums)',
      );
    }
    return Promise.resolve(new MemoryTxnLog(disk, options, tornTail));
  }

  get lastLoggedZxid(): bigint {
    return this.queue.lastLoggedZxid;
  }
  get lastCommittedZxid(): bigint {
    return this.queue.lastCommittedZxid;
  }
  get baseZxid(): bigint {
    return this.disk.logBaseZxid;
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
    let previous = zxid;
    for (;;) {
      options.signal?.throwIfAborted();
      // Re-find the position each batch: truncation may run between batches.
      const start = upperBound(this.disk.logEntries, previous);
      const batch: LogRecord[] = [];
      for (const stored of this.disk.logEntries.slice(start, start + size)) {
        if (options.toZxid !== undefined && stored.zxid > options.toZxid) break;
        const entry = decode(stored.entry);
        if (!entry.checksumOk) throw new LogCorruptionError(entry.zxid, 'log record checksum mismatch');
        if (!follows(this.check, previous, entry.zxid)) throw new LogGapError(previous, entry.zxid, 'log read');
        batch.push({ zxid: entry.zxid, bytes: entry.bytes });
        previous = entry.zxid;
      }
      if (batch.length === 0) return;
      yield batch;
      // Yield to the event loop like a real read would.
      await Promise.resolve();
    }
  }

  truncateAfter(zxid: bigint): Promise<void> {
    assert(zxid >= this.disk.logBaseZxid, `cannot truncate below the log base ${zxidToHex(this.disk.logBaseZxid)}`);
    const committed = this.queue.lastCommittedZxid;
    assert(zxid >= committed, `truncating to ${zxidToHex(zxid)} would drop committed txns up to ${zxidToHex(committed)}`);
    const last = this.queue.lastLoggedZxid;
    return this.queue.exclusive('truncate', { lastZxid: zxid < last ? zxid : last, committedZxid: committed }, () => {
      const entries = this.disk.logEntries;
      entries.splice(upperBound(entries, zxid));
      this.queue.noteDurable(entries[entries.length - 1]?.zxid ?? this.disk.logBaseZxid, this.queue.lastCommittedZxid);
      return Promise.resolve();
    });
  }

  truncateAndAppend(zxid: bigint, records: readonly LogRecord[]): Promise<void> {
    assert(zxid >= this.disk.logBaseZxid, `cannot truncate below the log base ${zxidToHex(this.disk.logBaseZxid)}`);
    const committed = this.queue.lastCommittedZxid;
    assert(zxid >= committed, `truncating to ${zxidToHex(zxid)} would drop committed txns up to ${zxidToHex(committed)}`);
    const gap = rewriteGap(this.check, zxid, records);
    if (gap !== null) return Promise.reject(gap);
    const previous = this.queue.lastLoggedZxid;
    const last = records.at(-1)?.zxid ?? (zxid < previous ? zxid : previous);
    return this.queue.exclusive('truncate-append', { lastZxid: last, committedZxid: committed }, () =>
      // One sync unit: a crash keeps the whole rewrite or none of it.
      this.disk.sync(() => {
        const entries = this.disk.logEntries;
        entries.splice(upperBound(entries, zxid));
        for (const record of records) entries.push({ zxid: record.zxid, entry: encodeLogEntry(record) });
        this.queue.noteDurable(entries[entries.length - 1]?.zxid ?? this.disk.logBaseZxid, this.queue.lastCommittedZxid);
      }));
  }

  resetAndAppend(zxid: bigint, records: readonly LogRecord[]): Promise<void> {
    const gap = rewriteGap(this.check, zxid, records);
    if (gap !== null) return Promise.reject(gap);
    const last = records.at(-1)?.zxid ?? zxid;
    return this.queue.exclusive('reset-append', { lastZxid: last, committedZxid: zxid }, () =>
      // One sync unit: a crash keeps the old log or the new one.
      this.disk.sync(() => {
        const entries = this.disk.logEntries;
        entries.splice(0);
        this.disk.logBaseZxid = zxid;
        this.disk.logCommittedZxid = zxid;
        for (const record of records) entries.push({ zxid: record.zxid, entry: encodeLogEntry(record) });
        this.queue.noteDurable(last, zxid);
      }));
  }

  purgeBefore(zxid: bigint): Promise<number> {
    return this.queue.exclusive('purge', null, () => {
      const limit = zxid < this.queue.lastLoggedZxid ? zxid : this.queue.lastLoggedZxid;
      const entries = this.disk.logEntries;
      // Entries with zxid < limit are those up to upperBound(limit - 1).
      const count = upperBound(entries, limit - 1n);
      entries.splice(0, count);
      return Promise.resolve(count);
    });
  }

  resetTo(zxid: bigint): Promise<void> {
    return this.queue.exclusive('reset', { lastZxid: zxid, committedZxid: zxid }, () => {
      this.disk.logEntries.splice(0);
      this.disk.logBaseZxid = zxid;
      this.disk.logCommittedZxid = zxid;
      this.queue.noteDurable(zxid, zxid);
      return Promise.resolve();
    });
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  stats(): TxnLogStats {
    let logBytes = 0;
    for (const entry of this.disk.logEntries) logBytes += entry.entry.byteLength;
    return {
      ...this.queue.fsyncStats(),
      logBytes,
      pendingRecordCount: this.queue.pendingRecordCount,
      lastLoggedZxid: this.queue.lastLoggedZxid,
      lastCommittedZxid: this.queue.lastCommittedZxid,
    };
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      await this.queue.drain();
      this.unregister();
    })();
    return this.closePromise;
  }

  private writeBatch(entries: readonly Buffer[], committedZxid: bigint | null): Promise<void> {
    return this.disk.sync(() => {
      for (const entry of entries) this.disk.logEntries.push({ zxid: entry.readBigUInt64BE(1), entry });
      if (committedZxid !== null) this.disk.logCommittedZxid = committedZxid;
    });
  }
}

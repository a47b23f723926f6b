/**
 * A simulated disk per server: an append-only log of opaque records with
 * group-committed fsyncs, and the faults STYLE §4 asks for, decided by the
 * caller (the fault plan) rather than by time:
 * - an fsync completes `fsyncSteps` steps after it was issued (slow fsync
 *   is a large value), in issue order;
 * - `failNextFsync` makes the next fsync fail; the server then crashes, as
 *   Corral's storage path does (STYLE §5: restart recovers from the log);
 * - `crash` loses every write whose fsync had not completed;
 * - `tearTail` damages the last durable record, as a torn write would, and
 *   recovery stops at the first record whose checksum does not match.
 *
 * Why not txn-log's MemoryDisk/MemoryTxnLog: they model the same faults but
 * complete writes through promises, and the simulator steps synchronously
 * (a promise per write would cost an await per step and tie the order of
 * events to the microtask queue). Records here are opaque bytes, as in
 * txn-log, so the replica's log records can be stored unchanged later.
 */
import { assert } from '@corral/base';

/** One durable record as stored: the bytes and their checksum. */
interface StoredRecord {
  readonly bytes: Uint8Array;
  checksum: number;
}

interface PendingWrite {
  readonly writeId: number;
  readonly records: readonly Uint8Array[];
  readonly completeAt: number;
}

/** A finished fsync, reported to the node as an input. */
export interface FsyncResult {
  readonly writeId: number;
  readonly ok: boolean;
}

/** Counters for the run summary. */
export interface DiskStats {
  writeCount: number;
  fsyncCount: number;
  lostWriteCount: number;
  failedFsyncCount: number;
  tornRecordCount: number;
}

/** Options of {@link SimDisk}. */
export interface SimDiskOptions {
  /** Bound on records kept; an append beyond it is a caller bug (limits are per package, STYLE §6). */
  readonly recordsMax: number;
  /** Bound on writes waiting for their fsync. */
  readonly pendingWritesMax: number;
  /**
   * What a torn tail damages: 'durable' (default) the last durable record, as the election-only
   * simulation has always done; 'unsynced' only a write whose fsync had not completed when the
   * process died (its first record lands damaged, recovery truncates it). A real disk that
   * honours fsync tears only the latter: tearing an fsynced record loses a write the server
   * already acknowledged, which no quorum protocol survives (full-stack seed 272 at 5d22421).
   */
  readonly tear?: 'durable' | 'unsynced';
}

/** FNV-1a over the bytes: enough to notice a torn record. */
export function checksumOf(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/** What survives on one server's disk across crashes. */
export class SimDisk {
  readonly stats: DiskStats = { writeCount: 0, fsyncCount: 0, lostWriteCount: 0, failedFsyncCount: 0, tornRecordCount: 0 };
  /** Steps from issuing a write to its fsync completing; the fault plan changes it. */
  fsyncSteps = 1;
  private readonly durable: StoredRecord[] = [];
  private readonly pending: PendingWrite[] = [];
  private failNext = false;
  /** The records of the first write the last crash lost, for a torn tail of unsynced data. */
  private lostOnCrash: readonly Uint8Array[] | null = null;
  private nextWriteId = 1;
  private readonly options: SimDiskOptions;

  constructor(options: SimDiskOptions) {
    this.options = options;
  }

  /** Writes records durably at once, bypassing fsync (the state a run starts from). */
  format(records: readonly Uint8Array[]): void {
    assert(this.durable.length === 0 && this.pending.length === 0, 'format an empty disk');
    for (const bytes of records) this.durable.push({ bytes, checksum: checksumOf(bytes) });
  }

  /** Issues one group commit at step `now`; returns its id, reported again when its fsync completes. */
  write(records: readonly Uint8Array[], now: number): number {
    assert(this.pending.length < this.options.pendingWritesMax, 'pendingWritesMax exceeded');
    let queued = 0;
    for (const write of this.pending) queued += write.records.length;
    assert(this.durable.length + queued + records.length <= this.options.recordsMax, 'recordsMax exceeded');
    const last = this.pending[this.pending.length - 1];
    // fsyncs complete in issue order, as one file's would.
    const completeAt = Math.max(now + this.fsyncSteps, last?.completeAt ?? 0);
    const writeId = this.nextWriteId++;
    this.pending.push({ writeId, records, completeAt });
    this.stats.writeCount++;
    return writeId;
  }

  /** Completes the fsyncs due at `now`, in order. A failed one is not durable; the simulator then crashes the server, losing the later writes too. */
  completeDue(now: number): FsyncResult[] {
    const done: FsyncResult[] = [];
    while (this.pending.length > 0 && (this.pending[0]?.completeAt ?? Infinity) <= now) {
      const write = this.pending.shift();
      assert(write !== undefined, 'pending is not empty');
      if (this.failNext) {
        this.failNext = false;
        this.stats.failedFsyncCount++;
        done.push({ writeId: write.writeId, ok: false });
        continue;
      }
      for (const bytes of write.records) this.durable.push({ bytes, checksum: checksumOf(bytes) });
      this.stats.fsyncCount++;
      done.push({ writeId: write.writeId, ok: true });
    }
    return done;
  }

  /** The next fsync fails (EIO). */
  failNextFsync(): void {
    this.failNext = true;
  }

  /** The liveness phase heals the disk: fast fsyncs, no failure pending. */
  heal(): void {
    this.fsyncSteps = 1;
    this.failNext = false;
  }

  /** The process died: writes not yet durable are lost. */
  crash(): void {
    this.lostOnCrash = this.pending[0]?.records ?? null;
    this.stats.lostWriteCount += this.pending.length;
    this.pending.length = 0;
    this.failNext = false;
  }

  /** Damages the last durable record, if any (or, with `tear: 'unsynced'`, a record the crash lost lands damaged). */
  tearTail(): void {
    if (this.options.tear === 'unsynced') {
      const torn = this.lostOnCrash?.[0];
      this.lostOnCrash = null;
      if (torn === undefined) return;
      this.durable.push({ bytes: torn, checksum: (checksumOf(torn) ^ 0xff) >>> 0 });
      this.stats.tornRecordCount++;
      return;
    }
    const last = this.durable[this.durable.length - 1];
    if (last === undefined) return;
    last.checksum = (last.checksum ^ 0xff) >>> 0;
    this.stats.tornRecordCount++;
  }

  /**
   * What a restart reads: the durable records up to the first damaged one.
   * The damaged tail is truncated away, as txn-log's recovery does.
   */
  recover(): Uint8Array[] {
    assert(this.pending.length === 0, 'recover only after a crash or before any write');
    const good: Uint8Array[] = [];
    for (const record of this.durable) {
      if (checksumOf(record.bytes) !== record.checksum) break;
      good.push(record.bytes);
    }
    this.durable.length = good.length;
    return good;
  }

  /** Writes waiting for their fsync. */
  get pendingWriteCount(): number {
    return this.pending.length;
  }
}

/**
 * Group commit (ZooKeeper's SyncRequestProcessor, without its thread). Records
 * appended while a durable write is in flight go into the next batch, so one
 * fsync serves many appends: throughput grows with concurrency while latency
 * stays one fsync plus queueing. One promise per batch, shared by every
 * caller in it; no timer per append. Only one write is in flight at a time,
 * so batches reach the disk in append order.
 *
 * The queue is a FIFO of tasks: batches (appends, commit marker) and
 * exclusive operations (truncate, purge, reset) that must run between
 * batches. A failed write puts the queue in a failed state: the failed batch,
 * every queued task and every later append reject, because what the disk
 * holds after a failed fsync is unknown (never resolve what was not stored).
 */
import { assert, zxidToHex } from '@corral/base';
import { follows, type ContiguityCheck } from './contiguity.js';
import { LogBackpressureError, LogGapError, StorageError, writeFailure } from './errors.js';
import type { TxnLogLimits } from './limits.js';
import { zxidMax, type LogRecord } from './log-record.js';

/** Where batches go: makes one batch durable. Called one at a time, in order. */
export interface CommitSink<E> {
  writeBatch(entries: readonly E[], committedZxid: bigint | null): Promise<void>;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch can be shared by callers that all stopped listening (or a split
  // append returns only its last batch); the real callers still see the
  // rejection through `promise` itself.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface BatchTask<E> extends Deferred<void> {
  readonly kind: 'batch';
  readonly entries: E[];
  byteCount: number;
  lastZxid: bigint | null;
  committedZxid: bigint | null;
  /** Set when the write starts: later appends go to a new batch. */
  sealed: boolean;
}

interface ExclusiveTask extends Deferred<unknown> {
  readonly kind: 'exclusive';
  readonly what: string;
  readonly run: () => Promise<unknown>;
}

type Task<E> = BatchTask<E> | ExclusiveTask;

/** Options of a CommitQueue. */
export interface CommitQueueOptions<E> {
  readonly sink: CommitSink<E>;
  readonly encode: (record: LogRecord) => E;
  readonly limits: TxnLogLimits;
  readonly checkContiguous: ContiguityCheck | false;
  readonly now: () => number;
  readonly lastLoggedZxid: bigint;
  readonly lastCommittedZxid: bigint;
}

/** The group-commit queue shared by the LevelDB and in-memory logs. */
export class CommitQueue<E> {
  private readonly options: CommitQueueOptions<E>;
  private readonly tasks: Task<E>[] = [];
  private running = false;
  private scheduled = false;
  private closing = false;
  private failed: StorageError | null = null;
  /** Highest zxid accepted (possibly not yet durable): the next append must follow it. */
  private lastAcceptedZxid: bigint;
  private lastAcceptedCommittedZxid: bigint;
  private durableZxid: bigint;
  private durableCommittedZxid: bigint;
  private pendingRecords = 0;
  private fsyncs = 0;
  private fsyncMsTotal = 0;
  private fsyncMsLow = 0;
  private fsyncMsHigh = 0;
  private appendedRecords = 0;

  constructor(options: CommitQueueOptions<E>) {
    this.options = options;
    this.lastAcceptedZxid = options.lastLoggedZxid;
    this.durableZxid = options.lastLoggedZxid;
    this.lastAcceptedCommittedZxid = options.lastCommittedZxid;
    this.durableCommittedZxid = options.lastCommittedZxid;
  }

  get lastLoggedZxid(): bigint {
    return this.durableZxid;
  }
  get lastCommittedZxid(): bigint {
    return this.durableCommittedZxid;
  }
  get pendingRecordCount(): number {
    return this.pendingRecords;
  }
  get failure(): StorageError | null {
    return this.failed;
  }

  /** Queues records for the next durable batch; see TxnLogStore.append. */
  append(records: readonly LogRecord[]): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    const count = records.length;
    const { pendingRecordsMax } = this.options.limits;
    if (this.pendingRecords + count > pendingRecordsMax) {
      return Promise.reject(new LogBackpressureError(this.pendingRecords + count, pendingRecordsMax));
    }
    const invalid = this.validate(records);
    if (invalid !== null) return Promise.reject(invalid);
    if (count === 0) return this.flush();
    let batch = this.openBatch();
    const { batchRecordsMax, batchBytesMax } = this.options.limits;
    for (const record of records) {
      const bytes = record.bytes.byteLength;
      if (batch.entries.length >= batchRecordsMax || batch.byteCount + bytes > batchBytesMax) batch = this.newBatch();
      batch.entries.push(this.options.encode(record));
      batch.byteCount += bytes;
      batch.lastZxid = record.zxid;
    }
    this.lastAcceptedZxid = batch.lastZxid ?? this.lastAcceptedZxid;
    this.pendingRecords += count;
    this.schedule();
    // The last batch settles after every earlier one (writes are ordered, and
    // an earlier failure fails all later batches).
    return batch.promise;
  }

  /** Persists the commit marker with the next batch. */
  setLastCommittedZxid(zxid: bigint): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    assert(zxid >= this.lastAcceptedCommittedZxid, () => `commit marker went back to ${zxidToHex(zxid)}`);
    assert(zxid <= this.lastAcceptedZxid, () => `commit marker ${zxidToHex(zxid)} beyond the log end`);
    const batch = this.openBatch();
    batch.committedZxid = zxid;
    this.lastAcceptedCommittedZxid = zxid;
    this.schedule();
    return batch.promise;
  }

  /**
   * Runs `run` after every task queued before it, before any queued after.
   * `accepted` is the new log end seen by later appends (truncate / reset).
   */
  exclusive<T>(what: string, accepted: { lastZxid: bigint; committedZxid: bigint } | null, run: () => Promise<T>): Promise<T> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    const task: ExclusiveTask = { kind: 'exclusive', what, run, ...deferred<unknown>() };
    this.tasks.push(task);
    if (accepted !== null) {
      this.lastAcceptedZxid = accepted.lastZxid;
      this.lastAcceptedCommittedZxid = accepted.committedZxid;
    }
    this.schedule();
    return task.promise as Promise<T>;
  }

  /** Sets the durable state after an exclusive operation changed it. */
  noteDurable(lastLoggedZxid: bigint, lastCommittedZxid: bigint): void {
    this.durableZxid = lastLoggedZxid;
    this.durableCommittedZxid = lastCommittedZxid;
  }

  /** Settles once every task queued before the call has settled (never rejects). */
  flush(): Promise<void> {
    const last = this.tasks[this.tasks.length - 1];
    if (last === undefined) return Promise.resolve();
    return last.promise.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Stops accepting work and waits for queued work (graceful drain). */
  async drain(): Promise<void> {
    this.closing = true;
    await this.flush();
  }

  /** Puts the queue into the failed state from outside (simulated crash). */
  fail(error: StorageError): void {
    if (this.failed === null) this.failed = error;
    const tasks = this.tasks.splice(0);
    this.pendingRecords = 0;
    for (const task of tasks) task.reject(task === tasks[0] ? error : this.logFailedError());
  }

  /** Counters for mntr. */
  fsyncStats(): { fsyncCount: number; fsyncMsSum: number; fsyncMsMin: number; fsyncMsMax: number; appendedRecordCount: number } {
    return {
      fsyncCount: this.fsyncs,
      fsyncMsSum: this.fsyncMsTotal,
      fsyncMsMin: this.fsyncMsLow,
      fsyncMsMax: this.fsyncMsHigh,
      appendedRecordCount: this.appendedRecords,
    };
  }

  private refusal(): StorageError | null {
    if (this.failed !== null) return this.logFailedError();
    if (this.closing) return new StorageError('closed', 'txn log is closed');
    return null;
  }

  private logFailedError(): StorageError {
    return new StorageError('log-failed', 'an earlier write failed; the log accepts no more appends', { cause: this.failed });
  }

  private validate(records: readonly LogRecord[]): Error | null {
    let previous = this.lastAcceptedZxid;
    const { recordBytesMax } = this.options.limits;
    for (const record of records) {
      assert(typeof record.zxid === 'bigint', 'record zxid must be a bigint');
      assert(record.zxid > 0n && record.zxid <= zxidMax, () => `record zxid out of range: ${record.zxid}`);
      assert(record.bytes instanceof Uint8Array, 'record bytes must be a Uint8Array');
      if (record.bytes.byteLength > recordBytesMax) {
        return new StorageError('write-failed', `record ${zxidToHex(record.zxid)} has ${record.bytes.byteLength} bytes, max ${recordBytesMax}`);
      }
      if (!follows(this.options.checkContiguous, previous, record.zxid)) return new LogGapError(previous, record.zxid, 'append');
      previous = record.zxid;
    }
    return null;
  }

  private openBatch(): BatchTask<E> {
    const tail = this.tasks[this.tasks.length - 1];
    if (tail !== undefined && tail.kind === 'batch' && !tail.sealed) return tail;
    return this.newBatch();
  }

  private newBatch(): BatchTask<E> {
    const batch: BatchTask<E> = {
      kind: 'batch',
      entries: [],
      byteCount: 0,
      lastZxid: null,
      committedZxid: null,
      sealed: false,
      ...deferred<void>(),
    };
    this.tasks.push(batch);
    return batch;
  }

  /**
   * Starts the next task in a microtask, so every append made in the same
   * synchronous run joins one batch. Not a timer: nothing waits for time.
   */
  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.failed !== null) return;
    const task = this.tasks[0];
    if (task === undefined) return;
    this.running = true;
    if (task.kind === 'batch') this.startBatch(task);
    else this.startExclusive(task);
  }

  private startBatch(batch: BatchTask<E>): void {
    batch.sealed = true;
    const startMs = this.options.now();
    this.options.sink.writeBatch(batch.entries, batch.committedZxid).then(
      () => {
        this.recordFsync(this.options.now() - startMs);
        this.finishBatch(batch);
      },
      (error: unknown) => this.failWrite(error, `write of ${batch.entries.length} records`),
    );
  }

  private finishBatch(batch: BatchTask<E>): void {
    if (this.tasks[0] !== batch) return; // failed meanwhile (simulated crash)
    this.tasks.shift();
    this.running = false;
    if (batch.lastZxid !== null) this.durableZxid = batch.lastZxid;
    if (batch.committedZxid !== null) this.durableCommittedZxid = batch.committedZxid;
    this.pendingRecords -= batch.entries.length;
    this.appendedRecords += batch.entries.length;
    batch.resolve();
    // Records that arrived during this fsync are already waiting: write them now.
    this.pump();
  }

  private startExclusive(task: ExclusiveTask): void {
    task.run().then(
      (value) => {
        if (this.tasks[0] !== task) return;
        this.tasks.shift();
        this.running = false;
        task.resolve(value);
        this.pump();
      },
      (error: unknown) => this.failWrite(error, task.what),
    );
  }

  private failWrite(error: unknown, what: string): void {
    this.running = false;
    this.fail(error instanceof StorageError ? error : writeFailure(error, what));
  }

  private recordFsync(ms: number): void {
    this.fsyncs += 1;
    this.fsyncMsTotal += ms;
    this.fsyncMsLow = this.fsyncs === 1 ? ms : Math.min(this.fsyncMsLow, ms);
    this.fsyncMsHigh = Math.max(this.fsyncMsHigh, ms);
  }
}

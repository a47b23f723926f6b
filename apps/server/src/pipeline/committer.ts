/**
 * Group commit (STYLE §3): prepared txns collected during one event-loop
 * turn go to the log in one append; the log (txn-log's CommitQueue) keeps
 * one durable write in flight and folds everything that arrives meanwhile
 * into the next, so one fsync serves many requests. Appends are handed over
 * at once rather than after the previous one is applied, so the disk writes
 * batch N+1 while this thread applies and answers batch N. When an append is
 * durable its txns are applied in zxid order, synchronously, and only then
 * answered.
 */
import { assert } from '@corral/base';
import { encodeTxn } from '@corral/data-tree';
import type { DurableLog, LogRecord } from './durable-log.js';
import type { PreparedTxn } from './prep.js';

/** A prepared txn and what to do once it is durable. */
export interface Proposal {
  readonly prepared: PreparedTxn;
  readonly onDurable: () => void;
}

/** Batches proposals into log appends and applies them in order once durable. */
export class Committer {
  private readonly log: DurableLog;
  private readonly onFatal: (error: unknown) => void;
  private readonly batchRecordsMax: number;
  private readonly inFlightRecordsMax: number;
  private queue: Proposal[] = [];
  private inFlightRecords = 0;
  private scheduled = false;
  private failed = false;
  private lastZxid = -1n;
  private lastDurableZxid = -1n;

  constructor(options: { log: DurableLog; onFatal: (error: unknown) => void; batchRecordsMax: number; inFlightRecordsMax: number }) {
    assert(options.batchRecordsMax <= options.inFlightRecordsMax, 'a batch must fit the in-flight limit');
    this.log = options.log;
    this.onFatal = options.onFatal;
    this.batchRecordsMax = options.batchRecordsMax;
    this.inFlightRecordsMax = options.inFlightRecordsMax;
  }

  /** Proposals not yet durable (queued here or in the log). */
  get pendingCount(): number {
    return this.queue.length + this.inFlightRecords;
  }

  enqueue(proposal: Proposal): void {
    assert(!this.failed, 'no proposals after a storage failure');
    assert(proposal.prepared.header.zxid > this.lastZxid, 'zxids are proposed in increasing order');
    this.lastZxid = proposal.prepared.header.zxid;
    this.queue.push(proposal);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Collect the txns of this task (one socket read can hold many requests).
    // A microtask, not setImmediate: the log itself folds whatever arrives
    // while a write is in flight into the next batch, so waiting for the end
    // of the event-loop turn would only add latency to a lone write.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && !this.failed) {
      const room = Math.min(this.batchRecordsMax, this.inFlightRecordsMax - this.inFlightRecords);
      // Over the in-flight limit: wait for the log to catch up (backpressure, not an error).
      if (room <= 0) return;
      const batch = this.queue.length <= room ? this.queue : this.queue.slice(0, room);
      this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
      this.append(batch);
    }
  }

  private append(batch: Proposal[]): void {
    const records: LogRecord[] = batch.map(({ prepared }) => ({
      zxid: prepared.header.zxid,
      bytes: encodeTxn(prepared.header, prepared.txn),
    }));
    this.inFlightRecords += batch.length;
    this.log.append(records).then(
      () => {
        this.inFlightRecords -= batch.length;
        const first = batch[0];
        assert(first !== undefined && first.prepared.header.zxid > this.lastDurableZxid, 'batches become durable in zxid order');
        for (const proposal of batch) proposal.onDurable();
        this.lastDurableZxid = batch[batch.length - 1]?.prepared.header.zxid ?? this.lastDurableZxid;
        if (this.queue.length > 0) this.schedule();
      },
      (error: unknown) => {
        if (this.failed) return;
        this.failed = true;
        this.onFatal(error);
      },
    );
  }
}

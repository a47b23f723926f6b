/**
 * Group commit (STYLE §3): prepared txns queue up while one append is in
 * flight and go to the log together in the next one, so one fsync serves
 * many requests. When an append is durable its txns are applied in zxid
 * order, synchronously, and only then answered.
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

/** Batches proposals into log appends, one append in flight at a time. */
export class Committer {
  private readonly log: DurableLog;
  private readonly onFatal: (error: unknown) => void;
  private readonly batchRecordsMax: number;
  private queue: Proposal[] = [];
  private inFlight = false;
  private scheduled = false;
  private failed = false;
  private lastZxid = -1n;

  constructor(options: { log: DurableLog; onFatal: (error: unknown) => void; batchRecordsMax: number }) {
    this.log = options.log;
    this.onFatal = options.onFatal;
    this.batchRecordsMax = options.batchRecordsMax;
  }

  /** Proposals not yet durable (queued or in flight). */
  get pendingCount(): number {
    return this.queue.length;
  }

  enqueue(proposal: Proposal): void {
    assert(!this.failed, 'no proposals after a storage failure');
    assert(proposal.prepared.header.zxid > this.lastZxid, 'zxids are proposed in increasing order');
    this.lastZxid = proposal.prepared.header.zxid;
    this.queue.push(proposal);
    if (!this.inFlight && !this.scheduled) {
      this.scheduled = true;
      // Collect everything that arrives during this event-loop turn.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.inFlight || this.queue.length === 0 || this.failed) return;
    const batch = this.queue.length <= this.batchRecordsMax ? this.queue : this.queue.slice(0, this.batchRecordsMax);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    const records: LogRecord[] = batch.map(({ prepared }) => ({
      zxid: prepared.header.zxid,
      bytes: encodeTxn(prepared.header, prepared.txn),
    }));
    this.inFlight = true;
    this.log.append(records).then(
      () => {
        this.inFlight = false;
        for (const proposal of batch) proposal.onDurable();
        if (this.queue.length > 0) this.flush();
      },
      (error: unknown) => {
        this.failed = true;
        this.onFatal(error);
      },
    );
  }
}

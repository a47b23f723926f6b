/**
 * The txns this leader proposed and has not applied yet, as prep built
 * them, oldest first. Commits arrive in proposal order, so this is a FIFO
 * (an array with a moving head) rather than a map keyed by bigint: it sits
 * on every write's path.
 */
import { assert, type Zxid } from '@corral/base';
import type { PreparedTxn } from './prep/prepared.js';

/** Dropped slots kept before the array is compacted. */
const compactAfterDropped = 256;

export class OwnProposals {
  private queue: PreparedTxn[] = [];
  private head = 0;

  add(prepared: PreparedTxn): void {
    const newest = this.queue.at(-1);
    assert(this.head === this.queue.length || newest === undefined || prepared.header.zxid > newest.header.zxid,
      'own proposals are added in zxid order');
    this.queue.push(prepared);
  }

  /** The own proposal committed at `zxid`, removed; undefined when `zxid` is not one (a txn of an earlier leader). */
  take(zxid: Zxid): PreparedTxn | undefined {
    const oldest = this.queue[this.head];
    if (oldest === undefined || oldest.header.zxid !== zxid) {
      assert(oldest === undefined || oldest.header.zxid > zxid, 'own proposals are applied in the order they were proposed');
      return undefined;
    }
    this.head++;
    if (this.head === this.queue.length) this.clear();
    else if (this.head >= compactAfterDropped && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return oldest;
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
  }
}

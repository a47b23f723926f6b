/**
 * The leader's in-memory history: the most recent contiguous txns of its
 * log, committed or in flight (ZooKeeper's committedLog plus the
 * outstanding proposals). It answers the synchronisation questions: do I
 * hold this zxid, what comes after it, what is the last one below it.
 *
 * It is on every write's path (push, and a prune per Ready), so it is an
 * array with a moving head rather than a map: a lookup is a binary search
 * (with a direct guess first, since counters within an epoch are dense),
 * and pruning moves the head, compacting the array only once the dropped
 * part is as large as the held part (amortised O(1) per txn).
 */
import { assert, type Zxid } from '@corral/base';
import type { Txn } from './types.js';

/** Dropped slots kept before compaction is considered, so small windows do not compact on every prune. */
const compactAfterDropped = 1024;

/** Contiguous txns above `baseZxid`, oldest first. */
export class TxnWindow {
  /** Slots below `head` are dropped; `txns[head..]` are held, oldest first. */
  private txns: Txn[] = [];
  private head = 0;
  private base: Zxid;

  constructor(baseZxid: Zxid, txns: readonly Txn[]) {
    this.base = baseZxid;
    for (const txn of txns) this.push(txn);
  }

  /** The zxid just below the oldest txn held: the leader's log is complete above it. */
  get baseZxid(): Zxid {
    return this.base;
  }

  get size(): number {
    return this.txns.length - this.head;
  }

  /** The newest zxid held, or the base when empty. */
  get lastZxid(): Zxid {
    return this.size === 0 ? this.base : (this.txns[this.txns.length - 1] as Txn).zxid;
  }

  push(txn: Txn): void {
    assert(txn.zxid > this.lastZxid, () => `window grows in zxid order: ${txn.zxid} after ${this.lastZxid}`);
    this.txns.push(txn);
  }

  has(zxid: Zxid): boolean {
    return this.indexOf(zxid) !== -1;
  }

  get(zxid: Zxid): Txn {
    const index = this.indexOf(zxid);
    assert(index !== -1, () => `window holds ${zxid}`);
    return this.txns[index] as Txn;
  }

  /** Txns above `zxid`, oldest first. `zxid` must be the base or a held zxid. */
  after(zxid: Zxid): readonly Txn[] {
    if (zxid === this.base) return this.head === 0 ? this.txns : this.txns.slice(this.head);
    const index = this.indexOf(zxid);
    assert(index !== -1, () => `window holds ${zxid} to read after it`);
    return this.txns.slice(index + 1);
  }

  /** The largest zxid held (or the base) that is below `zxid`. */
  floor(zxid: Zxid): Zxid {
    const low = this.lowerBound(zxid);
    return low === this.head ? this.base : (this.txns[low - 1] as Txn).zxid;
  }

  /** Drops the oldest txns while more than `max` are held and they are at or below `upTo`. */
  prune(max: number, upTo: Zxid): void {
    const txns = this.txns;
    while (txns.length - this.head > max) {
      const oldest = txns[this.head] as Txn;
      if (oldest.zxid > upTo) break;
      this.base = oldest.zxid;
      this.head++;
    }
    if (this.head >= compactAfterDropped && this.head * 2 >= txns.length) {
      this.txns = txns.slice(this.head);
      this.head = 0;
    }
  }

  /** The array index of `zxid`, or -1 when it is not held. */
  private indexOf(zxid: Zxid): number {
    const txns = this.txns;
    const lastIndex = txns.length - 1;
    if (lastIndex < this.head) return -1;
    // Within the newest epoch counters are dense: the distance from the newest zxid is the distance in the array.
    const distance = (txns[lastIndex] as Txn).zxid - zxid;
    if (distance >= 0n && distance <= BigInt(lastIndex - this.head)) {
      const guess = txns[lastIndex - Number(distance)] as Txn;
      if (guess.zxid === zxid) return lastIndex - Number(distance);
    }
    const index = this.lowerBound(zxid);
    return index < txns.length && (txns[index] as Txn).zxid === zxid ? index : -1;
  }

  /** The first array index at or above `head` whose zxid is not below `zxid`. */
  private lowerBound(zxid: Zxid): number {
    let low = this.head;
    let high = this.txns.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.txns[mid] as Txn).zxid < zxid) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

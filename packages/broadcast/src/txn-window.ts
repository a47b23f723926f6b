/**
 * The leader's in-memory history: the most recent contiguous txns of its
 * log, committed or in flight (ZooKeeper's committedLog plus the
 * outstanding proposals). It answers the synchronisation questions: do I
 * hold this zxid, what comes after it, what is the last one below it.
 */
import { assert, type Zxid } from '@corral/base';
import type { Txn } from './types.js';

/** Contiguous txns above `baseZxid`, oldest first. */
export class TxnWindow {
  private txns: Txn[];
  private base: Zxid;
  private readonly indexByZxid = new Map<Zxid, number>();
  /** Txns dropped from the front; indexes in `indexByZxid` are absolute. */
  private dropped = 0;

  constructor(baseZxid: Zxid, txns: readonly Txn[]) {
    this.base = baseZxid;
    this.txns = [];
    for (const txn of txns) this.push(txn);
  }

  /** The zxid just below the oldest txn held: the leader's log is complete above it. */
  get baseZxid(): Zxid {
    return this.base;
  }

  get size(): number {
    return this.txns.length;
  }

  /** The newest zxid held, or the base when empty. */
  get lastZxid(): Zxid {
    return this.txns.at(-1)?.zxid ?? this.base;
  }

  push(txn: Txn): void {
    assert(txn.zxid > this.lastZxid, () => `window grows in zxid order: ${txn.zxid} after ${this.lastZxid}`);
    this.indexByZxid.set(txn.zxid, this.dropped + this.txns.length);
    this.txns.push(txn);
  }

  has(zxid: Zxid): boolean {
    return this.indexByZxid.has(zxid);
  }

  get(zxid: Zxid): Txn {
    const index = this.indexByZxid.get(zxid);
    assert(index !== undefined, () => `window holds ${zxid}`);
    const txn = this.txns[index - this.dropped];
    assert(txn !== undefined && txn.zxid === zxid, 'window index is consistent');
    return txn;
  }

  /** Txns above `zxid`, oldest first. `zxid` must be the base or a held zxid. */
  after(zxid: Zxid): readonly Txn[] {
    if (zxid === this.base) return this.txns;
    const index = this.indexByZxid.get(zxid);
    assert(index !== undefined, () => `window holds ${zxid} to read after it`);
    return this.txns.slice(index - this.dropped + 1);
  }

  /** The largest zxid held (or the base) that is below `zxid`. */
  floor(zxid: Zxid): Zxid {
    let low = 0;
    let high = this.txns.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.txns[mid] as Txn).zxid < zxid) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? this.base : (this.txns[low - 1] as Txn).zxid;
  }

  /** Drops the oldest txns while more than `max` are held and they are at or below `upTo`. */
  prune(max: number, upTo: Zxid): void {
    let count = 0;
    while (this.txns.length - count > max) {
      const oldest = this.txns[count] as Txn;
      if (oldest.zxid > upTo) break;
      this.indexByZxid.delete(oldest.zxid);
      this.base = oldest.zxid;
      count++;
    }
    if (count === 0) return;
    this.txns = this.txns.slice(count);
    this.dropped += count;
  }
}

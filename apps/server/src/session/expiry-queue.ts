/**
 * Bucketed session expiry (ZooKeeper's ExpiryQueue): each session sits in
 * the bucket of the next tick boundary after its deadline, so expiry costs
 * one map lookup per tick instead of a timer per session. `now` is passed
 * in; nothing here reads a clock.
 */
import { assert } from '@corral/base';

/** Groups items by expiry time rounded up to `intervalMs`. */
export class ExpiryQueue<T> {
  private readonly intervalMs: number;
  private readonly buckets = new Map<number, Set<T>>();
  private readonly bucketOf = new Map<T, number>();
  private nextExpirationMs: number;

  constructor(options: { intervalMs: number; nowMs: number }) {
    assert(options.intervalMs > 0, 'expiry interval must be positive');
    this.intervalMs = options.intervalMs;
    this.nextExpirationMs = this.roundUp(options.nowMs);
  }

  private roundUp(timeMs: number): number {
    return (Math.floor(timeMs / this.intervalMs) + 1) * this.intervalMs;
  }

  /** Moves `item` to the bucket for `nowMs + timeoutMs`; returns that bucket. */
  update(item: T, nowMs: number, timeoutMs: number): number {
    const bucket = this.roundUp(nowMs + timeoutMs);
    const previous = this.bucketOf.get(item);
    if (previous === bucket) return bucket;
    if (previous !== undefined) this.removeFromBucket(item, previous);
    let set = this.buckets.get(bucket);
    if (set === undefined) {
      set = new Set();
      this.buckets.set(bucket, set);
    }
    set.add(item);
    this.bucketOf.set(item, bucket);
    return bucket;
  }

  remove(item: T): void {
    const bucket = this.bucketOf.get(item);
    if (bucket !== undefined) this.removeFromBucket(item, bucket);
  }

  private removeFromBucket(item: T, bucket: number): void {
    const set = this.buckets.get(bucket);
    set?.delete(item);
    if (set?.size === 0) this.buckets.delete(bucket);
    this.bucketOf.delete(item);
  }

  /** Removes and returns every item whose bucket is at or before `nowMs`. */
  poll(nowMs: number): T[] {
    const expired: T[] = [];
    while (this.nextExpirationMs <= nowMs) {
      const set = this.buckets.get(this.nextExpirationMs);
      if (set !== undefined) {
        this.buckets.delete(this.nextExpirationMs);
        for (const item of set) {
          this.bucketOf.delete(item);
          expired.push(item);
        }
      }
      this.nextExpirationMs += this.intervalMs;
    }
    return expired;
  }

  get size(): number {
    return this.bucketOf.size;
  }
}

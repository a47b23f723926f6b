/**
 * Leader-owned session expiry in ticks, bucketed as ZooKeeper's ExpiryQueue:
 * a session sits in the bucket of the tick its deadline falls in, so each
 * tick costs one map lookup instead of a timer per session. Only the leader
 * keeps one; it learns of activity on learners through their touch batches,
 * and turns an expiry into a closeSession txn (never a local removal).
 * Time is counted in ticks; nothing here reads a clock.
 */
import { assert } from '@corral/base';

/** Sessions by the tick at which they expire. */
export class SessionExpiry {
  private readonly tickMs: number;
  private readonly buckets = new Map<number, Set<bigint>>();
  private readonly bucketOf = new Map<bigint, number>();
  private tickCount = 0;

  constructor(options: { tickMs: number }) {
    assert(Number.isSafeInteger(options.tickMs) && options.tickMs > 0, 'tickMs is a positive integer');
    this.tickMs = options.tickMs;
  }

  /** Sessions tracked. */
  get size(): number {
    return this.bucketOf.size;
  }

  /** The current tick (ticks since this leadership began). */
  get now(): number {
    return this.tickCount;
  }

  /**
   * Pushes the session's deadline `timeoutMs` out from now, rounded up to
   * the next tick boundary (ExpiryQueue.roundToNextInterval). Returns the
   * tick it now expires at.
   */
  touch(sessionId: bigint, timeoutMs: number): number {
    assert(timeoutMs >= 0, 'session timeouts are not negative');
    const bucket = this.tickCount + Math.floor(timeoutMs / this.tickMs) + 1;
    const previous = this.bucketOf.get(sessionId);
    if (previous === bucket) return bucket;
    if (previous !== undefined) this.removeFrom(previous, sessionId);
    let set = this.buckets.get(bucket);
    if (set === undefined) {
      set = new Set();
      this.buckets.set(bucket, set);
    }
    set.add(sessionId);
    this.bucketOf.set(sessionId, bucket);
    return bucket;
  }

  /** Stops tracking a session (closed, or its close is on its way). */
  remove(sessionId: bigint): void {
    const bucket = this.bucketOf.get(sessionId);
    if (bucket === undefined) return;
    this.removeFrom(bucket, sessionId);
    this.bucketOf.delete(sessionId);
  }

  private removeFrom(bucket: number, sessionId: bigint): void {
    const set = this.buckets.get(bucket);
    assert(set?.has(sessionId) === true, 'a tracked session is in its bucket');
    set.delete(sessionId);
    if (set.size === 0) this.buckets.delete(bucket);
  }

  /** Advances one tick; returns the sessions whose deadline is this tick, in the order they were touched. */
  tick(): bigint[] {
    this.tickCount += 1;
    const set = this.buckets.get(this.tickCount);
    if (set === undefined) return [];
    this.buckets.delete(this.tickCount);
    const expired = [...set];
    for (const sessionId of expired) this.bucketOf.delete(sessionId);
    return expired;
  }
}

/**
 * The simulated network: one queue of in-flight messages between every pair
 * of servers, with the faults STYLE §4 asks for, all decided by the run's
 * PRNG at send time:
 * - loss, duplication, delay (a uniform number of steps), and reordering
 *   (without it a link is FIFO, as the TCP streams between ZooKeeper peers);
 * - partitions: `partition` blocks every link between groups (symmetric),
 *   `cutOneWay` blocks one direction only (asymmetric). A blocked link drops
 *   what is sent on it and what was in flight when it is delivered;
 * - clogging (FoundationDB's swizzle-clogging, see faults.ts): a clogged
 *   link holds its messages, losing none, and releases them when unclogged.
 * Links listed with `setReliable` (the liveness core) lose and duplicate
 * nothing, but still delay and reorder.
 */
import { assert } from '@corral/base';
import type { ServerId } from '@corral/base';
import { MinHeap } from './heap.js';
import type { Xoshiro128 } from './prng.js';

/** Fault rates of the network; probabilities in [0, 1], delays in steps. */
export interface NetworkFaults {
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  readonly reorderProbability: number;
  readonly delayStepsMin: number;
  readonly delayStepsMax: number;
}

/** A message on its way. */
export interface InFlight<M> {
  readonly from: ServerId;
  readonly to: ServerId;
  readonly message: M;
  deliverAt: number;
  readonly sequence: number;
}

/** Counters for the run summary. */
export interface NetworkStats {
  sentCount: number;
  deliveredCount: number;
  lostCount: number;
  blockedCount: number;
  duplicatedCount: number;
  overflowCount: number;
}

/** Options of {@link Network}. */
export interface NetworkOptions<M = unknown> {
  readonly prng: Xoshiro128;
  readonly faults: NetworkFaults;
  /** Bound on messages in flight across the whole network; beyond it a send is dropped (a full socket buffer). */
  readonly inFlightMax: number;
  /**
   * Messages that travel on a TCP-like stream: never lost, duplicated or
   * reordered one by one (retransmission hides that) nor dropped for `inFlightMax`,
   * only delayed, or blocked by partitions and clogs — the receiver sees a gap.
   */
  readonly streamed?: (message: M) => boolean;
}

const linkKey = (from: ServerId, to: ServerId): number => from * 65536 + to;

const earlier = <M>(a: InFlight<M>, b: InFlight<M>): boolean =>
  a.deliverAt < b.deliverAt || (a.deliverAt === b.deliverAt && a.sequence < b.sequence);

/** Per-link queues with loss, delay, reordering, duplication, partitions and clogging. */
export class Network<M> {
  readonly stats: NetworkStats = { sentCount: 0, deliveredCount: 0, lostCount: 0, blockedCount: 0, duplicatedCount: 0, overflowCount: 0 };
  private faults: NetworkFaults;
  private readonly prng: Xoshiro128;
  private readonly inFlightMax: number;
  private readonly queue = new MinHeap<InFlight<M>>(earlier);
  private readonly blocked = new Set<number>();
  private readonly clogged = new Map<number, InFlight<M>[]>();
  private readonly reliable = new Set<number>();
  /** Latest delivery step per link, so a non-reordered message never overtakes one sent before it. */
  private readonly lastDeliverAt = new Map<number, number>();
  private sequence = 0;

  private readonly streamed: ((message: M) => boolean) | undefined;

  constructor(options: NetworkOptions<M>) {
    this.prng = options.prng;
    this.inFlightMax = options.inFlightMax;
    this.streamed = options.streamed;
    this.faults = validFaults(options.faults);
  }

  /** Changes the fault rates from now on (the liveness phase calms the network). */
  setFaults(faults: NetworkFaults): void {
    this.faults = validFaults(faults);
  }

  /** Makes every link between two of `sids` lossless and free of duplicates; clears the previous set. */
  setReliable(sids: readonly ServerId[]): void {
    this.reliable.clear();
    for (const from of sids) for (const to of sids) if (from !== to) this.reliable.add(linkKey(from, to));
  }

  /** Hands a message to the network at step `now`. */
  send(from: ServerId, to: ServerId, message: M, now: number): void {
    assert(from !== to, 'no message to oneself');
    this.stats.sentCount++;
    const key = linkKey(from, to);
    if (this.blocked.has(key)) {
      this.stats.blockedCount++;
      return;
    }
    const streamed = this.streamed?.(message) ?? false;
    const reliable = streamed || this.reliable.has(key);
    if (!reliable && this.prng.chance(this.faults.lossProbability)) {
      this.stats.lostCount++;
      return;
    }
    this.enqueue(from, to, message, now, streamed);
    if (!reliable && this.prng.chance(this.faults.duplicateProbability)) {
      this.stats.duplicatedCount++;
      this.enqueue(from, to, message, now, false);
    }
  }

  /** Removes and returns every message due at or before `now`, in (delivery step, send order). */
  deliverDue(now: number): InFlight<M>[] {
    const due: InFlight<M>[] = [];
    for (let head = this.queue.peek(); head !== undefined && head.deliverAt <= now; head = this.queue.peek()) {
      this.queue.pop();
      const key = linkKey(head.from, head.to);
      const held = this.clogged.get(key);
      if (held !== undefined) held.push(head);
      else if (this.blocked.has(key)) this.stats.blockedCount++;
      else {
        this.stats.deliveredCount++;
        due.push(head);
      }
    }
    return due;
  }

  /** Blocks every link between servers of different groups, both ways. */
  partition(groups: readonly (readonly ServerId[])[]): void {
    for (const a of groups) for (const b of groups) {
      if (a === b) continue;
      for (const from of a) for (const to of b) this.blocked.add(linkKey(from, to));
    }
  }

  /** Blocks one direction of one link. */
  cutOneWay(from: ServerId, to: ServerId): void {
    this.blocked.add(linkKey(from, to));
  }

  /** Starts holding a link's messages. */
  clog(from: ServerId, to: ServerId): void {
    const key = linkKey(from, to);
    if (!this.clogged.has(key)) this.clogged.set(key, []);
  }

  /** Releases a clogged link's messages, each after a fresh delay. */
  unclog(from: ServerId, to: ServerId, now: number): void {
    const key = linkKey(from, to);
    const held = this.clogged.get(key);
    if (held === undefined) return;
    this.clogged.delete(key);
    for (const m of held) this.enqueue(m.from, m.to, m.message, now, this.streamed?.(m.message) ?? false);
  }

  /** Clogged links, as [from, to] in clogging order. */
  cloggedLinks(): [ServerId, ServerId][] {
    return [...this.clogged.keys()].map((key) => [Math.floor(key / 65536), key % 65536]);
  }

  /** Unblocks and unclogs the links among `sids` (or every link). */
  heal(now: number, sids?: readonly ServerId[]): void {
    const inside = sids === undefined ? null : new Set(sids);
    const covered = (key: number): boolean => inside === null || (inside.has(Math.floor(key / 65536)) && inside.has(key % 65536));
    for (const key of [...this.blocked]) if (covered(key)) this.blocked.delete(key);
    for (const [from, to] of this.cloggedLinks()) if (covered(linkKey(from, to))) this.unclog(from, to, now);
  }

  /** Drops everything in flight to `sid` (its process died, so its sockets closed). */
  dropTo(sid: ServerId): void {
    this.stats.lostCount += this.queue.removeWhere((m) => m.to === sid);
    for (const [key, held] of this.clogged) if (key % 65536 === sid) held.length = 0;
  }

  /** Messages in flight, held ones included. */
  get inFlightCount(): number {
    let count = this.queue.size;
    for (const held of this.clogged.values()) count += held.length;
    return count;
  }

  private enqueue(from: ServerId, to: ServerId, message: M, now: number, streamed: boolean): void {
    // A stream's sender is bounded by its own limits (broadcast's per-peer queue), as TCP's window would.
    if (!streamed && this.inFlightCount >= this.inFlightMax) {
      this.stats.overflowCount++;
      return;
    }
    const key = linkKey(from, to);
    let deliverAt = now + this.prng.intBetween(this.faults.delayStepsMin, this.faults.delayStepsMax);
    const last = this.lastDeliverAt.get(key) ?? 0;
    if (deliverAt < last && (streamed || !this.prng.chance(this.faults.reorderProbability))) deliverAt = last;
    if (deliverAt > last) this.lastDeliverAt.set(key, deliverAt);
    this.queue.push({ from, to, message, deliverAt, sequence: this.sequence++ });
  }
}

function validFaults(faults: NetworkFaults): NetworkFaults {
  for (const p of [faults.lossProbability, faults.duplicateProbability, faults.reorderProbability]) {
    assert(p >= 0 && p <= 1, `probability out of range: ${p}`);
  }
  assert(Number.isSafeInteger(faults.delayStepsMin) && faults.delayStepsMin >= 1, 'delayStepsMin must be ≥ 1');
  assert(faults.delayStepsMax >= faults.delayStepsMin, 'delayStepsMax must be ≥ delayStepsMin');
  return faults;
}

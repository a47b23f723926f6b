/**
 * Sessions that hold watches, interned to small indexes so a watch entry can
 * name its session in 27 bits (see path-bucket.ts). Per-session state is kept
 * in parallel typed arrays indexed by session index, not in one object per
 * session, and each session keeps a reverse list of the path ids it watches
 * (ZooKeeper's watch2Paths) so that closing a session costs O(its watches).
 *
 * The reverse list is append-only between compactions: a one-shot watch that
 * fires is not searched for and removed; its path id stays until the list
 * fills up, when entries whose watch is gone are dropped and duplicates
 * merged. Invariant: every live (path, session) entry has at least one copy
 * of its path id in the session's list.
 */
import { assert } from '@corral/base';
import { watchSessionsMax } from './limits.js';

/** Answers whether session `sessionIndex` still has a watch on path id `pathId`. */
export type LivePathTest = (pathId: number, sessionIndex: number) => boolean;

const initialCapacity = 16;
const reverseCapacityMin = 4;
const freeId = -1n;

function grownInt32(array: Int32Array, need: number): Int32Array {
  if (need <= array.length) return array;
  const next = new Int32Array(Math.max(need, array.length * 2));
  next.set(array);
  return next;
}

function grownUint32(array: Uint32Array, need: number): Uint32Array {
  if (need <= array.length) return array;
  const next = new Uint32Array(Math.max(need, array.length * 2));
  next.set(array);
  return next;
}

/** The session half of the watch index. */
export class SessionTable {
  private readonly indexById = new Map<bigint, number>();
  private readonly ids: bigint[] = [];
  private readonly freeIndexes: number[] = [];
  /** Path entries (with any kind bit) per session. */
  private liveCounts: Int32Array = new Int32Array(initialCapacity);
  /** Path entries with a dataWatches-side bit per session. */
  private dataCounts: Int32Array = new Int32Array(initialCapacity);
  /**
   * 1 while ZooKeeper's dataWatches.watch2Paths would hold an entry for the
   * session, which wchs counts and wchc lists even when it is empty (a fired
   * one-shot watch does not remove it; closing the connection or an explicit
   * removeWatches that empties it does).
   */
  private dataListed: Int32Array = new Int32Array(initialCapacity);
  /** Trigger number in which the session last got an event (dedupe). */
  private stamps: Uint32Array = new Uint32Array(initialCapacity);
  private readonly reverse: (Int32Array | null)[] = [];
  private reverseLengths: Int32Array = new Int32Array(initialCapacity);

  /** Number of sessions holding a slot. */
  get size(): number {
    return this.indexById.size;
  }

  /** The index of `sessionId`, or -1 when it holds no slot. */
  indexOf(sessionId: bigint): number {
    return this.indexById.get(sessionId) ?? -1;
  }

  /** The index of `sessionId`, allocating a slot if needed; -1 when the table is full. */
  intern(sessionId: bigint): number {
    const known = this.indexById.get(sessionId);
    if (known !== undefined) return known;
    let index = this.freeIndexes.pop();
    if (index === undefined) {
      if (this.ids.length >= watchSessionsMax) return -1;
      index = this.ids.length;
      this.ids.push(sessionId);
      this.reverse.push(null);
      this.grow(index + 1);
    } else {
      this.ids[index] = sessionId;
    }
    this.indexById.set(sessionId, index);
    return index;
  }

  /** Frees the slot of a session that has no entries left. */
  release(index: number): void {
    assert(this.liveCounts[index] === 0, 'released session still has watches');
    const sessionId = this.idAt(index);
    this.indexById.delete(sessionId);
    this.ids[index] = freeId;
    this.dataCounts[index] = 0;
    this.dataListed[index] = 0;
    this.reverse[index] = null;
    this.reverseLengths[index] = 0;
    this.freeIndexes.push(index);
  }

  /** The session id held in slot `index`. */
  idAt(index: number): bigint {
    const sessionId = this.ids[index];
    assert(sessionId !== undefined && sessionId !== freeId, `no session at index ${index}`);
    return sessionId;
  }

  /** Session ids holding slots, in first-watch order. */
  sessionIds(): IterableIterator<bigint> {
    return this.indexById.keys();
  }

  liveCount(index: number): number {
    return this.liveCounts[index] ?? 0;
  }

  dataCount(index: number): number {
    return this.dataCounts[index] ?? 0;
  }

  isDataListed(index: number): boolean {
    return this.dataListed[index] === 1;
  }

  /** Adjusts the entry counters of a session after one entry changed. */
  count(index: number, liveDelta: number, dataDelta: number): void {
    const live = (this.liveCounts[index] ?? 0) + liveDelta;
    const data = (this.dataCounts[index] ?? 0) + dataDelta;
    assert(live >= 0 && data >= 0 && data <= live, 'session watch counters out of range');
    this.liveCounts[index] = live;
    this.dataCounts[index] = data;
    if (dataDelta > 0) this.dataListed[index] = 1;
  }

  /** The session leaves dataWatches.watch2Paths (only when it has no data-side entry). */
  unlistData(index: number): void {
    assert(this.dataCounts[index] === 0, 'unlisting a session that still has data watches');
    this.dataListed[index] = 0;
  }

  /** Marks the session as notified in trigger `epoch`; false if it already was. */
  stamp(index: number, epoch: number): boolean {
    if (this.stamps[index] === epoch) return false;
    this.stamps[index] = epoch;
    return true;
  }

  /** True when the session was notified in trigger `epoch`. */
  isStamped(index: number, epoch: number): boolean {
    return this.stamps[index] === epoch;
  }

  /** Forgets every stamp (when the trigger counter wraps around). */
  clearStamps(): void {
    this.stamps.fill(0);
  }

  /** Records that the session now watches path id `pathId`. */
  appendPath(index: number, pathId: number, isLive: LivePathTest): void {
    let list = this.reverse[index] ?? null;
    let length = this.reverseLengths[index] ?? 0;
    if (list === null) {
      list = new Int32Array(reverseCapacityMin);
    } else if (length === list.length) {
      // The caller counted the new entry already; its path id may or may not
      // be in the list yet (a stale copy of a reused path id), hence pending 1.
      length = this.compact(index, list, length, isLive, 1);
      if (length * 2 > list.length) {
        const grown = new Int32Array(list.length * 2);
        grown.set(list.subarray(0, length));
        list = grown;
      }
    }
    list[length] = pathId;
    this.reverse[index] = list;
    this.reverseLengths[index] = length + 1;
  }

  /**
   * The path ids the session watches, possibly with ids whose watch is gone
   * or repeated: callers check each against the buckets. A copy, so callers
   * may change the index while walking it.
   */
  rawPaths(index: number): Int32Array {
    const list = this.reverse[index] ?? null;
    return list === null ? new Int32Array(0) : list.slice(0, this.reverseLengths[index] ?? 0);
  }

  /** The distinct path ids the session still watches, sorted. */
  livePaths(index: number, isLive: LivePathTest): Int32Array {
    const list = this.reverse[index] ?? null;
    if (list === null) return new Int32Array(0);
    const length = this.compact(index, list, this.reverseLengths[index] ?? 0, isLive, 0);
    return list.slice(0, length);
  }

  /** Drops dead and repeated ids in place; returns the new length. */
  private compact(index: number, list: Int32Array, length: number, isLive: LivePathTest, pending: number): number {
    list.subarray(0, length).sort();
    let kept = 0;
    for (let i = 0; i < length; i++) {
      const pathId = list[i] ?? 0;
      if (kept > 0 && list[kept - 1] === pathId) continue;
      if (isLive(pathId, index)) list[kept++] = pathId;
    }
    const live = this.liveCounts[index] ?? 0;
    assert(kept <= live && kept >= live - pending, 'reverse list lost a live path');
    this.reverseLengths[index] = kept;
    return kept;
  }

  private grow(need: number): void {
    this.liveCounts = grownInt32(this.liveCounts, need);
    this.dataCounts = grownInt32(this.dataCounts, need);
    this.dataListed = grownInt32(this.dataListed, need);
    this.reverseLengths = grownInt32(this.reverseLengths, need);
    this.stamps = grownUint32(this.stamps, need);
  }
}

/**
 * The watch index: which session watches which path, and how. It behaves as
 * ZooKeeper 3.9's pair of WatchManagers (dataWatches, childWatches) driven by
 * DataTree.java, with ZOOKEEPER-4466 (several modes on one path) and
 * ZOOKEEPER-4471 (removeWatches by mode) semantics; see README.md for where
 * 3.8.0 differs. Storage is compact (path-bucket.ts, session-table.ts): one
 * small integer per watch in a per-path bucket plus a 4-byte path id in the
 * session's reverse list, instead of ZooKeeper's several objects per watch.
 *
 * Paths are interned: the first string given for a path is the one kept, so
 * DataTree should pass its own node path strings where it has them.
 */
import { assert } from '@corral/base';
import { watchPathLengthMax, watchesPerSessionMax, watchesTotalMax } from './limits.js';
import { bucketCollect, bucketFrom, bucketGet, bucketPut, entryBits, entrySession, packEntry, type PathBucket } from './path-bucket.js';
import { SessionTable, type LivePathTest } from './session-table.js';
import { childSideKinds, dataSideKinds, kindsOfWatcherType, WatchKind, watchKindMask, type WatcherType } from './watch-kind.js';

/** Receives one watch event; called synchronously, in ZooKeeper's order. Must not call back into the index. */
export type WatchDeliver = (sessionId: bigint, type: number, path: string) => void;

/** One watch event for one session (EventType: NodeCreated 1, NodeDeleted 2, NodeDataChanged 3, NodeChildrenChanged 4). */
export interface WatchDelivery {
  sessionId: bigint;
  type: number;
  path: string;
}

/** Limits and the default event receiver of a WatchManager. */
export interface WatchManagerOptions {
  /** Most watched paths per session (default limits.watchesPerSessionMax). */
  watchesPerSessionMax?: number;
  /** Most (path, session) entries in total (default limits.watchesTotalMax). */
  watchesTotalMax?: number;
  /** Longest watched path in UTF-16 code units (default limits.watchPathLengthMax). */
  watchPathLengthMax?: number;
  /** Receiver used by trigger calls that pass none. */
  deliver?: WatchDeliver;
}

/** What wchs reports: ZooKeeper's WatchesSummary of dataWatches. */
export interface WatchesSummary {
  connectionCount: number;
  pathCount: number;
  totalWatches: number;
}

const eventNodeDeleted = 2;
const epochMax = 0xffffffff;

function noDeliver(): never {
  assert(false, 'WatchManager trigger without a deliver callback');
}

/** Which sessions watch which paths; fires, removes and reports watches. */
export class WatchManager {
  private readonly sessions = new SessionTable();
  private readonly pathIds = new Map<string, number>();
  private readonly pathStrings: string[] = [];
  private readonly buckets: (PathBucket | undefined)[] = [];
  private readonly freePathIds: number[] = [];
  private readonly perSessionMax: number;
  private readonly totalMax: number;
  private readonly pathLengthMax: number;
  private readonly defaultDeliver: WatchDeliver;
  private readonly isLive: LivePathTest;
  private entryCount = 0;
  private dataPairCount = 0;
  private childPairCount = 0;
  private recursiveCount = 0;
  private epoch = 0;
  private delivering = false;
  /** Reused per trigger: entries of one bucket, then the sessions to notify. */
  private readonly scratch: number[] = [];
  private readonly fired: bigint[] = [];

  constructor(options: WatchManagerOptions = {}) {
    this.perSessionMax = options.watchesPerSessionMax ?? watchesPerSessionMax;
    this.totalMax = options.watchesTotalMax ?? watchesTotalMax;
    this.pathLengthMax = options.watchPathLengthMax ?? watchPathLengthMax;
    for (const [name, value] of [
      ['watchesPerSessionMax', this.perSessionMax],
      ['watchesTotalMax', this.totalMax],
      ['watchPathLengthMax', this.pathLengthMax],
    ] as const) {
      assert(Number.isSafeInteger(value) && value > 0, () => `limit ${name} must be a positive integer, got ${value}`);
    }
    this.defaultDeliver = options.deliver ?? noDeliver;
    this.isLive = (pathId, sessionIndex) => bucketGet(this.buckets[pathId], sessionIndex) !== 0;
  }

  /** Watch registrations as mntr's zk_watch_count counts them: dataWatches.size() + childWatches.size(). */
  get count(): number {
    return this.dataPairCount + this.childPairCount;
  }

  /** Distinct (path, session) entries, the unit the limits count. */
  get entries(): number {
    return this.entryCount;
  }

  /** Entries holding a persistent-recursive watch; 0 lets triggers skip the ancestor walk. */
  get recursiveWatchCount(): number {
    return this.recursiveCount;
  }

  /**
   * Adds `kind` (one or more WatchKind bits) for the session on `path`.
   * Adding a kind already present changes nothing. False when a limit
   * refuses a new entry (path too long, session or index full).
   */
  add(path: string, sessionId: bigint, kind: number): boolean {
    assert(Number.isInteger(kind) && kind > 0 && kind <= watchKindMask, () => `bad watch kind ${kind}`);
    if (path.length > this.pathLengthMax) return false;
    let sessionIndex = this.sessions.indexOf(sessionId);
    let pathId = this.pathIds.get(path);
    const old = sessionIndex < 0 || pathId === undefined ? 0 : bucketGet(this.buckets[pathId], sessionIndex);
    if ((old | kind) === old) return true;
    if (old === 0) {
      if (this.entryCount >= this.totalMax) return false;
      if (sessionIndex >= 0 && this.sessions.liveCount(sessionIndex) >= this.perSessionMax) return false;
    }
    if (sessionIndex < 0) {
      sessionIndex = this.sessions.intern(sessionId);
      if (sessionIndex < 0) return false;
    }
    pathId ??= this.allocatePath(path);
    this.applyBits(pathId, sessionIndex, old, old | kind);
    return true;
  }

  /** The kind bits the session holds on `path` (0 when none). */
  kindsOf(path: string, sessionId: bigint): number {
    const sessionIndex = this.sessions.indexOf(sessionId);
    const pathId = this.pathIds.get(path);
    return sessionIndex < 0 || pathId === undefined ? 0 : bucketGet(this.buckets[pathId], sessionIndex);
  }

  /**
   * A data-side event on `path` (NodeCreated, NodeDataChanged; NodeDeleted
   * goes through triggerDeleted): ZooKeeper's dataWatches.triggerWatch. Fires
   * every dataWatches entry on `path` (one-shot data/exist, persistent,
   * persistent-recursive) and persistent-recursive entries on every ancestor,
   * each session once; one-shot data watches on `path` are consumed.
   */
  triggerData(path: string, eventType: number, deliver: WatchDeliver = this.defaultDeliver): void {
    const epoch = this.beginTrigger();
    this.fireOnPath(path, dataSideKinds, WatchKind.data, epoch);
    if (this.recursiveCount > 0) this.fireAncestors(path, epoch);
    this.deliverFired(eventType, path, deliver);
  }

  /**
   * A child-side event (NodeChildrenChanged on a parent): ZooKeeper's
   * childWatches.triggerWatch. Fires one-shot child and persistent watches on
   * `path` only; recursive watches never see NodeChildrenChanged.
   */
  triggerChild(path: string, eventType: number, deliver: WatchDeliver = this.defaultDeliver): void {
    const epoch = this.beginTrigger();
    this.fireOnPath(path, childSideKinds, WatchKind.child, epoch);
    this.deliverFired(eventType, path, deliver);
  }

  /**
   * NodeDeleted on `path`, as DataTree.deleteNode: dataWatches first, then
   * childWatches on the same path with the sessions already notified
   * suppressed (WatcherOrBitSet). One-shot child watches of suppressed
   * sessions are still consumed, as in ZooKeeper.
   */
  triggerDeleted(path: string, deliver: WatchDeliver = this.defaultDeliver): void {
    const epoch = this.beginTrigger();
    this.fireOnPath(path, dataSideKinds, WatchKind.data, epoch);
    if (this.recursiveCount > 0) this.fireAncestors(path, epoch);
    this.deliverFired(eventNodeDeleted, path, deliver);
    // Same epoch: a session stamped by the data half is skipped here.
    this.fireOnPath(path, childSideKinds, WatchKind.child, epoch);
    this.deliverFired(eventNodeDeleted, path, deliver);
  }

  /**
   * removeWatches of `type` for the session on `path` (DataTree.removeWatch):
   * true when some watch was removed, false answers NOWATCHER.
   */
  remove(path: string, sessionId: bigint, type: WatcherType): boolean {
    const mask = kindsOfWatcherType(type);
    const sessionIndex = this.sessions.indexOf(sessionId);
    const pathId = this.pathIds.get(path);
    if (sessionIndex < 0 || pathId === undefined) return false;
    const old = bucketGet(this.buckets[pathId], sessionIndex);
    if ((old & mask) === 0) return false;
    const next = old & ~mask;
    this.applyBits(pathId, sessionIndex, old, next);
    // WatchManager.unwatch drops the session from dataWatches.watch2Paths
    // when an explicit removal empties it (a fired watch does not).
    const dataEmptied = (old & dataSideKinds) !== 0 && (next & dataSideKinds) === 0;
    if (dataEmptied && this.sessions.dataCount(sessionIndex) === 0) this.sessions.unlistData(sessionIndex);
    this.releaseIfIdle(sessionIndex);
    return true;
  }

  /** checkWatches of `type` (DataTree.containsWatcher): false answers NOWATCHER. */
  contains(path: string, sessionId: bigint, type: WatcherType): boolean {
    return (this.kindsOf(path, sessionId) & kindsOfWatcherType(type)) !== 0;
  }

  /** Drops every watch of the session (connection closed, session expired): DataTree.removeCnxn. */
  removeSession(sessionId: bigint): void {
    assert(!this.delivering, 'WatchManager re-entered from deliver');
    const sessionIndex = this.sessions.indexOf(sessionId);
    if (sessionIndex < 0) return;
    for (const pathId of this.sessions.rawPaths(sessionIndex)) {
      const bits = bucketGet(this.buckets[pathId], sessionIndex);
      if (bits !== 0) this.applyBits(pathId, sessionIndex, bits, 0);
    }
    this.sessions.release(sessionIndex);
  }

  /**
   * Every watch `sessionId` holds, as (path, WatchKind bits): what a client
   * would re-send with setWatches2 after a reconnect. O(that session's paths).
   */
  watchesOf(sessionId: bigint): { path: string; kinds: number }[] {
    const sessionIndex = this.sessions.indexOf(sessionId);
    if (sessionIndex < 0) return [];
    const watches: { path: string; kinds: number }[] = [];
    for (const pathId of this.sessions.livePaths(sessionIndex, this.isLive)) {
      const kinds = bucketGet(this.buckets[pathId], sessionIndex);
      if (kinds !== 0) watches.push({ path: this.pathStrings[pathId] ?? '', kinds });
    }
    return watches;
  }

  /** wchs: sessions listed in dataWatches, paths with data-side watches, data-side watches. */
  summary(): WatchesSummary {
    let connectionCount = 0;
    for (const sessionId of this.sessions.sessionIds()) {
      if (this.sessions.isDataListed(this.sessions.indexOf(sessionId))) connectionCount++;
    }
    let pathCount = 0;
    for (const pathId of this.pathIds.values()) {
      if (this.bucketHasKinds(pathId, dataSideKinds)) pathCount++;
    }
    return { connectionCount, pathCount, totalWatches: this.dataPairCount };
  }

  /** wchc: per session listed in dataWatches, its data-side paths (possibly none, as ZooKeeper prints). */
  bySession(): Map<bigint, string[]> {
    const report = new Map<bigint, string[]>();
    for (const sessionId of this.sessions.sessionIds()) {
      const sessionIndex = this.sessions.indexOf(sessionId);
      if (!this.sessions.isDataListed(sessionIndex)) continue;
      const paths: string[] = [];
      for (const pathId of this.sessions.livePaths(sessionIndex, this.isLive)) {
        if ((bucketGet(this.buckets[pathId], sessionIndex) & dataSideKinds) !== 0) paths.push(this.pathStrings[pathId] ?? '');
      }
      report.set(sessionId, paths);
    }
    return report;
  }

  /** wchp: per path with data-side watches, the sessions holding them. */
  byPath(): Map<string, bigint[]> {
    const report = new Map<string, bigint[]>();
    for (const [path, pathId] of this.pathIds) {
      const sessionIds: bigint[] = [];
      for (const entry of this.entriesOf(pathId)) {
        if ((entryBits(entry) & dataSideKinds) !== 0) sessionIds.push(this.sessions.idAt(entrySession(entry)));
      }
      if (sessionIds.length > 0) report.set(path, sessionIds);
    }
    return report;
  }

  private entriesOf(pathId: number): number[] {
    const entries: number[] = [];
    const bucket = this.buckets[pathId];
    if (bucket !== undefined) bucketCollect(bucket, entries);
    return entries;
  }

  private bucketHasKinds(pathId: number, kinds: number): boolean {
    return this.entriesOf(pathId).some((entry) => (entryBits(entry) & kinds) !== 0);
  }

  private beginTrigger(): number {
    assert(!this.delivering, 'WatchManager re-entered from deliver');
    if (this.epoch === epochMax) {
      this.sessions.clearStamps();
      this.epoch = 0;
    }
    this.epoch++;
    return this.epoch;
  }

  /**
   * Collects into `fired` every session with a `side` bit on `path` not yet
   * stamped in `epoch`, and clears `oneShot` from every such entry (stamped
   * or not: ZooKeeper consumes suppressed one-shot watches too).
   */
  private fireOnPath(path: string, side: number, oneShot: number, epoch: number): void {
    const pathId = this.pathIds.get(path);
    if (pathId === undefined) return;
    const bucket = this.buckets[pathId];
    if (bucket === undefined) return;
    const entries = this.scratch;
    entries.length = 0;
    bucketCollect(bucket, entries);
    // Entries that stay are compacted to the front of `entries`; the bucket
    // is rebuilt once at the end if any one-shot watch was consumed.
    let keptCount = 0;
    let consumed = false;
    for (const entry of entries) {
      const bits = entryBits(entry);
      const sessionIndex = entrySession(entry);
      const next = (bits & side) === 0 ? bits : bits & ~oneShot;
      if ((bits & side) !== 0 && this.sessions.stamp(sessionIndex, epoch)) {
        this.fired.push(this.sessions.idAt(sessionIndex));
      }
      if (next !== 0) entries[keptCount++] = packEntry(sessionIndex, next);
      if (next !== bits) {
        consumed = true;
        this.account(pathId, sessionIndex, bits, next);
        this.releaseIfIdle(sessionIndex);
      }
    }
    if (consumed) this.setBucket(pathId, bucketFrom(entries, keptCount));
    entries.length = 0;
  }

  /** PathParentIterator past the first path: recursive watches on every ancestor. */
  private fireAncestors(path: string, epoch: number): void {
    let ancestor = path;
    while (ancestor !== '/' && ancestor.length > 0) {
      const cut = ancestor.lastIndexOf('/');
      ancestor = cut <= 0 ? '/' : ancestor.slice(0, cut);
      const pathId = this.pathIds.get(ancestor);
      if (pathId === undefined) continue;
      for (const entry of this.entriesOf(pathId)) {
        if ((entryBits(entry) & WatchKind.persistentRecursive) === 0) continue;
        const sessionIndex = entrySession(entry);
        if (this.sessions.stamp(sessionIndex, epoch)) this.fired.push(this.sessions.idAt(sessionIndex));
      }
    }
  }

  private deliverFired(eventType: number, path: string, deliver: WatchDeliver): void {
    const fired = this.fired;
    if (fired.length === 0) return;
    this.delivering = true;
    try {
      for (const sessionId of fired) deliver(sessionId, eventType, path);
    } finally {
      fired.length = 0;
      this.delivering = false;
    }
  }

  private allocatePath(path: string): number {
    const reused = this.freePathIds.pop();
    const pathId = reused ?? this.pathStrings.length;
    if (reused === undefined) {
      this.pathStrings.push(path);
      this.buckets.push(undefined);
    } else {
      this.pathStrings[pathId] = path;
    }
    this.pathIds.set(path, pathId);
    return pathId;
  }

  /** Changes one entry: bucket, counters and reverse list in step. */
  private applyBits(pathId: number, sessionIndex: number, old: number, next: number): void {
    this.account(pathId, sessionIndex, old, next);
    this.setBucket(pathId, bucketPut(this.buckets[pathId], sessionIndex, next));
  }

  /** The one place counters change when an entry goes from `old` to `next` bits. */
  private account(pathId: number, sessionIndex: number, old: number, next: number): void {
    assert(!this.delivering, 'WatchManager re-entered from deliver');
    const liveDelta = (next !== 0 ? 1 : 0) - (old !== 0 ? 1 : 0);
    const dataDelta = ((next & dataSideKinds) !== 0 ? 1 : 0) - ((old & dataSideKinds) !== 0 ? 1 : 0);
    const childDelta = ((next & childSideKinds) !== 0 ? 1 : 0) - ((old & childSideKinds) !== 0 ? 1 : 0);
    const recursive = WatchKind.persistentRecursive;
    this.recursiveCount += ((next & recursive) !== 0 ? 1 : 0) - ((old & recursive) !== 0 ? 1 : 0);
    this.entryCount += liveDelta;
    this.dataPairCount += dataDelta;
    this.childPairCount += childDelta;
    this.sessions.count(sessionIndex, liveDelta, dataDelta);
    if (liveDelta > 0) this.sessions.appendPath(sessionIndex, pathId, this.isLive);
  }

  private setBucket(pathId: number, bucket: PathBucket | undefined): void {
    this.buckets[pathId] = bucket;
    if (bucket === undefined) this.freePath(pathId);
  }

  private freePath(pathId: number): void {
    const path = this.pathStrings[pathId];
    assert(path !== undefined, () => `no path id ${pathId}`);
    this.pathIds.delete(path);
    this.pathStrings[pathId] = '';
    this.buckets[pathId] = undefined;
    this.freePathIds.push(pathId);
  }

  /** Frees a session slot ZooKeeper would no longer report either. */
  private releaseIfIdle(sessionIndex: number): void {
    if (this.sessions.liveCount(sessionIndex) === 0 && !this.sessions.isDataListed(sessionIndex)) {
      this.sessions.release(sessionIndex);
    }
  }
}

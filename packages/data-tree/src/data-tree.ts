/**
 * The in-memory znode tree and its apply function, following ZooKeeper 3.8's
 * DataTree.processTxn: failures are result codes (never exceptions), a
 * failed multi reports OK for ops before the failing one and
 * RUNTIMEINCONSISTENCY after it, and replaying txns already in a fuzzy
 * snapshot is tolerated (create of an existing node, delete of a missing
 * one, cversion/pzxid only moving forward).
 */
import { ZkCode, assert, unreachable } from '@corral/base';
import type { ACL } from './acl.js';
import { openAclUnsafe, readAclUnsafe } from './acl.js';
import { AclCache } from './acl-cache.js';
import { ownData } from './data-slab.js';
import { Hash64 } from './hash.js';
import { childName, joinPath, parentPath } from './path.js';
import type { Stat, StatPersisted } from './stat.js';
import { containerEphemeralOwner, ephemeralKind, ttlEphemeralOwner } from './stat.js';
import type { MultiTxn, Txn, TxnHeader } from './txn.js';
import { TxnType } from './txn.js';
import type { WatchSink } from './watch-sink.js';
import { EventType, noopWatchSink } from './watch-sink.js';
import type { ZnodeView } from './znode.js';
import { Znode } from './znode.js';

/** What applying one txn did; `results` holds a multi's per-op results. */
export interface ApplyResult {
  /** The txn type applied; inside a failed multi, rolled-back ops become ErrorTxn (-1). */
  readonly type: number;
  /** ZkCode: OK or the failure. For a multi, the first failing op's code. */
  readonly err: number;
  readonly path?: string;
  /** Client-view Stat after create/setData/setACL. */
  readonly stat?: Stat;
  readonly results?: readonly ApplyResult[];
}

/** Construction options of a DataTree. */
export interface DataTreeOptions {
  /** Receives watch events; defaults to dropping them. */
  readonly watchSink?: WatchSink;
  /** Recompute the full digest after every apply and compare (sim and tests). */
  readonly paranoid?: boolean;
  /**
   * Keep the digest up to date on every change (default true). Costs a hash
   * of the node and its parent per write; a server that does not compare
   * digests on the hot path turns it off, and digest() then recomputes.
   */
  readonly incrementalDigest?: boolean;
  /** Start without /, /zookeeper…: used by the snapshot loader only. */
  readonly empty?: boolean;
}

/** Per-apply options. */
export interface ApplyOptions {
  /**
   * Replaying the log over a (fuzzy) snapshot: zxids may be at or below
   * lastProcessedZxid, and the postconditions that only hold for txns prep
   * validated against this very tree are not asserted.
   */
  readonly replay?: boolean;
}

const emptyData = new Uint8Array(0);
const zeroStat: StatPersisted = { czxid: 0n, mzxid: 0n, pzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n };

/** The znode tree. Deterministic: the same txns give the same tree and digest. */
export class DataTree {
  /**
   * Every node in insertion order, which is always parent before child: a
   * node is inserted only while its parent exists, and a parent cannot be
   * removed while it has children. Live: the map may change between steps.
   */
  nodeEntries(): IterableIterator<[string, ZnodeView]> {
    return this.nodes.entries();
  }

  /** Path → node; "/" is the root (ZooKeeper also aliases it as ""). */
  private readonly nodes = new Map<string, Znode>();
  private readonly aclCache = new AclCache();
  private readonly ephemeralPaths = new Map<bigint, Set<string>>();
  /**
   * Replay only: ephemerals a fuzzy snapshot's session owned when its walk
   * began but that the snapshot does not hold (deleted during the walk).
   * A replayed closeSession deletes them too, so their parents' pzxid moves
   * exactly as it did live; a replayed delete of the path forgets them.
   */
  private readonly ghostEphemerals = new Map<bigint, Set<string>>();
  private readonly ghostOwners = new Map<string, bigint>();
  private readonly containerPaths = new Set<string>();
  private readonly ttlPaths = new Set<string>();
  private readonly sessionTimeouts = new Map<bigint, number>();
  private dataSize = 0;
  private digestLow = 0;
  private digestHigh = 0;
  private processedZxid = 0n;
  /** restoreNode's last parent (restoreParent); cleared whenever a node object leaves the map. */
  private lastRestoredParent: { readonly path: string; readonly node: Znode } | null = null;
  private readonly paranoid: boolean;
  private readonly incrementalDigest: boolean;
  /** Where watch events go; the server may swap it after loading. */
  watchSink: WatchSink;

  constructor(options: DataTreeOptions = {}) {
    this.watchSink = options.watchSink ?? noopWatchSink;
    this.paranoid = options.paranoid ?? false;
    this.incrementalDigest = options.incrementalDigest ?? true;
    assert(this.incrementalDigest || !this.paranoid, 'the paranoid check compares the incremental digest');
    if (options.empty !== true) this.addSystemNodes();
  }

  /** The zxid of the last applied txn (never decreases). */
  get lastProcessedZxid(): bigint {
    return this.processedZxid;
  }

  /** Number of znodes, root included. (ZooKeeper's srvr "Node count" is one more: it counts the "" alias.) */
  get nodeCount(): number {
    return this.nodes.size;
  }

  /** DataTree.approximateDataSize: Σ path length + data length, root counted twice as in ZooKeeper. */
  get approximateDataSize(): number {
    return this.dataSize + (this.nodes.get('/')?.dataLength ?? 0);
  }

  /** Number of ephemeral znodes over all sessions. */
  get ephemeralsCount(): number {
    let count = 0;
    for (const paths of this.ephemeralPaths.values()) count += paths.size;
    return count;
  }

  /** A read-only view of the node at `path`. */
  getNode(path: string): ZnodeView | undefined {
    return this.nodes.get(path);
  }

  /** Child names of `path` (a copy), or undefined when it does not exist. */
  getChildren(path: string): string[] | undefined {
    const node = this.nodes.get(path);
    return node === undefined ? undefined : [...node.childNames()];
  }

  /** Client-view Stat of `path` (a fresh object), or undefined. */
  statOf(path: string): Stat | undefined {
    return this.nodes.get(path)?.stat;
  }

  /** Copies the client-view Stat of `path` into `into`; false when it does not exist. */
  copyStat(path: string, into: Stat): boolean {
    const node = this.nodes.get(path);
    if (node === undefined) return false;
    Object.assign(into, node.stat);
    return true;
  }

  /** Ephemeral paths of a session (live set: copy before applying txns while iterating). */
  ephemerals(sessionId: bigint): ReadonlySet<string> {
    return this.ephemeralPaths.get(sessionId) ?? emptySet;
  }

  /** Sessions owning at least one ephemeral. */
  ephemeralSessions(): Iterable<bigint> {
    return this.ephemeralPaths.keys();
  }

  /** getEphemerals request: the session's ephemerals under `prefixPath` ("" or "/" = all), sorted. */
  getEphemerals(sessionId: bigint, prefixPath: string): string[] {
    const all = [...this.ephemerals(sessionId)];
    const matching = prefixPath === '' || prefixPath === '/' ? all : all.filter((path) => path.startsWith(prefixPath));
    return matching.sort();
  }

  /** getAllChildrenNumber: number of descendants of `path`, or undefined when it does not exist. */
  countAllChildren(path: string): number | undefined {
    const node = this.nodes.get(path);
    if (node === undefined) return undefined;
    if (path === '/') return this.nodes.size - 1;
    let count = 0;
    const stack: string[] = [path];
    for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
      for (const name of this.nodes.get(current)?.childNames() ?? []) {
        count++;
        stack.push(joinPath(current, name));
      }
    }
    return count;
  }

  /** Paths of container nodes, for the container manager. */
  containers(): Iterable<string> {
    return this.containerPaths;
  }

  /** Paths of TTL nodes, for the container manager. */
  ttlNodes(): Iterable<string> {
    return this.ttlPaths;
  }

  /** Sessions created and not closed, with their timeouts (ZKDatabase's sessionsWithTimeouts). */
  sessions(): ReadonlyMap<bigint, number> {
    return this.sessionTimeouts;
  }

  /** Every path in the tree (insertion order). */
  paths(): Iterable<string> {
    return this.nodes.keys();
  }

  /** Digest of the whole tree (paths, data, persisted stats, ACLs); order-independent sum, kept incrementally. */
  /** True when digest() is kept up to date on every change (cheap to read). */
  get hasIncrementalDigest(): boolean {
    return this.incrementalDigest;
  }

  digest(): bigint {
    if (!this.incrementalDigest) return this.computeDigest();
    return (BigInt(this.digestHigh) << 32n) | BigInt(this.digestLow);
  }

  /** Recomputes the digest from scratch (the paranoid check). */
  computeDigest(): bigint {
    let low = 0;
    let high = 0;
    for (const [path, node] of this.nodes) {
      const hash = this.nodeHash(path, node);
      low = (low + hash.low()) >>> 0;
      high = (high + hash.high()) >>> 0;
    }
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** Applies one committed txn. Failures are returned as codes; broken invariants throw AssertionError. */
  apply(header: TxnHeader, txn: Txn, options: ApplyOptions = {}): ApplyResult {
    const replay = options.replay === true;
    assert(replay || header.zxid > this.processedZxid, () => `zxid ${header.zxid} not above lastProcessedZxid ${this.processedZxid}`);
    assert(header.type === txn.type, () => `header type ${header.type} differs from txn type ${txn.type}`);
    // The first live txn ends replay: every ghost was consumed by the log, or never will be.
    if (!replay && this.ghostOwners.size > 0) this.forgetGhosts();
    const result = txn.type === TxnType.multi ? this.applyMulti(header, txn, replay) : this.applyOne(header, txn, replay);
    if (header.zxid > this.processedZxid) this.processedZxid = header.zxid;
    if (this.paranoid) assert(this.computeDigest() === this.digest(), 'incremental digest differs from full digest');
    return result;
  }

  private applyOne(header: TxnHeader, txn: Exclude<Txn, MultiTxn>, replay: boolean): ApplyResult {
    switch (txn.type) {
      case TxnType.create: {
        const owner = txn.ephemeral ? header.sessionId : 0n;
        const result = this.createNode(header, { path: txn.path, data: txn.data, acl: txn.acl, owner, parentCVersion: txn.parentCVersion }, replay);
        // processTxn: a create replayed over a snapshot that already holds the node still moves the parent's cversion/pzxid.
        if (result.err === ZkCode.NODEEXISTS) return this.fixParentAfterNodeExists(header, txn.path, txn.parentCVersion, result);
        return result;
      }
      case TxnType.createContainer: {
        const result = this.createNode(header, { path: txn.path, data: txn.data, acl: txn.acl, owner: containerEphemeralOwner, parentCVersion: txn.parentCVersion }, replay);
        // ZooKeeper repairs the parent only for plain creates; a fuzzy snapshot can hold any
        // kind of node created during its walk, so Corral repairs it for every create.
        if (result.err === ZkCode.NODEEXISTS) return this.fixParentAfterNodeExists(header, txn.path, txn.parentCVersion, result);
        return result;
      }
      case TxnType.createTTL: {
        const owner = ttlEphemeralOwner(txn.ttl);
        assert(owner !== undefined, () => `TTL out of range in txn: ${txn.ttl}`);
        const result = this.createNode(header, { path: txn.path, data: txn.data, acl: txn.acl, owner, parentCVersion: txn.parentCVersion }, replay);
        if (result.err === ZkCode.NODEEXISTS) return this.fixParentAfterNodeExists(header, txn.path, txn.parentCVersion, result);
        return result;
      }
      case TxnType.delete:
      case TxnType.deleteContainer:
        return { type: txn.type, err: this.deleteNode(txn.path, header.zxid, replay), path: txn.path };
      case TxnType.setData:
        return this.setData(header, txn.path, txn.data, txn.version);
      case TxnType.setACL:
        return this.setAcl(txn.path, txn.acl, txn.version);
      case TxnType.check:
        return { type: txn.type, err: ZkCode.OK, path: txn.path };
      case TxnType.createSession:
        this.sessionTimeouts.set(header.sessionId, txn.timeOut);
        return { type: txn.type, err: ZkCode.OK };
      case TxnType.closeSession:
        this.killSession(header.sessionId, header.zxid, txn.paths2Delete);
        return { type: txn.type, err: ZkCode.OK };
      case TxnType.error:
        return { type: txn.type, err: txn.err };
      default:
        return unreachable(txn, 'txn type');
    }
  }

  /**
   * processTxn's multi: if any op is an ErrorTxn the whole multi failed, and
   * every non-error op is applied as ErrorTxn(OK) before the first error and
   * ErrorTxn(RUNTIMEINCONSISTENCY) after it. The multi's err is the first
   * non-zero op err.
   */
  private applyMulti(header: TxnHeader, txn: MultiTxn, replay: boolean): ApplyResult {
    const failed = txn.txns.some((op) => op.type === TxnType.error);
    let postFailed = false;
    let err: number = ZkCode.OK;
    const results: ApplyResult[] = [];
    for (const op of txn.txns) {
      let result: ApplyResult;
      if (op.type === TxnType.error) {
        postFailed = true;
        result = { type: TxnType.error, err: op.err };
      } else if (failed) {
        result = { type: TxnType.error, err: postFailed ? ZkCode.RUNTIMEINCONSISTENCY : ZkCode.OK };
      } else {
        result = this.applyOne({ ...header, type: op.type }, op, replay);
      }
      results.push(result);
      if (result.err !== ZkCode.OK && err === ZkCode.OK) err = result.err;
    }
    return { type: TxnType.multi, err, results };
  }

  private createNode(
    header: TxnHeader,
    create: { path: string; data: Uint8Array | null; acl: readonly ACL[]; owner: bigint; parentCVersion: number },
    replay: boolean,
  ): ApplyResult {
    const { path } = create;
    const type = header.type;
    const parentName = parentPath(path);
    const name = childName(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) return { type, err: ZkCode.NONODE, path };
    if (parent.children?.has(name) === true) return { type, err: ZkCode.NODEEXISTS, path };
    // A node in the map but not linked from its parent is an orphan left by
    // replaying a delete over a fuzzy snapshot; ZooKeeper 3.8 overwrites it.
    const orphan = this.nodes.get(path);
    if (orphan !== undefined) this.forgetNode(path, orphan);

    this.unhash(parentName, parent);
    const newCVersion = create.parentCVersion === -1 ? parent.cversion + 1 : create.parentCVersion;
    if (newCVersion > parent.cversion) {
      parent.cversion = newCVersion;
      parent.pzxid = header.zxid;
    }
    parent.addChild(name);
    this.rehash(parentName, parent);
    assert(replay || (parent.cversion === newCVersion && parent.pzxid === header.zxid), () => `parent cversion/pzxid not advanced by create ${path}`);

    const zxid = header.zxid;
    const stat: StatPersisted = { czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: header.time, mtime: header.time, version: 0, cversion: 0, aversion: 0, ephemeralOwner: create.owner };
    const node = new Znode(ownData(create.data), this.aclCache.acquire(create.acl), stat);
    this.linkNode(path, node);
    this.watchSink.triggerData(path, EventType.NodeCreated, node.acl);
    this.watchSink.triggerChild(parentName, EventType.NodeChildrenChanged, parent.acl);
    return { type, err: ZkCode.OK, path, stat: node.stat };
  }

  /** DataTree.setCversionPzxid after a NODEEXISTS create. */
  private fixParentAfterNodeExists(header: TxnHeader, path: string, parentCVersion: number, result: ApplyResult): ApplyResult {
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) return { ...result, err: ZkCode.NONODE };
    const newCVersion = parentCVersion === -1 ? parent.cversion + 1 : parentCVersion;
    if (newCVersion > parent.cversion) {
      this.unhash(parentName, parent);
      parent.cversion = newCVersion;
      parent.pzxid = header.zxid;
      this.rehash(parentName, parent);
    }
    return result;
  }

  /** Adds a fully built node to the map and the indexes (create and snapshot load). */
  private linkNode(path: string, node: Znode): void {
    this.nodes.set(path, node);
    this.dataSize += path.length + node.dataLength;
    this.rehash(path, node);
    const kind = ephemeralKind(node.ephemeralOwner);
    if (kind === 'container') {
      this.containerPaths.add(path);
    } else if (kind === 'ttl') {
      this.ttlPaths.add(path);
    } else if (kind === 'ephemeral') {
      let paths = this.ephemeralPaths.get(node.ephemeralOwner);
      if (paths === undefined) {
        paths = new Set();
        this.ephemeralPaths.set(node.ephemeralOwner, paths);
      }
      paths.add(path);
    }
  }

  /** Removes a node from the map and every index (not from its parent). */
  private forgetNode(path: string, node: Znode): void {
    // The node object goes (a re-created node gets a new one): the parent kept for restoreNode may be it.
    this.lastRestoredParent = null;
    this.unhash(path, node);
    this.nodes.delete(path);
    this.aclCache.release(node.acl);
    this.dataSize -= path.length + node.dataLength;
    const kind = ephemeralKind(node.ephemeralOwner);
    if (kind === 'container') {
      this.containerPaths.delete(path);
    } else if (kind === 'ttl') {
      this.ttlPaths.delete(path);
    } else if (kind === 'ephemeral') {
      const paths = this.ephemeralPaths.get(node.ephemeralOwner);
      paths?.delete(path);
      if (paths?.size === 0) this.ephemeralPaths.delete(node.ephemeralOwner);
    }
  }

  /**
   * DataTree.deleteNode: the parent's pzxid moves forward (only) even when
   * the child is already gone, so a replayed delete still records its zxid.
   * The persisted cversion is not touched: it counts creates.
   */
  private deleteNode(path: string, zxid: bigint, replay: boolean): ZkCode {
    if (this.ghostOwners.size > 0) this.forgetGhost(path);
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) return ZkCode.NONODE;
    this.unhash(parentName, parent);
    parent.removeChild(childName(path));
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    this.rehash(parentName, parent);

    const node = this.nodes.get(path);
    if (node === undefined) return ZkCode.NONODE;
    assert(replay || node.children === undefined, () => `delete of ${path} which has children`);
    this.forgetNode(path, node);
    this.watchSink.triggerDeleted(path, node.acl);
    this.watchSink.triggerChild(parentName, EventType.NodeChildrenChanged, parent.acl);
    return ZkCode.OK;
  }

  private setData(header: TxnHeader, path: string, data: Uint8Array | null, version: number): ApplyResult {
    const node = this.nodes.get(path);
    if (node === undefined) return { type: TxnType.setData, err: ZkCode.NONODE, path };
    this.unhash(path, node);
    this.dataSize -= node.dataLength;
    node.data = ownData(data);
    this.dataSize += node.dataLength;
    node.mtime = header.time;
    node.mzxid = header.zxid;
    node.version = version;
    this.rehash(path, node);
    this.watchSink.triggerData(path, EventType.NodeDataChanged, node.acl);
    return { type: TxnType.setData, err: ZkCode.OK, path, stat: node.stat };
  }

  private setAcl(path: string, acl: readonly ACL[], version: number): ApplyResult {
    const node = this.nodes.get(path);
    if (node === undefined) return { type: TxnType.setACL, err: ZkCode.NONODE, path };
    this.unhash(path, node);
    const old = node.acl;
    node.acl = this.aclCache.acquire(acl);
    this.aclCache.release(old);
    node.aversion = version;
    this.rehash(path, node);
    return { type: TxnType.setACL, err: ZkCode.OK, path, stat: node.stat };
  }

  /**
   * DataTree.killSession: deletes every ephemeral of the session in
   * creation order (czxid, then path: a multi creates several at one zxid),
   * so that every replica and every replay fires the same events in the
   * same order, and as Corral did when the txn listed them. The paths come from the ephemeral index (plus, during
   * replay, the snapshot's ghosts), not from the txn: a close txn does not
   * grow with the session's ephemerals. paths2Delete of older logs is still
   * honoured for the paths that are this session's ephemerals or already
   * gone (deleting one only moves its parent's pzxid); a listed path that is
   * another session's or persistent is not the session's to delete (only a
   * hand-made or corrupt txn lists one: found by the model test, seed 948282397).
   */
  private killSession(sessionId: bigint, zxid: bigint, paths2Delete: readonly string[] | undefined): void {
    this.sessionTimeouts.delete(sessionId);
    const paths = new Set<string>();
    for (const path of paths2Delete ?? []) if ((this.nodes.get(path)?.ephemeralOwner ?? sessionId) === sessionId) paths.add(path);
    for (const path of this.ephemeralPaths.get(sessionId) ?? emptySet) paths.add(path);
    for (const path of this.ghostEphemerals.get(sessionId) ?? emptySet) paths.add(path);
    for (const path of this.inCreationOrder(paths)) this.deleteNode(path, zxid, true);
    assert(!this.ephemeralPaths.has(sessionId), 'a closed session owns no ephemerals');
  }

  /** Paths sorted by their node's czxid, then by path; a path without a node (a ghost) first. */
  private inCreationOrder(paths: Iterable<string>): string[] {
    const keyed = [...paths].map((path) => ({ path, czxid: this.nodes.get(path)?.czxid ?? -1n }));
    keyed.sort((a, b) => (a.czxid < b.czxid ? -1 : a.czxid > b.czxid ? 1 : comparePaths(a.path, b.path)));
    return keyed.map((entry) => entry.path);
  }

  /**
   * Snapshot loading: `path` was an ephemeral of `sessionId` when the
   * snapshot's walk began. If the snapshot no longer holds it as such, it
   * was deleted during the walk, and replaying the log must know it (see
   * ghostEphemerals).
   */
  restoreEphemeralAtStart(sessionId: bigint, path: string): void {
    if (this.nodes.get(path)?.ephemeralOwner === sessionId) return;
    this.forgetGhost(path);
    let paths = this.ghostEphemerals.get(sessionId);
    if (paths === undefined) {
      paths = new Set();
      this.ghostEphemerals.set(sessionId, paths);
    }
    paths.add(path);
    this.ghostOwners.set(path, sessionId);
  }

  private forgetGhost(path: string): void {
    const owner = this.ghostOwners.get(path);
    if (owner === undefined) return;
    this.ghostOwners.delete(path);
    const paths = this.ghostEphemerals.get(owner);
    paths?.delete(path);
    if (paths?.size === 0) this.ghostEphemerals.delete(owner);
  }

  private forgetGhosts(): void {
    this.ghostOwners.clear();
    this.ghostEphemerals.clear();
  }

  private nodeHash(path: string, node: Znode): Hash64 {
    const acl = this.aclCache.hashOf(node.acl);
    return new Hash64()
      .string(path)
      .bytes(node.data)
      .bigint(node.czxid)
      .bigint(node.mzxid)
      .bigint(node.pzxid)
      .time(node.ctime)
      .time(node.mtime)
      .int(node.version)
      .int(node.cversion)
      .int(node.aversion)
      .bigint(node.ephemeralOwner)
      .int(acl.low)
      .int(acl.high);
  }

  private unhash(path: string, node: Znode): void {
    if (!this.incrementalDigest) return;
    const hash = this.nodeHash(path, node);
    this.digestLow = (this.digestLow - hash.low()) >>> 0;
    this.digestHigh = (this.digestHigh - hash.high()) >>> 0;
  }

  private rehash(path: string, node: Znode): void {
    if (!this.incrementalDigest) return;
    const hash = this.nodeHash(path, node);
    this.digestLow = (this.digestLow + hash.low()) >>> 0;
    this.digestHigh = (this.digestHigh + hash.high()) >>> 0;
  }

  /** /, /zookeeper, /zookeeper/quota and /zookeeper/config with zero stats, as a fresh Apache 3.8 server. */
  private addSystemNodes(): void {
    this.linkNode('/', new Znode(emptyData, this.aclCache.acquire(openAclUnsafe), zeroStat));
    this.restoreNode('/zookeeper', emptyData, openAclUnsafe, zeroStat);
    this.restoreNode('/zookeeper/quota', emptyData, openAclUnsafe, zeroStat);
    // addConfigNode: setACL(READ_ACL_UNSAFE, version -1) leaves aversion -1.
    this.restoreNode('/zookeeper/config', emptyData, readAclUnsafe, { ...zeroStat, aversion: -1 });
  }

  /**
   * Adds a node with a given persisted stat under an existing parent without
   * touching the parent's stat or firing watches: system nodes and snapshot
   * loading, on a tree that has applied no txn yet. Returns false if the
   * parent is missing.
   */
  restoreNode(path: string, data: Uint8Array | null, acl: readonly ACL[], stat: Readonly<StatPersisted>): boolean {
    // Orphans (a node in the map its parent does not list) come only from
    // replaying txns; before any, every node is listed by its parent, so a
    // name new to the parent is a path new to the map and needs no lookup.
    assert(this.processedZxid === 0n, 'restoreNode builds a tree that has applied no txn');
    if (path === '/') {
      this.restoreOver('/', data, acl, stat);
      return true;
    }
    const slash = path.lastIndexOf('/');
    const parent = this.restoreParent(path, slash);
    if (parent === undefined) return false;
    // Child names are not part of a node's hash, so the parent's digest term is unchanged.
    if (parent.addChildIfAbsent(path.slice(slash + 1))) {
      this.linkNode(path, new Znode(ownData(data), this.aclCache.acquire(acl), stat));
    } else {
      this.restoreOver(path, data, acl, stat);
    }
    return true;
  }

  /**
   * Restores a node that may already exist. A fuzzy snapshot walks the node
   * map in insertion order: a node deleted and re-created during the walk is
   * written twice. The later record wins; its old children are removed by
   * replaying the log after it.
   */
  private restoreOver(path: string, data: Uint8Array | null, acl: readonly ACL[], stat: Readonly<StatPersisted>): void {
    const existing = this.nodes.get(path);
    const node = new Znode(ownData(data), this.aclCache.acquire(acl), stat);
    if (existing !== undefined) {
      this.forgetNode(path, existing);
      node.children = existing.children;
    }
    this.linkNode(path, node);
  }

  /**
   * The parent of `path` (its last '/' at `slash`). A snapshot lists
   * siblings one after another, so the last parent found is kept: no
   * substring and no map lookup for each of its children.
   */
  private restoreParent(path: string, slash: number): Znode | undefined {
    const last = this.lastRestoredParent;
    if (last !== null && (slash === 0 ? last.path === '/' : slash === last.path.length && path.startsWith(last.path))) return last.node;
    const parentName = slash <= 0 ? '/' : path.slice(0, slash);
    const parent = this.nodes.get(parentName);
    this.lastRestoredParent = parent === undefined ? null : { path: parentName, node: parent };
    return parent;
  }

  /** Sets lastProcessedZxid and the session table when loading a snapshot. */
  restoreMeta(zxid: bigint, sessions: ReadonlyMap<bigint, number>): void {
    assert(this.processedZxid === 0n, 'restoreMeta on a tree that already applied txns');
    this.processedZxid = zxid;
    for (const [sessionId, timeOut] of sessions) this.sessionTimeouts.set(sessionId, timeOut);
  }
}

const emptySet: ReadonlySet<string> = new Set();

/** A total order on paths (UTF-16 code units), the same on every replica. */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The tree keeps its own copy of data: txn data is often a view into a
 * larger network or log buffer, which would otherwise stay alive.
 */


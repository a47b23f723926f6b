/**
 * The prep stage (ZooKeeper's PrepRequestProcessor): turns a write request
 * into a deterministic txn, validated against the tree plus the outstanding
 * changes of writes prepared before it. Failures become ErrorTxns: they
 * consume a zxid and are logged, exactly as ZooKeeper does, so every
 * replica sees the same sequence.
 */
import { ZkCode, ZkError, type Zxid } from '@corral/base';
import {
  aclProblem, dataBytesMax, pathBytesMax, checkAcl, containerEphemeralOwner, ephemeralKind, fixupAcl, sequentialName, ttlEphemeralOwner, ttlMaxMs, txnProblem,
  utf8Fits, validatePath, Perms,
  type ACL, type DataTree, type Id, type MultiSubTxn, type StatPersisted, type Txn, type TxnHeader,
} from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import { ChangeRecords, createModeFromFlag, type ChangeRecord } from '@corral/replica';

/** Who is asking: the session and its authenticated ids. */
export interface PrepContext {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly authIds: readonly Id[];
}

/** A write turned into a txn, ready for the log. */
export interface PreparedTxn {
  readonly header: TxnHeader;
  readonly txn: Txn;
}

const emptyData = new Uint8Array(0);
const specialPaths = new Set(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']);

function fail(code: ZkCode, path?: string): never {
  throw new ZkError(code, path === undefined ? {} : { path });
}

/** The largest persisted cversion: one more create would wrap it, which apply cannot take. */
const cversionMax = 0x7fffffff;

/** A copy of `stat` with some fields changed, built as one literal (no spreads on the hot path). */
function statWith(stat: StatPersisted, changes: Partial<StatPersisted>): StatPersisted {
  return {
    czxid: stat.czxid,
    mzxid: changes.mzxid ?? stat.mzxid,
    ctime: stat.ctime,
    mtime: changes.mtime ?? stat.mtime,
    version: changes.version ?? stat.version,
    cversion: changes.cversion ?? stat.cversion,
    aversion: changes.aversion ?? stat.aversion,
    ephemeralOwner: stat.ephemeralOwner,
    pzxid: changes.pzxid ?? stat.pzxid,
  };
}

function parentOf(path: string): string {
  const lastSlash = path.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash);
}

function checkAndIncVersion(current: number, expected: number, path: string): number {
  if (expected !== -1 && expected !== current) fail(ZkCode.BADVERSION, path);
  // ZOOKEEPER-4743: skip -1 when wrapping from Integer.MIN_VALUE.
  const next = (current + 1) | 0;
  return next === -1 ? 0 : next;
}

/** Prepares writes against the tree plus outstanding changes. */
export class Prep {
  readonly changes = new ChangeRecords();
  private readonly tree: DataTree;
  private readonly extendedTypesEnabled: boolean;

  constructor(options: { tree: DataTree; extendedTypesEnabled: boolean }) {
    this.tree = options.tree;
    this.extendedTypesEnabled = options.extendedTypesEnabled;
  }

  /**
   * Builds the txn of one client write; a KeeperException becomes an
   * ErrorTxn. deleteContainer is the server's own (ContainerManager) and a
   * client's is refused as ZooKeeper 3.8 answers it: BADARGUMENTS.
   */
  prepare(context: PrepContext, request: ClientRequest, zxid: Zxid, timeMs: number): PreparedTxn {
    if (request.type === OpCode.deleteContainer) {
      const header: TxnHeader = { sessionId: context.sessionId, cxid: context.cxid, zxid, time: timeMs, type: OpCode.error };
      return { header, txn: { type: OpCode.error, err: ZkCode.BADARGUMENTS } };
    }
    return this.prepareOne(context, request, zxid, timeMs);
  }

  /** The deleteContainer txn of the server's container manager, checked like any write. */
  prepareDeleteContainer(path: string, zxid: Zxid, timeMs: number): PreparedTxn {
    const context: PrepContext = { sessionId: 0n, cxid: 0, authIds: [] };
    return this.prepareOne(context, { type: OpCode.deleteContainer, path, version: -1 }, zxid, timeMs);
  }

  private prepareOne(context: PrepContext, request: ClientRequest, zxid: Zxid, timeMs: number): PreparedTxn {
    const type = request.type === OpCode.create2 ? OpCode.create : request.type;
    const header: TxnHeader = { sessionId: context.sessionId, cxid: context.cxid, zxid, time: timeMs, type };
    if (request.type === OpCode.multi) return { header, txn: this.prepareMulti(context, request.ops, header) };
    const saved = this.changes.save('path' in request ? [request.path, parentOf(request.path)] : []);
    try {
      return { header, txn: this.toTxn(context, request, header) };
    } catch (error) {
      if (!(error instanceof ZkError)) throw error;
      this.changes.rollback(zxid, saved);
      return { header: { ...header, type: OpCode.error }, txn: { type: OpCode.error, err: error.code } };
    }
  }

  /** Every op of a multi shares one zxid; the first failure rolls back the rest. */
  private prepareMulti(context: PrepContext, ops: readonly ClientRequest[], header: TxnHeader): Txn {
    const touched: string[] = [];
    for (const op of ops) {
      if ('path' in op) touched.push(op.path, parentOf(op.path));
    }
    const saved = this.changes.save(touched);
    const txns: MultiSubTxn[] = [];
    let failed = false;
    for (const op of ops) {
      if (failed) {
        txns.push({ type: OpCode.error, err: ZkCode.RUNTIMEINCONSISTENCY });
        continue;
      }
      try {
        txns.push(this.toTxn(context, op, header) as MultiSubTxn);
      } catch (error) {
        if (!(error instanceof ZkError)) throw error;
        failed = true;
        txns.push({ type: OpCode.error, err: error.code });
        this.changes.rollback(header.zxid, saved);
      }
    }
    return { type: OpCode.multi, txns };
  }

  /**
   * The txn of one op. What it returns has passed txnProblem: every txn prep
   * emits is one the log can store, decodeTxn can read back and apply takes
   * without an assertion, whatever the client sent. The op methods check
   * each field first, with ZooKeeper's error codes; the final check catches
   * anything they miss, as BADARGUMENTS (the caller rolls back the changes).
   */
  private toTxn(context: PrepContext, request: ClientRequest, header: TxnHeader): Txn {
    const txn = this.opTxn(context, request, header);
    if (txnProblem(txn) !== null) fail(ZkCode.BADARGUMENTS, 'path' in request ? request.path : undefined);
    return txn;
  }

  private opTxn(context: PrepContext, request: ClientRequest, header: TxnHeader): Txn {
    if ('path' in request && !utf8Fits(request.path, pathBytesMax)) fail(ZkCode.BADARGUMENTS);
    switch (request.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        return this.create(context, request.type, request.path, request.data, request.acl, request.flags, -1n, header);
      case OpCode.createTTL:
        return this.create(context, request.type, request.path, request.data, request.acl, request.flags, request.ttl, header);
      case OpCode.delete:
        return this.delete(context, request.path, request.version, header);
      case OpCode.deleteContainer:
        return this.deleteContainer(request.path, header);
      case OpCode.setData:
        return this.setData(context, request.path, request.data, request.version, header);
      case OpCode.setACL:
        return this.setAcl(context, request.path, request.acl, request.version, header);
      case OpCode.check:
        return this.check(context, request.path, request.version);
      case OpCode.reconfig:
        // Standalone, with reconfigEnabled=false: ZooKeeper checks this first.
        return fail(ZkCode.RECONFIGDISABLED);
      default:
        // Read ops inside a multi (ZooKeeper rejects mixing: MultiOperationRecord decode fails).
        return fail(ZkCode.BADARGUMENTS);
    }
  }

  /** The would-be state of `path` (ZooKeeper's getRecordForPath); NONODE if absent. */
  recordFor(path: string): ChangeRecord {
    const outstanding = this.changes.get(path);
    if (outstanding !== undefined) {
      if (outstanding.stat === null) fail(ZkCode.NONODE, path);
      return outstanding;
    }
    const node = this.tree.getNode(path);
    if (node === undefined) return fail(ZkCode.NONODE, path);
    const stat: StatPersisted = {
      czxid: node.czxid, mzxid: node.mzxid, ctime: node.ctime, mtime: node.mtime, version: node.version,
      cversion: node.cversion, aversion: node.aversion, ephemeralOwner: node.ephemeralOwner, pzxid: node.pzxid,
    };
    return { zxid: -1n, path, stat, childCount: node.childCount, acl: node.acl, data: node.data };
  }

  private checkAcl(acl: readonly ACL[], perm: number, context: PrepContext, path: string): void {
    if (!checkAcl(acl, perm, context.authIds)) fail(ZkCode.NOAUTH, path);
  }

  private validatePath(path: string, sequential = false): void {
    if (validatePath(path, sequential) !== null) fail(ZkCode.BADARGUMENTS, path);
  }

  private parentForWrite(path: string): string {
    if (path.lastIndexOf('/') < 0 || path.includes('\0') || specialPaths.has(path)) fail(ZkCode.BADARGUMENTS, path);
    return parentOf(path);
  }

  private create(
    context: PrepContext, type: number, requestedPath: string, data: Uint8Array | null, acl: readonly ACL[],
    flags: number, ttl: bigint, header: TxnHeader,
  ): Txn {
    const mode = createModeFromFlag(flags);
    if (mode === undefined) return fail(ZkCode.BADARGUMENTS, requestedPath);
    if (mode.ttl && !this.extendedTypesEnabled) fail(ZkCode.UNIMPLEMENTED, requestedPath);
    if (mode.ttl ? ttl <= 0n || ttl > ttlMaxMs : ttl >= 0n) fail(ZkCode.BADARGUMENTS, requestedPath);
    // ZooKeeper 3.8 logs a createTTL with a non-TTL mode and a negative TTL, then
    // dies applying it, on every restart: its TTL is checked only for TTL modes.
    if (type === OpCode.createTTL && !mode.ttl) fail(ZkCode.BADARGUMENTS, requestedPath);
    if (data !== null && data.length > dataBytesMax) fail(ZkCode.BADARGUMENTS, requestedPath);
    if (requestedPath.lastIndexOf('/') < 0 || requestedPath.includes('\0')) fail(ZkCode.BADARGUMENTS, requestedPath);
    const parentPath = parentOf(requestedPath);
    const fixed = fixupAcl(acl, context.authIds);
    if (fixed.code !== ZkCode.OK) fail(fixed.code, requestedPath);
    if (aclProblem(fixed.acl) !== null) fail(ZkCode.INVALIDACL, requestedPath);
    const parent = this.recordFor(parentPath);
    this.checkAcl(parent.acl, Perms.CREATE, context, requestedPath);
    const parentStat = parent.stat as StatPersisted;
    if (parentStat.cversion >= cversionMax) fail(ZkCode.BADARGUMENTS, requestedPath);
    const path = mode.sequential ? sequentialName(requestedPath, parentStat.cversion) : requestedPath;
    this.validatePath(path);
    // The sequence suffix may take a path at the limit over it.
    if (!utf8Fits(path, pathBytesMax)) fail(ZkCode.BADARGUMENTS, requestedPath);
    const existing = this.changes.get(path);
    if (existing !== undefined ? existing.stat !== null : this.tree.getNode(path) !== undefined) fail(ZkCode.NODEEXISTS, path);
    if (ephemeralKind(parentStat.ephemeralOwner) === 'ephemeral') {
      fail(ZkCode.NOCHILDRENFOREPHEMERALS, path);
    }
    const parentCVersion = parentStat.cversion + 1;
    const ephemeralOwner = mode.container ? containerEphemeralOwner
      : mode.ttl ? (ttlEphemeralOwner(ttl) ?? 0n)
      : mode.ephemeral ? context.sessionId : 0n;
    const zxid = header.zxid;
    this.changes.add({
      zxid, path: parent.path, childCount: parent.childCount + 1, acl: parent.acl, data: parent.data,
      stat: statWith(parentStat, { cversion: parentCVersion, pzxid: zxid }),
    });
    const stat: StatPersisted = {
      czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: header.time, mtime: header.time, version: 0, cversion: 0,
      aversion: 0, ephemeralOwner,
    };
    this.changes.add({ zxid, path, stat, childCount: 0, acl: fixed.acl, data });
    if (type === OpCode.createContainer) return { type: OpCode.createContainer, path, data, acl: fixed.acl, parentCVersion };
    if (type === OpCode.createTTL) return { type: OpCode.createTTL, path, data, acl: fixed.acl, parentCVersion, ttl };
    return { type: OpCode.create, path, data, acl: fixed.acl, ephemeral: mode.ephemeral, parentCVersion };
  }

  private delete(context: PrepContext, path: string, version: number, header: TxnHeader): Txn {
    // getParentPathAndValidate: an invalid path is BADARGUMENTS, not NONODE.
    this.validatePath(path);
    const parentPath = this.parentForWrite(path);
    const parent = this.recordFor(parentPath);
    this.checkAcl(parent.acl, Perms.DELETE, context, path);
    const node = this.recordFor(path);
    checkAndIncVersion((node.stat as StatPersisted).version, version, path);
    if (node.childCount > 0) fail(ZkCode.NOTEMPTY, path);
    this.removeRecords(parent, path, header.zxid);
    return { type: OpCode.delete, path };
  }

  private deleteContainer(path: string, header: TxnHeader): Txn {
    const parentPath = this.parentForWrite(path);
    const node = this.recordFor(path);
    if (node.childCount > 0) fail(ZkCode.NOTEMPTY, path);
    if (ephemeralKind((node.stat as StatPersisted).ephemeralOwner) === 'ephemeral') fail(ZkCode.BADVERSION, path);
    const parent = this.recordFor(parentPath);
    this.removeRecords(parent, path, header.zxid);
    return { type: OpCode.deleteContainer, path };
  }

  private removeRecords(parent: ChangeRecord, path: string, zxid: Zxid): void {
    this.changes.add({
      zxid, path: parent.path, childCount: parent.childCount - 1, acl: parent.acl, data: parent.data,
      stat: statWith(parent.stat as StatPersisted, { pzxid: zxid }),
    });
    this.changes.add({ zxid, path, stat: null, childCount: 0, acl: [], data: emptyData });
  }

  private setData(context: PrepContext, path: string, data: Uint8Array | null, version: number, header: TxnHeader): Txn {
    this.validatePath(path);
    if (data !== null && data.length > dataBytesMax) fail(ZkCode.BADARGUMENTS, path);
    const node = this.recordFor(path);
    this.checkAcl(node.acl, Perms.WRITE, context, path);
    const stat = node.stat as StatPersisted;
    const newVersion = checkAndIncVersion(stat.version, version, path);
    this.changes.add({
      zxid: header.zxid, path: node.path, childCount: node.childCount, acl: node.acl, data,
      stat: statWith(stat, { version: newVersion, mtime: header.time, mzxid: header.zxid }),
    });
    return { type: OpCode.setData, path, data, version: newVersion };
  }

  private setAcl(context: PrepContext, path: string, acl: readonly ACL[], version: number, header: TxnHeader): Txn {
    this.validatePath(path);
    const fixed = fixupAcl(acl, context.authIds);
    if (fixed.code !== ZkCode.OK) fail(fixed.code, path);
    if (aclProblem(fixed.acl) !== null) fail(ZkCode.INVALIDACL, path);
    const node = this.recordFor(path);
    this.checkAcl(node.acl, Perms.ADMIN, context, path);
    const stat = node.stat as StatPersisted;
    const newVersion = checkAndIncVersion(stat.aversion, version, path);
    this.changes.add({
      zxid: header.zxid, path: node.path, childCount: node.childCount, acl: fixed.acl, data: node.data,
      stat: statWith(stat, { aversion: newVersion }),
    });
    return { type: OpCode.setACL, path, acl: fixed.acl, version: newVersion };
  }

  private check(context: PrepContext, path: string, version: number): Txn {
    this.validatePath(path);
    const node = this.recordFor(path);
    this.checkAcl(node.acl, Perms.READ, context, path);
    return { type: OpCode.check, path, version: checkAndIncVersion((node.stat as StatPersisted).version, version, path) };
  }

  /**
   * Marks the ephemerals a closing session owns, counting outstanding
   * changes, as deleted at `zxid` (PrepRequestProcessor closeSession), so
   * writes prepared after it see them gone. The close txn itself does not
   * list them: apply finds the same set in the tree's ephemeral index.
   */
  ephemeralsToDelete(sessionId: bigint, zxid: Zxid): void {
    const paths = new Set(this.tree.ephemerals(sessionId));
    this.changes.forEach((record) => {
      if (record.stat === null) paths.delete(record.path);
      else if (record.stat.ephemeralOwner === sessionId) paths.add(record.path);
    });
    for (const path of paths) this.changes.add({ zxid, path, stat: null, childCount: 0, acl: [], data: emptyData });
  }
}

/**
 * Reads, answered from the applied tree (ZooKeeper's FinalRequestProcessor
 * read cases): ACL checks exactly where ZooKeeper makes them, so exists and
 * getACL leak nothing about protected nodes, and watches set as it sets them.
 */
import { ZkCode } from '@corral/base';
import { checkAcl, isWatcherType, Perms, WatchKind, watchKindOfAddWatchMode, type ACL, type DataTree, type Id, type WatchManager } from '@corral/data-tree';
import { OpCode, type ClientRequest, type ClientResponse, type MultiResult } from '@corral/wire';

/** The outcome of a read: an error code, or a response body. */
export interface ReadOutcome {
  readonly err: number;
  readonly response: ClientResponse | null;
}

/** What a read needs to know about who asks. */
export interface ReadContext {
  readonly sessionId: bigint;
  readonly authIds: readonly Id[];
}

/**
 * The node a read looks up: ZooKeeper's DataTree also holds the root under
 * "" (its parent-of-"/a" name), so exists, getData, getChildren, getACL and
 * getAllChildrenNumber of "" answer for the root. A watch stays on the path
 * as given, as ZooKeeper registers it.
 */
function lookupPath(path: string): string {
  return path === '' ? '/' : path;
}

const ok = (response: ClientResponse | null): ReadOutcome => ({ err: ZkCode.OK, response });
const error = (err: number): ReadOutcome => ({ err, response: null });

function maskDigests(acl: readonly ACL[]): ACL[] {
  return acl.map((entry) => entry.id.scheme === 'digest'
    ? { perms: entry.perms, id: { scheme: 'digest', id: entry.id.id.replace(/:.*/s, ':x') } }
    : entry);
}

/** Executes one read against the tree. */
export class ReadOps {
  private readonly tree: DataTree;
  private readonly watches: WatchManager;

  constructor(options: { tree: DataTree; watches: WatchManager }) {
    this.tree = options.tree;
    this.watches = options.watches;
  }

  execute(context: ReadContext, request: ClientRequest): ReadOutcome {
    switch (request.type) {
      case OpCode.exists: return this.exists(context, request.path, request.watch);
      case OpCode.getData: return this.getData(context, request.path, request.watch);
      case OpCode.getChildren: return this.getChildren(context, request.path, request.watch, false);
      case OpCode.getChildren2: return this.getChildren(context, request.path, request.watch, true);
      case OpCode.getACL: return this.getAcl(context, request.path);
      case OpCode.getAllChildrenNumber: return this.allChildrenNumber(context, request.path);
      case OpCode.getEphemerals: return this.ephemerals(context, request.prefixPath);
      case OpCode.sync: return ok({ type: OpCode.sync, path: request.path });
      case OpCode.multiRead: return ok({ type: OpCode.multiRead, results: request.ops.map((op) => this.multiReadOp(context, op)) });
      case OpCode.addWatch: return this.addWatch(context, request.path, request.mode);
      case OpCode.checkWatches:
        if (!isWatcherType(request.watcherType)) return error(ZkCode.MARSHALLINGERROR);
        return this.watches.contains(request.path, context.sessionId, request.watcherType)
          ? ok({ type: OpCode.checkWatches }) : error(ZkCode.NOWATCHER);
      case OpCode.removeWatches:
        if (!isWatcherType(request.watcherType)) return error(ZkCode.MARSHALLINGERROR);
        return this.watches.remove(request.path, context.sessionId, request.watcherType)
          ? ok({ type: OpCode.removeWatches }) : error(ZkCode.NOWATCHER);
      case OpCode.whoAmI: return ok({
        type: OpCode.whoAmI,
        // AuthUtil.getClientInfos: the provider's user name, for digest the part before ':'.
        clientInfo: context.authIds.map((id) => ({ authScheme: id.scheme, user: id.scheme === 'digest' ? id.id.split(':')[0] ?? '' : id.id })),
      });
      default: return error(ZkCode.UNIMPLEMENTED);
    }
  }

  private multiReadOp(context: ReadContext, op: ClientRequest): MultiResult {
    if (op.type !== OpCode.getData && op.type !== OpCode.getChildren) return { type: OpCode.error, err: ZkCode.BADARGUMENTS };
    const outcome = this.execute(context, op);
    if (outcome.err !== ZkCode.OK || outcome.response === null) return { type: OpCode.error, err: outcome.err };
    return outcome.response;
  }

  private exists(context: ReadContext, path: string, watch: boolean): ReadOutcome {
    if (path.includes('\0')) return error(ZkCode.BADARGUMENTS);
    const node = this.tree.getNode(lookupPath(path));
    if (node !== undefined && !checkAcl(node.acl, Perms.READ, context.authIds)) return error(ZkCode.NOAUTH);
    // An exists watch is a data watch, set whether or not the node exists.
    if (watch) this.watches.add(path, context.sessionId, WatchKind.data);
    if (node === undefined) return error(ZkCode.NONODE);
    return ok({ type: OpCode.exists, stat: node.stat });
  }

  private getData(context: ReadContext, path: string, watch: boolean): ReadOutcome {
    const node = this.tree.getNode(lookupPath(path));
    if (node === undefined) return error(ZkCode.NONODE);
    if (!checkAcl(node.acl, Perms.READ, context.authIds)) return error(ZkCode.NOAUTH);
    if (watch) this.watches.add(path, context.sessionId, WatchKind.data);
    return ok({ type: OpCode.getData, data: node.data, stat: node.stat });
  }

  private getChildren(context: ReadContext, path: string, watch: boolean, withStat: boolean): ReadOutcome {
    const node = this.tree.getNode(lookupPath(path));
    if (node === undefined) return error(ZkCode.NONODE);
    if (!checkAcl(node.acl, Perms.READ, context.authIds)) return error(ZkCode.NOAUTH);
    if (watch) this.watches.add(path, context.sessionId, WatchKind.child);
    const children = [...node.childNames()];
    return ok(withStat
      ? { type: OpCode.getChildren2, children, stat: node.stat }
      : { type: OpCode.getChildren, children });
  }

  private getAcl(context: ReadContext, path: string): ReadOutcome {
    const node = this.tree.getNode(lookupPath(path));
    if (node === undefined) return error(ZkCode.NONODE);
    if (!checkAcl(node.acl, Perms.READ | Perms.ADMIN, context.authIds)) return error(ZkCode.NOAUTH);
    // Without ADMIN, digest ids are masked (ZOOKEEPER-1392).
    const acl = checkAcl(node.acl, Perms.ADMIN, context.authIds) ? [...node.acl] : maskDigests(node.acl);
    return ok({ type: OpCode.getACL, acl, stat: node.stat });
  }

  private allChildrenNumber(context: ReadContext, path: string): ReadOutcome {
    const node = this.tree.getNode(lookupPath(path));
    if (node === undefined) return error(ZkCode.NONODE);
    if (!checkAcl(node.acl, Perms.READ, context.authIds)) return error(ZkCode.NOAUTH);
    return ok({ type: OpCode.getAllChildrenNumber, totalNumber: this.tree.countAllChildren(lookupPath(path)) ?? 0 });
  }

  private ephemerals(context: ReadContext, prefixPath: string): ReadOutcome {
    const all = [...this.tree.ephemerals(context.sessionId)];
    const prefix = prefixPath.trim();
    const ephemerals = prefix === '' || prefix === '/' ? all : all.filter((path) => path.startsWith(prefixPath));
    return ok({ type: OpCode.getEphemerals, ephemerals });
  }

  private addWatch(context: ReadContext, path: string, mode: number): ReadOutcome {
    const kind = watchKindOfAddWatchMode(mode);
    if (kind === undefined) return error(ZkCode.MARSHALLINGERROR);
    this.watches.add(path, context.sessionId, kind);
    return ok({ type: OpCode.addWatch });
  }
}

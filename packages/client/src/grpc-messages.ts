/**
 * @corral/wire records <-> corral.v1 messages, for the gRPC transport: a
 * request becomes the oneof case of a Call, and a Reply becomes the
 * (err, response) pair the session logic expects from jute, including
 * ZooKeeper's quirks (exists on a missing node is NONODE; a failed multi is
 * err 0 with one ErrorResult per op).
 */
import { ZkCode } from '@corral/base';
import { OpCode, type ACL, type ClientRequest, type ClientResponse, type MultiResult, type Stat } from '@corral/wire';

/** A Reply as proto-loader decodes it (camelCase, int64 as strings, `result` names the oneof case). */
export interface ReplyMsg {
  id: number;
  zxid: string;
  code: number;
  result?: string;
  opIndex?: number;
  [field: string]: unknown;
}

interface StatMsg {
  czxid: string; mzxid: string; ctime: string; mtime: string; version: number; cversion: number; aversion: number;
  ephemeralOwner: string; dataLength: number; numChildren: number; pzxid: string;
}

function optionalVersion(version: number): { version?: number } {
  return version === -1 ? {} : { version };
}

function optionalData(data: Uint8Array | null): { data?: Buffer } {
  return data === null ? {} : { data: Buffer.from(data) };
}

function aclMsg(acl: readonly ACL[]): { perms: number; id: { scheme: string; id: string } }[] {
  return acl.map((entry) => ({ perms: entry.perms, id: { scheme: entry.id.scheme, id: entry.id.id } }));
}

/** The Create message of any create opcode. */
function createMsg(request: Extract<ClientRequest, { type: 1 | 15 | 19 | 21 }>): Record<string, unknown> {
  return {
    path: request.path, ...optionalData(request.data), acl: aclMsg(request.acl), mode: request.flags,
    ...(request.type === OpCode.createTTL ? { ttlMs: request.ttl.toString() } : {}),
  };
}

/** The Call oneof case for a request, or null for an op the gRPC API lacks. */
export function callForRequest(request: ClientRequest): Record<string, unknown> | null {
  switch (request.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { create: createMsg(request) };
    case OpCode.delete:
      return { delete: { path: request.path, ...optionalVersion(request.version) } };
    case OpCode.exists:
      return { exists: { path: request.path, watch: request.watch } };
    case OpCode.getData:
      return { getData: { path: request.path, watch: request.watch } };
    case OpCode.setData:
      return { setData: { path: request.path, ...optionalData(request.data), ...optionalVersion(request.version) } };
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return { getChildren: { path: request.path, watch: request.watch } };
    case OpCode.getAllChildrenNumber:
      return { getAllChildrenNumber: { path: request.path } };
    case OpCode.getACL:
      return { getAcl: { path: request.path } };
    case OpCode.setACL:
      return { setAcl: { path: request.path, acl: aclMsg(request.acl), ...optionalVersion(request.version) } };
    case OpCode.sync:
      return { sync: { path: request.path } };
    case OpCode.whoAmI:
      return { whoAmI: {} };
    case OpCode.addWatch:
      return { addWatch: { path: request.path, mode: request.mode } };
    case OpCode.removeWatches:
      return { removeWatches: { path: request.path, watcherType: request.watcherType } };
    case OpCode.getEphemerals:
      return { getEphemerals: { prefix: request.prefixPath } };
    case OpCode.setWatches:
    case OpCode.setWatches2:
      return {
        setWatches: {
          relativeZxid: request.relativeZxid.toString(), dataWatches: request.dataWatches, existWatches: request.existWatches,
          childWatches: request.childWatches,
          persistentWatches: request.type === OpCode.setWatches2 ? request.persistentWatches : [],
          persistentRecursiveWatches: request.type === OpCode.setWatches2 ? request.persistentRecursiveWatches : [],
        },
      };
    case OpCode.multi:
      return { multi: { ops: request.ops.map(multiOpMsg) } };
    case OpCode.multiRead:
      return { multiRead: { ops: request.ops.map(readOpMsg) } };
    default:
      return null;
  }
}

function multiOpMsg(op: ClientRequest): Record<string, unknown> {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { create: createMsg(op) };
    case OpCode.delete:
      return { delete: { path: op.path, ...optionalVersion(op.version) } };
    case OpCode.setData:
      return { setData: { path: op.path, ...optionalData(op.data), ...optionalVersion(op.version) } };
    case OpCode.check:
      return { check: { path: op.path, ...optionalVersion(op.version) } };
    default:
      // The server refuses the whole multi, as ZooKeeper refuses a read inside a write multi.
      return {};
  }
}

function readOpMsg(op: ClientRequest): Record<string, unknown> {
  if (op.type === OpCode.getData) return { getData: { path: op.path } };
  if (op.type === OpCode.getChildren) return { getChildren: { path: op.path } };
  return {};
}

/** A corral.v1 Stat as a wire Stat. */
export function statOf(stat: StatMsg | null | undefined): Stat {
  if (stat == null) throw new Error('reply without a stat');
  return {
    czxid: BigInt(stat.czxid), mzxid: BigInt(stat.mzxid), ctime: Number(stat.ctime), mtime: Number(stat.mtime), version: stat.version,
    cversion: stat.cversion, aversion: stat.aversion, ephemeralOwner: BigInt(stat.ephemeralOwner), dataLength: stat.dataLength,
    numChildren: stat.numChildren, pzxid: BigInt(stat.pzxid),
  };
}

function dataOf(message: { data?: Buffer | null; _data?: string }): Uint8Array | null {
  return message._data === 'data' && message.data != null ? new Uint8Array(message.data) : null;
}

/** The (err, response) a jute server would have sent for `request`, from its gRPC Reply. */
export function responseForReply(request: ClientRequest, reply: ReplyMsg): { err: number; response: ClientResponse | null } {
  if (request.type === OpCode.multi && reply.code !== ZkCode.OK) {
    const failed = reply.opIndex ?? 0;
    return { err: ZkCode.OK, response: { type: OpCode.multi, results: failedMultiResults(request.ops.length, failed, reply.code) } };
  }
  if (reply.code !== ZkCode.OK) return { err: reply.code, response: null };
  const body = (reply.result === undefined ? {} : reply[reply.result]) as Record<string, unknown>;
  switch (request.type) {
    case OpCode.create:
      return { err: 0, response: { type: OpCode.create, path: body['path'] as string } };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { err: 0, response: { type: request.type, path: body['path'] as string, stat: statOf(body['stat'] as StatMsg) } };
    case OpCode.exists:
      if (body['exists'] !== true) return { err: ZkCode.NONODE, response: null };
      return { err: 0, response: { type: OpCode.exists, stat: statOf(body['stat'] as StatMsg) } };
    case OpCode.getData:
      return { err: 0, response: { type: OpCode.getData, data: dataOf(body), stat: statOf(body['stat'] as StatMsg) } };
    case OpCode.setData:
      return { err: 0, response: { type: OpCode.setData, stat: statOf(body['stat'] as StatMsg) } };
    case OpCode.setACL:
      return { err: 0, response: { type: OpCode.setACL, stat: statOf(body['stat'] as StatMsg) } };
    case OpCode.getChildren:
      return { err: 0, response: { type: OpCode.getChildren, children: body['children'] as string[] } };
    case OpCode.getChildren2:
      return { err: 0, response: { type: OpCode.getChildren2, children: body['children'] as string[], stat: statOf(body['stat'] as StatMsg) } };
    case OpCode.getAllChildrenNumber:
      return { err: 0, response: { type: OpCode.getAllChildrenNumber, totalNumber: body['totalNumber'] as number } };
    case OpCode.getACL: {
      const acl = (body['acl'] as { perms: number; id: { scheme: string; id: string } }[]).map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } }));
      return { err: 0, response: { type: OpCode.getACL, acl, stat: statOf(body['stat'] as StatMsg) } };
    }
    case OpCode.sync:
      return { err: 0, response: { type: OpCode.sync, path: body['path'] as string } };
    case OpCode.whoAmI:
      return { err: 0, response: { type: OpCode.whoAmI, clientInfo: (body['clientInfo'] as { authScheme: string; user: string }[]).map((c) => ({ authScheme: c.authScheme, user: c.user })) } };
    case OpCode.getEphemerals:
      return { err: 0, response: { type: OpCode.getEphemerals, ephemerals: body['ephemerals'] as string[] } };
    case OpCode.multi:
      return { err: 0, response: { type: OpCode.multi, results: multiResults(request.ops, body['results'] as Record<string, unknown>[]) } };
    case OpCode.multiRead:
      return { err: 0, response: { type: OpCode.multiRead, results: (body['results'] as Record<string, unknown>[]).map(readResult) } };
    case OpCode.delete:
    case OpCode.addWatch:
    case OpCode.removeWatches:
    case OpCode.setWatches:
    case OpCode.setWatches2:
      // Bodiless replies: jute decodes them as an empty record of the request's type.
      return { err: 0, response: { type: request.type } };
    default:
      return { err: 0, response: null };
  }
}

/** ZooKeeper's failed-multi results: OK before the failing op, its code at it, RUNTIMEINCONSISTENCY after. */
export function failedMultiResults(count: number, failedIndex: number, code: number): MultiResult[] {
  return Array.from({ length: count }, (_, index): MultiResult => ({
    type: OpCode.error, err: index < failedIndex ? ZkCode.OK : index === failedIndex ? code : ZkCode.RUNTIMEINCONSISTENCY,
  }));
}

function multiResults(ops: readonly ClientRequest[], results: Record<string, unknown>[]): MultiResult[] {
  return results.map((result, index): MultiResult => {
    const op = ops[index];
    const body = result[result['result'] as string] as Record<string, unknown>;
    switch (op?.type) {
      case OpCode.create:
        return { type: OpCode.create, path: body['path'] as string };
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return { type: OpCode.create2, path: body['path'] as string, stat: statOf(body['stat'] as StatMsg) };
      case OpCode.setData:
        return { type: OpCode.setData, stat: statOf(body['stat'] as StatMsg) };
      case OpCode.delete:
        return { type: OpCode.delete };
      default:
        return { type: OpCode.check };
    }
  });
}

function readResult(result: Record<string, unknown>): MultiResult {
  const body = result[result['result'] as string] as Record<string, unknown>;
  switch (result['result']) {
    case 'getData':
      return { type: OpCode.getData, data: dataOf(body), stat: statOf(body['stat'] as StatMsg) };
    case 'getChildren':
      return { type: OpCode.getChildren, children: body['children'] as string[] };
    default:
      return { type: OpCode.error, err: (body['zkCode'] as number | undefined) ?? ZkCode.SYSTEMERROR };
  }
}

/**
 * corral.v1 messages <-> the typed requests and replies of @corral/wire, so
 * the gRPC front end feeds the same core as the jute port: one
 * validation, one ACL check, one ordering. Every field a client sends is
 * checked here for type and range; what ZooKeeper itself would refuse is left
 * to prep so both ports answer with the same codes.
 */
import { ZkCode, ZkError } from '@corral/base';
import { OpCode, type ACL, type ClientRequest, type ClientResponse, type MultiResult, type SetWatches2Request, type Stat } from '@corral/wire';
import type {
  AclMsg, CheckMsg, CreateMsg, RestoreWatchesMsg, DeleteMsg, Int64, MultiMsg, MultiReadMsg, PathWatchMsg, SetAclMsg, SetDataMsg, StatMsg,
} from './proto-types.js';

/** world:anyone with every permission, the ACL of a create that names none. */
const openAcl: readonly ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

/** Reads an int64 field; refuses what is not an integer. */
export function toBigint(value: Int64 | undefined | null, field: string): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  try {
    return BigInt(value);
  } catch {
    throw new ZkError(ZkCode.BADARGUMENTS, { message: `${field} is not an integer` });
  }
}

function text(value: string | undefined, field: string): string {
  if (typeof value !== 'string') throw new ZkError(ZkCode.BADARGUMENTS, { message: `${field} is required` });
  return value;
}

/** An absent optional `data` is null data (jute length -1), as ZooKeeper keeps them apart. */
function optionalData(message: { data?: Buffer | null; _data?: string }): Uint8Array | null {
  return message._data === 'data' && message.data != null ? message.data : null;
}

function optionalVersion(message: { version?: number; _version?: string }): number {
  return message._version === 'version' && typeof message.version === 'number' ? message.version : -1;
}

function acls(list: AclMsg[] | undefined, defaultOpen: boolean): readonly ACL[] {
  if (list === undefined || list.length === 0) return defaultOpen ? openAcl : [];
  return list.map((entry) => ({ perms: entry.perms ?? 0, id: { scheme: entry.id?.scheme ?? '', id: entry.id?.id ?? '' } }));
}

/** A Create message as a wire create request (create2 / createTTL / createContainer by mode). */
export function createRequest(message: CreateMsg): ClientRequest {
  const path = text(message.path, 'path');
  const flags = Number(message.mode ?? 0);
  const data = optionalData(message);
  const acl = acls(message.acl, true);
  if (flags === 5 || flags === 6) return { type: OpCode.createTTL, path, data, acl, flags, ttl: toBigint(message.ttlMs, 'ttl_ms') };
  if (flags === 4) return { type: OpCode.createContainer, path, data, acl, flags };
  return { type: OpCode.create2, path, data, acl, flags };
}

function deleteRequest(message: DeleteMsg): ClientRequest {
  return { type: OpCode.delete, path: text(message.path, 'path'), version: optionalVersion(message) };
}

function setDataRequest(message: SetDataMsg): ClientRequest {
  return { type: OpCode.setData, path: text(message.path, 'path'), data: optionalData(message), version: optionalVersion(message) };
}

function checkRequest(message: CheckMsg): ClientRequest {
  return { type: OpCode.check, path: text(message.path, 'path'), version: optionalVersion(message) };
}

/** A Multi message as a wire multi. */
export function multiRequest(message: MultiMsg): ClientRequest {
  const ops = (message.ops ?? []).map((op): ClientRequest => {
    if (op.create != null) return createRequest(op.create);
    if (op.delete != null) return deleteRequest(op.delete);
    if (op.setData != null) return setDataRequest(op.setData);
    if (op.check != null) return checkRequest(op.check);
    throw new ZkError(ZkCode.BADARGUMENTS, { message: 'a multi op names no operation' });
  });
  return { type: OpCode.multi, ops };
}

/** A MultiRead message as a wire multiRead. */
export function multiReadRequest(message: MultiReadMsg): ClientRequest {
  const ops = (message.ops ?? []).map((op): ClientRequest => {
    if (op.getData != null) return { type: OpCode.getData, path: text(op.getData.path, 'path'), watch: false };
    if (op.getChildren != null) return { type: OpCode.getChildren, path: text(op.getChildren.path, 'path'), watch: false };
    throw new ZkError(ZkCode.BADARGUMENTS, { message: 'a read op names no operation' });
  });
  return { type: OpCode.multiRead, ops };
}

type WatchableMsg = PathWatchMsg & { watch?: boolean };

/**
 * The wire request for one operation, named as the Call's oneof case (also
 * the unary method's name in camelCase). `allowWatch` is false for unary
 * calls, which have no stream to deliver events on.
 */
export function requestFor(op: string, message: unknown, allowWatch: boolean): ClientRequest {
  const watched = (m: WatchableMsg): boolean => allowWatch && m.watch === true;
  switch (op) {
    case 'create': return createRequest(message as CreateMsg);
    case 'delete': return deleteRequest(message as DeleteMsg);
    case 'exists': return { type: OpCode.exists, path: text((message as PathWatchMsg).path, 'path'), watch: watched(message as PathWatchMsg) };
    case 'getData': return { type: OpCode.getData, path: text((message as PathWatchMsg).path, 'path'), watch: watched(message as PathWatchMsg) };
    case 'setData': return setDataRequest(message as SetDataMsg);
    case 'getChildren': return { type: OpCode.getChildren2, path: text((message as PathWatchMsg).path, 'path'), watch: watched(message as PathWatchMsg) };
    case 'getAllChildrenNumber': return { type: OpCode.getAllChildrenNumber, path: text((message as PathWatchMsg).path, 'path') };
    case 'getAcl': return { type: OpCode.getACL, path: text((message as PathWatchMsg).path, 'path') };
    case 'setAcl': {
      const m = message as SetAclMsg;
      return { type: OpCode.setACL, path: text(m.path, 'path'), acl: acls(m.acl, false), version: optionalVersion(m) };
    }
    case 'multi': return multiRequest(message as MultiMsg);
    case 'multiRead': return multiReadRequest(message as MultiReadMsg);
    case 'sync': return { type: OpCode.sync, path: text((message as PathWatchMsg).path, 'path') };
    case 'whoAmI': return { type: OpCode.whoAmI };
    case 'addWatch': {
      const m = message as { path?: string; mode?: number };
      return { type: OpCode.addWatch, path: text(m.path, 'path'), mode: m.mode ?? 0 };
    }
    case 'removeWatches': {
      const m = message as { path?: string; watcherType?: number };
      return { type: OpCode.removeWatches, path: text(m.path, 'path'), watcherType: m.watcherType ?? 0 };
    }
    case 'getEphemerals': return { type: OpCode.getEphemerals, prefixPath: (message as { prefix?: string }).prefix ?? '' };
    case 'setWatches': return setWatchesRequest(message as RestoreWatchesMsg);
    default:
      throw new ZkError(ZkCode.UNIMPLEMENTED, { message: `unknown operation ${op}` });
  }
}

/** A RestoreWatches message as a wire setWatches2 request. */
export function setWatchesRequest(message: RestoreWatchesMsg): SetWatches2Request {
  return {
    type: OpCode.setWatches2, relativeZxid: toBigint(message.relativeZxid, 'relative_zxid'), dataWatches: message.dataWatches ?? [],
    existWatches: message.existWatches ?? [], childWatches: message.childWatches ?? [], persistentWatches: message.persistentWatches ?? [],
    persistentRecursiveWatches: message.persistentRecursiveWatches ?? [],
  };
}

/** A Stat as a corral.v1 Stat (int64 as decimal strings, which every protobuf runtime accepts). */
export function statMsg(stat: Stat): StatMsg {
  return {
    czxid: stat.czxid.toString(), mzxid: stat.mzxid.toString(), ctime: String(stat.ctime), mtime: String(stat.mtime),
    version: stat.version, cversion: stat.cversion, aversion: stat.aversion, ephemeralOwner: stat.ephemeralOwner.toString(),
    dataLength: stat.dataLength, numChildren: stat.numChildren, pzxid: stat.pzxid.toString(),
  };
}

function dataField(data: Uint8Array | null): { data?: Uint8Array } {
  return data === null ? {} : { data };
}

/** The proto result for a successful reply, keyed by the oneof case of Reply.result. */
export function resultFor(op: string, response: ClientResponse | null, zxid: bigint): Record<string, unknown> {
  if (response === null) return op === 'delete' ? { delete: { zxid: zxid.toString() } } : { [op]: {} };
  switch (response.type) {
    case OpCode.create:
      return { create: { path: response.path, zxid: zxid.toString() } };
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      return { create: { path: response.path, stat: statMsg(response.stat), zxid: zxid.toString() } };
    case OpCode.exists:
      return { exists: { exists: true, stat: statMsg(response.stat) } };
    case OpCode.setData:
      return { setData: { stat: statMsg(response.stat) } };
    case OpCode.setACL:
      return { setAcl: { stat: statMsg(response.stat) } };
    case OpCode.getData:
      return { getData: { ...dataField(response.data), stat: statMsg(response.stat) } };
    case OpCode.getACL:
      return { getAcl: { acl: response.acl.map((a) => ({ perms: a.perms, id: a.id })), stat: statMsg(response.stat) } };
    case OpCode.getChildren:
      return { getChildren: { children: response.children } };
    case OpCode.getChildren2:
      return { getChildren: { children: response.children, stat: statMsg(response.stat) } };
    case OpCode.getAllChildrenNumber:
      return { getAllChildrenNumber: { totalNumber: response.totalNumber } };
    case OpCode.getEphemerals:
      return { getEphemerals: { ephemerals: response.ephemerals } };
    case OpCode.sync:
      return { sync: { path: response.path, zxid: zxid.toString() } };
    case OpCode.whoAmI:
      return { whoAmI: { clientInfo: response.clientInfo.map((c) => ({ authScheme: c.authScheme, user: c.user })) } };
    case OpCode.multi:
      return { multi: { results: response.results.map((r) => multiResult(r, zxid)), zxid: zxid.toString() } };
    case OpCode.multiRead:
      return { multiRead: { results: response.results.map(readResult) } };
    default:
      return { [op]: {} };
  }
}

function multiResult(result: MultiResult, zxid: bigint): Record<string, unknown> {
  switch (result.type) {
    case OpCode.create:
      return { create: { path: result.path, zxid: zxid.toString() } };
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      return { create: { path: result.path, stat: statMsg(result.stat), zxid: zxid.toString() } };
    case OpCode.setData:
      return { setData: { stat: statMsg(result.stat) } };
    case OpCode.delete:
      return { delete: { zxid: zxid.toString() } };
    default:
      return { check: {} };
  }
}

function readResult(result: MultiResult): Record<string, unknown> {
  switch (result.type) {
    case OpCode.getData:
      return { getData: { ...dataField(result.data), stat: statMsg(result.stat) } };
    case OpCode.getChildren:
      return { getChildren: { children: result.children } };
    case OpCode.error:
      return { error: { zkCode: result.err, zkName: '', path: '', opIndex: -1 } };
    default:
      return { error: { zkCode: ZkCode.SYSTEMERROR, zkName: 'SYSTEMERROR', path: '', opIndex: -1 } };
  }
}

/** The first failing op of a failed multi, and its code (a multi failure replies OK with ErrorResults). */
export function multiFailure(response: ClientResponse | null): { index: number; code: number } | null {
  if (response?.type !== OpCode.multi) return null;
  const index = response.results.findIndex((r) => r.type === OpCode.error && r.err !== ZkCode.OK && r.err !== ZkCode.RUNTIMEINCONSISTENCY);
  if (index < 0) return null;
  const failing = response.results[index];
  return failing?.type === OpCode.error ? { index, code: failing.err } : null;
}

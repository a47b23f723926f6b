/**
 * Codecs of the request records of zookeeper.jute, one reader and one writer
 * per record. The `type` of each decoded request is the opcode it arrived
 * with; the record layout alone does not say which opcode it belongs to.
 */
import { OpCode } from './constants.js';
import type { JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import { readAclVector, writeAclVector } from './records.js';
import type {
  AddWatchRequest,
  AuthRequest,
  CheckVersionRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  GetEphemeralsRequest,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  SaslRequest,
  SetACLRequest,
  SetDataRequest,
  SetWatches2Request,
  SetWatchesRequest,
  WatchesRequest,
} from './types.js';

/** CreateRequest {ustring path; buffer data; vector<ACL> acl; int flags}. */
export function readCreate(reader: JuteReader, type: CreateRequest['type']): CreateRequest {
  return { type, path: reader.readString('path'), data: reader.readBufferOrNull(), acl: readAclVector(reader), flags: reader.readInt() };
}

/** Writes CreateRequest. */
export function writeCreate(writer: JuteWriter, request: CreateRequest | CreateTTLRequest): void {
  writer.writeString(request.path);
  writer.writeBuffer(request.data);
  writeAclVector(writer, request.acl);
  writer.writeInt(request.flags);
}

/** CreateTTLRequest {… CreateRequest fields …; long ttl}. */
export function readCreateTTL(reader: JuteReader): CreateTTLRequest {
  const path = reader.readString('path');
  const data = reader.readBufferOrNull();
  const acl = readAclVector(reader);
  const flags = reader.readInt();
  return { type: OpCode.createTTL, path, data, acl, flags, ttl: reader.readLong() };
}

/** Writes CreateTTLRequest. */
export function writeCreateTTL(writer: JuteWriter, request: CreateTTLRequest): void {
  writeCreate(writer, request);
  writer.writeLong(request.ttl);
}

/** DeleteRequest {ustring path; int version}. */
export function readDelete(reader: JuteReader): DeleteRequest {
  return { type: OpCode.delete, path: reader.readString('path'), version: reader.readInt() };
}

/**
 * DeleteContainerRequest: the path as a jute buffer (same bytes as a
 * ustring), no version. ZooKeeper only generates it internally
 * (ContainerManager), but PrepRequestProcessor accepts it from any client.
 */
export function readDeleteContainer(reader: JuteReader): DeleteRequest {
  return { type: OpCode.deleteContainer, path: reader.readString('path'), version: -1 };
}

/** Writes DeleteRequest, or DeleteContainerRequest (path only). */
export function writeDelete(writer: JuteWriter, request: DeleteRequest): void {
  writer.writeString(request.path);
  if (request.type === OpCode.delete) writer.writeInt(request.version);
}

/** ExistsRequest / GetDataRequest / GetChildrenRequest / GetChildren2Request {ustring path; boolean watch}. */
export function readPathWatch(reader: JuteReader, type: PathWatchRequest['type']): PathWatchRequest {
  return { type, path: reader.readString('path'), watch: reader.readBool() };
}

/** Writes a {path, watch} request. */
export function writePathWatch(writer: JuteWriter, request: { path: string; watch: boolean }): void {
  writer.writeString(request.path);
  writer.writeBool(request.watch);
}

/** SetDataRequest {ustring path; buffer data; int version}. */
export function readSetData(reader: JuteReader): SetDataRequest {
  return { type: OpCode.setData, path: reader.readString('path'), data: reader.readBufferOrNull(), version: reader.readInt() };
}

/** Writes SetDataRequest. */
export function writeSetData(writer: JuteWriter, request: SetDataRequest): void {
  writer.writeString(request.path);
  writer.writeBuffer(request.data);
  writer.writeInt(request.version);
}

/** GetACLRequest / GetAllChildrenNumberRequest / SyncRequest {ustring path}. */
export function readPath(reader: JuteReader, type: PathRequest['type']): PathRequest {
  return { type, path: reader.readString('path') };
}

/** GetEphemeralsRequest {ustring prefixPath}. */
export function readGetEphemerals(reader: JuteReader): GetEphemeralsRequest {
  // A null prefix lists every ephemeral of the session, as "" does (ZooKeeper 3.8).
  return { type: OpCode.getEphemerals, prefixPath: reader.readStringOrNull() ?? '' };
}

/** SetACLRequest {ustring path; vector<ACL> acl; int version}. */
export function readSetACL(reader: JuteReader): SetACLRequest {
  return { type: OpCode.setACL, path: reader.readString('path'), acl: readAclVector(reader), version: reader.readInt() };
}

/** Writes SetACLRequest. */
export function writeSetACL(writer: JuteWriter, request: SetACLRequest): void {
  writer.writeString(request.path);
  writeAclVector(writer, request.acl);
  writer.writeInt(request.version);
}

/** CheckVersionRequest {ustring path; int version}. */
export function readCheck(reader: JuteReader): CheckVersionRequest {
  return { type: OpCode.check, path: reader.readString('path'), version: reader.readInt() };
}

/** AuthPacket {int type; ustring scheme; buffer auth}. */
export function readAuth(reader: JuteReader): AuthRequest {
  return { type: OpCode.auth, authType: reader.readInt(), scheme: reader.readString('scheme'), auth: reader.readBuffer() };
}

/** Writes AuthPacket. */
export function writeAuth(writer: JuteWriter, request: AuthRequest): void {
  writer.writeInt(request.authType);
  writer.writeString(request.scheme);
  writer.writeBuffer(request.auth);
}

/** SetWatches {long relativeZxid; vector<ustring> dataWatches, existWatches, childWatches}. */
export function readSetWatches(reader: JuteReader): SetWatchesRequest {
  return {
    type: OpCode.setWatches,
    relativeZxid: reader.readLong(),
    dataWatches: reader.readStringVector('dataWatches'),
    existWatches: reader.readStringVector('existWatches'),
    childWatches: reader.readStringVector('childWatches'),
  };
}

/** SetWatches2: SetWatches plus persistentWatches and persistentRecursiveWatches. */
export function readSetWatches2(reader: JuteReader): SetWatches2Request {
  return {
    type: OpCode.setWatches2,
    relativeZxid: reader.readLong(),
    dataWatches: reader.readStringVector('dataWatches'),
    existWatches: reader.readStringVector('existWatches'),
    childWatches: reader.readStringVector('childWatches'),
    persistentWatches: reader.readStringVector('persistentWatches'),
    persistentRecursiveWatches: reader.readStringVector('persistentRecursiveWatches'),
  };
}

/** Writes SetWatches or SetWatches2. */
export function writeSetWatches(writer: JuteWriter, request: SetWatchesRequest | SetWatches2Request): void {
  writer.writeLong(request.relativeZxid);
  writer.writeStringVector(request.dataWatches);
  writer.writeStringVector(request.existWatches);
  writer.writeStringVector(request.childWatches);
  if (request.type === OpCode.setWatches2) {
    writer.writeStringVector(request.persistentWatches);
    writer.writeStringVector(request.persistentRecursiveWatches);
  }
}

/** AddWatchRequest {ustring path; int mode}. */
export function readAddWatch(reader: JuteReader): AddWatchRequest {
  return { type: OpCode.addWatch, path: reader.readString('path'), mode: reader.readInt() };
}

/** CheckWatchesRequest / RemoveWatchesRequest {ustring path; int type}. */
export function readWatches(reader: JuteReader, type: WatchesRequest['type']): WatchesRequest {
  return { type, path: reader.readString('path'), watcherType: reader.readInt() };
}

/** ReconfigRequest {ustring joiningServers, leavingServers, newMembers (all nullable); long curConfigId}. */
export function readReconfig(reader: JuteReader): ReconfigRequest {
  return {
    type: OpCode.reconfig,
    joiningServers: reader.readStringOrNull(),
    leavingServers: reader.readStringOrNull(),
    newMembers: reader.readStringOrNull(),
    curConfigId: reader.readLong(),
  };
}

/** Writes ReconfigRequest. */
export function writeReconfig(writer: JuteWriter, request: ReconfigRequest): void {
  writer.writeString(request.joiningServers);
  writer.writeString(request.leavingServers);
  writer.writeString(request.newMembers);
  writer.writeLong(request.curConfigId);
}

/** GetSASLRequest {buffer token}. */
export function readSasl(reader: JuteReader): SaslRequest {
  return { type: OpCode.sasl, token: reader.readBuffer() };
}

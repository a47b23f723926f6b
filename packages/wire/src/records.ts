/**
 * Codecs of the shared jute records (data.Id, data.ACL, data.Stat,
 * data.ClientInfo, RequestHeader, ReplyHeader, WatcherEvent). Field order is
 * the wire contract and follows zookeeper.jute exactly.
 */
import type { JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import type { ACL, ClientInfo, ReplyHeader, RequestHeader, Stat, WatcherEvent } from './types.js';

/** Smallest encoding of an ACL: perms + two empty ustrings. */
export const aclMinBytes = 12;
/** Smallest encoding of a ClientInfo: two empty ustrings. */
export const clientInfoMinBytes = 8;

/** Reads data.Stat. */
export function readStat(reader: JuteReader): Stat {
  return {
    czxid: reader.readLong(),
    mzxid: reader.readLong(),
    ctime: reader.readLongAsNumber(),
    mtime: reader.readLongAsNumber(),
    version: reader.readInt(),
    cversion: reader.readInt(),
    aversion: reader.readInt(),
    ephemeralOwner: reader.readLong(),
    dataLength: reader.readInt(),
    numChildren: reader.readInt(),
    pzxid: reader.readLong(),
  };
}

/** Writes data.Stat (68 bytes). */
export function writeStat(writer: JuteWriter, stat: Stat): void {
  writer.writeLong(stat.czxid);
  writer.writeLong(stat.mzxid);
  writer.writeLongFromNumber(stat.ctime);
  writer.writeLongFromNumber(stat.mtime);
  writer.writeInt(stat.version);
  writer.writeInt(stat.cversion);
  writer.writeInt(stat.aversion);
  writer.writeLong(stat.ephemeralOwner);
  writer.writeInt(stat.dataLength);
  writer.writeInt(stat.numChildren);
  writer.writeLong(stat.pzxid);
}

/** Reads vector<data.ACL>; null decodes as []. */
export function readAclVector(reader: JuteReader): ACL[] {
  const count = reader.readVectorCount(aclMinBytes, 'vector<ACL>');
  const acl: ACL[] = [];
  for (let index = 0; index < count; index++) {
    const perms = reader.readInt();
    const scheme = reader.readString('Id.scheme');
    // kazoo's CREATOR_ALL_ACL sends the "auth" id as a null string; ZooKeeper
    // ignores that id (fixupACL expands it), so null reads as "".
    const id = reader.readStringOrNull() ?? '';
    acl.push({ perms, id: { scheme, id } });
  }
  return acl;
}

/** Writes vector<data.ACL>. */
export function writeAclVector(writer: JuteWriter, acl: readonly ACL[]): void {
  writer.writeVectorCount(acl.length);
  for (const entry of acl) {
    writer.writeInt(entry.perms);
    writer.writeString(entry.id.scheme);
    writer.writeString(entry.id.id);
  }
}

/** Reads vector<data.ClientInfo>; null decodes as []. */
export function readClientInfoVector(reader: JuteReader): ClientInfo[] {
  const count = reader.readVectorCount(clientInfoMinBytes, 'vector<ClientInfo>');
  const out: ClientInfo[] = [];
  for (let index = 0; index < count; index++) {
    out.push({ authScheme: reader.readString('ClientInfo.authScheme'), user: reader.readString('ClientInfo.user') });
  }
  return out;
}

/** Writes vector<data.ClientInfo>. */
export function writeClientInfoVector(writer: JuteWriter, infos: readonly ClientInfo[]): void {
  writer.writeVectorCount(infos.length);
  for (const info of infos) {
    writer.writeString(info.authScheme);
    writer.writeString(info.user);
  }
}

/** Reads proto.RequestHeader. */
export function readRequestHeader(reader: JuteReader): RequestHeader {
  return { xid: reader.readInt(), type: reader.readInt() };
}

/** Writes proto.RequestHeader. */
export function writeRequestHeader(writer: JuteWriter, header: RequestHeader): void {
  writer.writeInt(header.xid);
  writer.writeInt(header.type);
}

/** Reads proto.ReplyHeader. */
export function readReplyHeader(reader: JuteReader): ReplyHeader {
  return { xid: reader.readInt(), zxid: reader.readLong(), err: reader.readInt() };
}

/** Writes proto.ReplyHeader (16 bytes). */
export function writeReplyHeader(writer: JuteWriter, header: ReplyHeader): void {
  writer.writeInt(header.xid);
  writer.writeLong(header.zxid);
  writer.writeInt(header.err);
}

/** Reads proto.WatcherEvent. A null path (session-state events) decodes as ''. */
export function readWatcherEvent(reader: JuteReader): WatcherEvent {
  return { type: reader.readInt(), state: reader.readInt(), path: reader.readStringOrNull() ?? '' };
}

/** Writes proto.WatcherEvent. */
export function writeWatcherEvent(writer: JuteWriter, event: WatcherEvent): void {
  writer.writeInt(event.type);
  writer.writeInt(event.state);
  writer.writeString(event.path);
}

/**
 * Request frames: RequestHeader{xid, type} followed by the record implied by
 * `type`. decodeRequest is the server's hot path: one reader, one object per
 * record, no copies except byte fields (which must outlive the frame).
 */
import type { Buffer } from 'node:buffer';
import { OpCode } from './constants.js';
import { JuteReader } from './jute-reader.js';
import { sharedWriter, type JuteWriter } from './jute-writer.js';
import { readMultiRequest, writeMultiRequest } from './multi-codec.js';
import { readRequestHeader, writeRequestHeader } from './records.js';
import {
  readAddWatch,
  readAuth,
  readCheck,
  readCreate,
  readCreateTTL,
  readDelete,
  readDeleteContainer,
  readGetEphemerals,
  readPath,
  readPathWatch,
  readReconfig,
  readSasl,
  readSetACL,
  readSetData,
  readSetWatches,
  readSetWatches2,
  readWatches,
  writeAuth,
  writeCreate,
  writeCreateTTL,
  writeDelete,
  writePathWatch,
  writeReconfig,
  writeSetACL,
  writeSetData,
  writeSetWatches,
} from './request-bodies.js';
import type { ClientRequest, RequestHeader } from './types.js';

type BodyReader = (reader: JuteReader) => ClientRequest;

/** Body decoder per opcode. Opcodes absent here (notification, createSession, error, unknown) decode to null. */
const bodyReaders = new Map<number, BodyReader>([
  [OpCode.create, (r) => readCreate(r, OpCode.create)],
  [OpCode.create2, (r) => readCreate(r, OpCode.create2)],
  [OpCode.createContainer, (r) => readCreate(r, OpCode.createContainer)],
  [OpCode.createTTL, readCreateTTL],
  [OpCode.delete, readDelete],
  [OpCode.deleteContainer, readDeleteContainer],
  [OpCode.exists, (r) => readPathWatch(r, OpCode.exists)],
  [OpCode.getData, (r) => readPathWatch(r, OpCode.getData)],
  [OpCode.getChildren, (r) => readPathWatch(r, OpCode.getChildren)],
  [OpCode.getChildren2, (r) => readPathWatch(r, OpCode.getChildren2)],
  [OpCode.setData, readSetData],
  [OpCode.getACL, (r) => readPath(r, OpCode.getACL)],
  [OpCode.getAllChildrenNumber, (r) => readPath(r, OpCode.getAllChildrenNumber)],
  [OpCode.sync, (r) => readPath(r, OpCode.sync)],
  [OpCode.getEphemerals, readGetEphemerals],
  [OpCode.setACL, readSetACL],
  [OpCode.check, readCheck],
  [OpCode.multi, (r) => ({ type: OpCode.multi, ops: readMultiRequest(r) })],
  [OpCode.multiRead, (r) => ({ type: OpCode.multiRead, ops: readMultiRequest(r) })],
  [OpCode.auth, readAuth],
  [OpCode.setWatches, readSetWatches],
  [OpCode.setWatches2, readSetWatches2],
  [OpCode.addWatch, readAddWatch],
  [OpCode.checkWatches, (r) => readWatches(r, OpCode.checkWatches)],
  [OpCode.removeWatches, (r) => readWatches(r, OpCode.removeWatches)],
  [OpCode.reconfig, readReconfig],
  [OpCode.sasl, readSasl],
  [OpCode.ping, () => ({ type: OpCode.ping })],
  [OpCode.closeSession, () => ({ type: OpCode.closeSession })],
  [OpCode.whoAmI, () => ({ type: OpCode.whoAmI })],
]);

/**
 * Decodes only the RequestHeader of a frame. ZooKeeper answers a request
 * whose body fails to deserialize with MARSHALLINGERROR for its xid
 * (PrepRequestProcessor) rather than closing; a server that wants to do the
 * same calls this after decodeRequest threw.
 */
export function decodeRequestHeader(frame: Uint8Array): RequestHeader {
  return readRequestHeader(new JuteReader(frame));
}

/**
 * Decodes a request frame body (without the length prefix). `request` is
 * null for an opcode with no client request record (unknown, notification,
 * createSession, error): the server decides the answer. A malformed body
 * throws ProtocolError. Bytes after the record are ignored, as ZooKeeper's
 * server reads only the record from the frame's buffer.
 */
export function decodeRequest(frame: Uint8Array): { header: RequestHeader; request: ClientRequest | null } {
  const reader = new JuteReader(frame);
  const header = readRequestHeader(reader);
  const readBody = bodyReaders.get(header.type);
  if (readBody === undefined) return { header, request: null };
  return { header, request: readBody(reader) };
}

/** Encodes a request as a complete frame (with length prefix); `header.type` should equal `request.type`. */
export function encodeRequest(header: RequestHeader, request: ClientRequest): Buffer {
  const writer = sharedWriter;
  writer.beginFrame();
  writeRequestHeader(writer, header);
  writeRequestBody(writer, request);
  return writer.finishFrame();
}

/** Writes the record of `request` (no header). Exported for txn-log style reuse. */
export function writeRequestBody(writer: JuteWriter, request: ClientRequest): void {
  switch (request.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return writeCreate(writer, request);
    case OpCode.createTTL:
      return writeCreateTTL(writer, request);
    case OpCode.delete:
    case OpCode.deleteContainer:
      return writeDelete(writer, request);
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return writePathWatch(writer, request);
    case OpCode.setData:
      return writeSetData(writer, request);
    case OpCode.getACL:
    case OpCode.getAllChildrenNumber:
    case OpCode.sync:
      return writer.writeString(request.path);
    case OpCode.getEphemerals:
      return writer.writeString(request.prefixPath);
    case OpCode.setACL:
      return writeSetACL(writer, request);
    case OpCode.check:
      writer.writeString(request.path);
      return writer.writeInt(request.version);
    case OpCode.multi:
    case OpCode.multiRead:
      return writeMultiRequest(writer, request.ops);
    case OpCode.auth:
      return writeAuth(writer, request);
    case OpCode.setWatches:
    case OpCode.setWatches2:
      return writeSetWatches(writer, request);
    case OpCode.addWatch:
      writer.writeString(request.path);
      return writer.writeInt(request.mode);
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      writer.writeString(request.path);
      return writer.writeInt(request.watcherType);
    case OpCode.reconfig:
      return writeReconfig(writer, request);
    case OpCode.sasl:
      return writer.writeBuffer(request.token);
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.whoAmI:
      return;
  }
}

/**
 * Codecs of the reply records of zookeeper.jute. Which record follows the
 * ReplyHeader is not on the wire: it is implied by the opcode of the request
 * the xid answers, so both directions take that opcode.
 */
import { OpCode } from './constants.js';
import type { JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import { readMultiResponse, writeMultiResponse } from './multi-codec.js';
import { ProtocolError } from './protocol-error.js';
import {
  readAclVector,
  readClientInfoVector,
  readStat,
  writeAclVector,
  writeClientInfoVector,
  writeStat,
} from './records.js';
import type { ClientResponse } from './types.js';

/**
 * Writes the body record of a successful reply. addWatch's body is
 * ErrorResponse{err: 0}: FinalRequestProcessor sends it and the Java client
 * (ZooKeeper.addWatch) deserializes it.
 */
export function writeResponseBody(writer: JuteWriter, response: ClientResponse): void {
  switch (response.type) {
    case OpCode.create:
    case OpCode.sync:
      writer.writeString(response.path);
      return;
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      writer.writeString(response.path);
      writeStat(writer, response.stat);
      return;
    case OpCode.exists:
    case OpCode.setData:
    case OpCode.setACL:
      writeStat(writer, response.stat);
      return;
    case OpCode.getData:
    case OpCode.reconfig:
      writer.writeBuffer(response.data);
      writeStat(writer, response.stat);
      return;
    case OpCode.getACL:
      writeAclVector(writer, response.acl);
      writeStat(writer, response.stat);
      return;
    case OpCode.getChildren:
      writer.writeStringVector(response.children);
      return;
    case OpCode.getChildren2:
      writer.writeStringVector(response.children);
      writeStat(writer, response.stat);
      return;
    case OpCode.getAllChildrenNumber:
      writer.writeInt(response.totalNumber);
      return;
    case OpCode.getEphemerals:
      writer.writeStringVector(response.ephemerals);
      return;
    case OpCode.multi:
    case OpCode.multiRead:
      writeMultiResponse(writer, response.results);
      return;
    case OpCode.whoAmI:
      writeClientInfoVector(writer, response.clientInfo);
      return;
    case OpCode.sasl:
      writer.writeBuffer(response.token);
      return;
    case OpCode.addWatch:
      writer.writeInt(0);
      return;
    default:
      // delete, deleteContainer, check, ping, closeSession, auth, setWatches(2), removeWatches, checkWatches
      return;
  }
}

/**
 * Reads the body of a successful reply to a request of `requestType`.
 * Throws ProtocolError('unknown-opcode') for opcodes that have no reply.
 */
export function readResponseBody(reader: JuteReader, requestType: number): ClientResponse {
  switch (requestType) {
    case OpCode.create:
      return { type: OpCode.create, path: reader.readString('path') };
    case OpCode.sync:
      return { type: OpCode.sync, path: reader.readString('path') };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { type: requestType, path: reader.readString('path'), stat: readStat(reader) };
    case OpCode.exists:
    case OpCode.setData:
    case OpCode.setACL:
      return { type: requestType, stat: readStat(reader) };
    case OpCode.getData:
    case OpCode.reconfig:
      return { type: requestType, data: reader.readBufferOrNull(), stat: readStat(reader) };
    case OpCode.getACL:
      return { type: OpCode.getACL, acl: readAclVector(reader), stat: readStat(reader) };
    case OpCode.getChildren:
      return { type: OpCode.getChildren, children: reader.readStringVector('children') };
    case OpCode.getChildren2:
      return { type: OpCode.getChildren2, children: reader.readStringVector('children'), stat: readStat(reader) };
    case OpCode.getAllChildrenNumber:
      return { type: OpCode.getAllChildrenNumber, totalNumber: reader.readInt() };
    case OpCode.getEphemerals:
      return { type: OpCode.getEphemerals, ephemerals: reader.readStringVector('ephemerals') };
    case OpCode.multi:
    case OpCode.multiRead:
      return { type: requestType, results: readMultiResponse(reader) };
    case OpCode.whoAmI:
      return { type: OpCode.whoAmI, clientInfo: readClientInfoVector(reader) };
    case OpCode.sasl:
      return { type: OpCode.sasl, token: reader.readBuffer() };
    case OpCode.addWatch:
      reader.readInt(); // ErrorResponse.err, always 0 on success
      return { type: OpCode.addWatch };
    case OpCode.delete:
    case OpCode.deleteContainer:
    case OpCode.check:
    case OpCode.ping:
    case OpCode.closeSession:
    case OpCode.auth:
    case OpCode.setWatches:
    case OpCode.setWatches2:
    case OpCode.removeWatches:
    case OpCode.checkWatches:
      return { type: requestType };
    default:
      throw new ProtocolError('unknown-opcode', `no reply record for opcode ${requestType}`);
  }
}

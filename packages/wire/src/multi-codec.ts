/**
 * MultiOperationRecord and MultiResponse. Neither is a jute record: each is a
 * sequence of MultiHeader{int type; boolean done; int err} + op record,
 * ended by the header {type -1, done true, err -1}. Requests send err -1 in
 * every header; responses send err 0, or the error code for an ErrorResult
 * (which is followed by ErrorResponse{int err}).
 */
import { OpCode } from './constants.js';
import type { JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import { multiOpsMax } from './limits.js';
import { ProtocolError } from './protocol-error.js';
import { readStat, writeStat } from './records.js';
import {
  readCheck,
  readCreate,
  readCreateTTL,
  readDelete,
  readPathWatch,
  readSetData,
  writeCreate,
  writeCreateTTL,
  writeDelete,
  writePathWatch,
  writeSetData,
} from './request-bodies.js';
import type { ClientRequest, MultiOp, MultiResult } from './types.js';

/** Reads MultiHeader.type and .done (err is read and dropped); returns null at the terminator. */
function readMultiHeader(reader: JuteReader, count: number): { type: number; err: number } | null {
  const type = reader.readInt();
  const done = reader.readBool();
  const err = reader.readInt();
  if (done) return null;
  if (count >= multiOpsMax) throw new ProtocolError('too-many-ops', `more than ${multiOpsMax} ops in one multi`);
  return { type, err };
}

function writeMultiHeader(writer: JuteWriter, type: number, done: boolean, err: number): void {
  writer.writeInt(type);
  writer.writeBool(done);
  writer.writeInt(err);
}

/**
 * Reads the ops of a multi / multiRead request. Only the op kinds
 * MultiOperationRecord.deserialize knows are accepted; mixing read and write
 * ops, and create flags, are the server's to check.
 */
export function readMultiRequest(reader: JuteReader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (let header = readMultiHeader(reader, 0); header !== null; header = readMultiHeader(reader, ops.length)) {
    ops.push(readMultiOp(reader, header.type));
  }
  return ops;
}

function readMultiOp(reader: JuteReader, type: number): MultiOp {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return readCreate(reader, type);
    case OpCode.createTTL:
      return readCreateTTL(reader);
    case OpCode.delete:
      return readDelete(reader);
    case OpCode.setData:
      return readSetData(reader);
    case OpCode.check:
      return readCheck(reader);
    case OpCode.getChildren:
    case OpCode.getData: {
      const op = readPathWatch(reader, type);
      return { type, path: op.path, watch: op.watch };
    }
    default:
      throw new ProtocolError('unknown-opcode', `opcode ${type} not allowed in multi`);
  }
}

/** Writes the ops of a multi / multiRead request, then the terminator. */
export function writeMultiRequest(writer: JuteWriter, ops: readonly ClientRequest[]): void {
  for (const op of ops) {
    writeMultiHeader(writer, op.type, false, -1);
    switch (op.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        writeCreate(writer, op);
        break;
      case OpCode.createTTL:
        writeCreateTTL(writer, op);
        break;
      case OpCode.delete:
      case OpCode.deleteContainer:
        writeDelete(writer, { type: OpCode.delete, path: op.path, version: op.version });
        break;
      case OpCode.setData:
        writeSetData(writer, op);
        break;
      case OpCode.check:
        writer.writeString(op.path);
        writer.writeInt(op.version);
        break;
      case OpCode.getChildren:
      case OpCode.getData:
        writePathWatch(writer, op);
        break;
      default:
        throw new ProtocolError('unknown-opcode', `opcode ${op.type} not allowed in multi`);
    }
  }
  writeMultiHeader(writer, -1, true, -1);
}

/** Reads the results of a MultiResponse. createTTL/createContainer results arrive as create2. */
export function readMultiResponse(reader: JuteReader): MultiResult[] {
  const results: MultiResult[] = [];
  for (let header = readMultiHeader(reader, 0); header !== null; header = readMultiHeader(reader, results.length)) {
    results.push(readMultiResult(reader, header.type));
  }
  return results;
}

function readMultiResult(reader: JuteReader, type: number): MultiResult {
  switch (type) {
    case OpCode.create:
      return { type, path: reader.readString('path') };
    case OpCode.create2:
      return { type, path: reader.readString('path'), stat: readStat(reader) };
    case OpCode.delete:
    case OpCode.check:
      return { type };
    case OpCode.setData:
      return { type, stat: readStat(reader) };
    case OpCode.getChildren:
      return { type, children: reader.readStringVector('children') };
    case OpCode.getData:
      return { type, data: reader.readBufferOrNull(), stat: readStat(reader) };
    case OpCode.error:
      return { type, err: reader.readInt() };
    default:
      throw new ProtocolError('unknown-opcode', `opcode ${type} not allowed in a multi response`);
  }
}

/** Writes the results of a MultiResponse, then the terminator (MultiResponse.serialize). */
export function writeMultiResponse(writer: JuteWriter, results: readonly MultiResult[]): void {
  for (const result of results) {
    switch (result.type) {
      case OpCode.create:
        writeMultiHeader(writer, OpCode.create, false, 0);
        writer.writeString(result.path);
        break;
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
        writeMultiHeader(writer, OpCode.create2, false, 0);
        writer.writeString(result.path);
        writeStat(writer, result.stat);
        break;
      case OpCode.delete:
      case OpCode.deleteContainer:
        writeMultiHeader(writer, OpCode.delete, false, 0);
        break;
      case OpCode.check:
        writeMultiHeader(writer, OpCode.check, false, 0);
        break;
      case OpCode.setData:
        writeMultiHeader(writer, OpCode.setData, false, 0);
        writeStat(writer, result.stat);
        break;
      case OpCode.getChildren:
        writeMultiHeader(writer, OpCode.getChildren, false, 0);
        writer.writeStringVector(result.children);
        break;
      case OpCode.getData:
        writeMultiHeader(writer, OpCode.getData, false, 0);
        writer.writeBuffer(result.data);
        writeStat(writer, result.stat);
        break;
      case OpCode.error:
        writeMultiHeader(writer, OpCode.error, false, result.err);
        writer.writeInt(result.err);
        break;
      default:
        throw new ProtocolError('unknown-opcode', `opcode ${result.type} has no MultiResponse result`);
    }
  }
  writeMultiHeader(writer, -1, true, -1);
}

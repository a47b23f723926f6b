/**
 * The binary encoding of txns for the transaction log and replication.
 * Layout (big-endian, jute-like): u8 format version, header (i64 sessionId,
 * i32 cxid, i64 zxid, f64 time, i32 type), then the body by type. Strings
 * and byte arrays are u32 length + bytes (null znode data is length
 * 0xffffffff, which version 1 logs never hold, so they read unchanged); ACL
 * lists are u32 count + entries.
 * Multi bodies are u32 count + (i32 type + body) per op.
 */
import type { ACL } from './acl.js';
import { ByteReader, ByteWriter } from './byte-io.js';
import { CorruptDataError } from './errors.js';
import { dataBytesMax, multiOpsMax, pathBytesMax, paths2DeleteMax, txnBytesMax } from './limits.js';
import type { MultiSubTxn, Txn, TxnHeader } from './txn.js';
import { TxnType, isMultiSubTxnType } from './txn.js';
import { unreachable } from '@corral/base';

/** Version byte of the txn encoding; bump on any layout change. */
export const txnFormatVersion = 1;

/** Encodes a header and its txn. */
export function encodeTxn(header: TxnHeader, txn: Txn): Uint8Array {
  const out = new ByteWriter(txnBytesMax);
  out.u8(txnFormatVersion);
  out.i64(header.sessionId);
  out.i32(header.cxid);
  out.i64(header.zxid);
  out.f64(header.time);
  out.i32(header.type);
  writeBody(out, txn);
  return out.finish();
}

/** Decodes bytes from encodeTxn; throws CorruptDataError on any corruption. */
export function decodeTxn(bytes: Uint8Array): { header: TxnHeader; txn: Txn } {
  if (bytes.length > txnBytesMax) throw new CorruptDataError(`txn of ${bytes.length} bytes over limit ${txnBytesMax}`);
  const input = new ByteReader(bytes);
  const version = input.u8('txn format version');
  if (version !== txnFormatVersion) throw new CorruptDataError(`unknown txn format version ${version}`);
  const header: TxnHeader = {
    sessionId: input.i64('sessionId'),
    cxid: input.i32('cxid'),
    zxid: input.i64('zxid'),
    time: input.f64('time'),
    type: input.i32('type'),
  };
  const txn = readBody(input, header.type, true);
  input.end('txn');
  return { header, txn };
}

function writeBody(out: ByteWriter, txn: Txn): void {
  switch (txn.type) {
    case TxnType.create:
      writeCreate(out, txn.path, txn.data, txn.acl);
      out.u8(txn.ephemeral ? 1 : 0);
      out.i32(txn.parentCVersion);
      return;
    case TxnType.createContainer:
      writeCreate(out, txn.path, txn.data, txn.acl);
      out.i32(txn.parentCVersion);
      return;
    case TxnType.createTTL:
      writeCreate(out, txn.path, txn.data, txn.acl);
      out.i32(txn.parentCVersion);
      out.i64(txn.ttl);
      return;
    case TxnType.delete:
    case TxnType.deleteContainer:
      out.string(txn.path);
      return;
    case TxnType.setData:
      out.string(txn.path);
      out.nodeData(txn.data);
      out.i32(txn.version);
      return;
    case TxnType.setACL:
      out.string(txn.path);
      out.acl(txn.acl);
      out.i32(txn.version);
      return;
    case TxnType.check:
      out.string(txn.path);
      out.i32(txn.version);
      return;
    case TxnType.createSession:
      out.i32(txn.timeOut);
      return;
    case TxnType.closeSession:
      writeCloseSession(out, txn.paths2Delete);
      return;
    case TxnType.error:
      out.i32(txn.err);
      return;
    case TxnType.multi:
      out.u32(txn.txns.length);
      for (const op of txn.txns) {
        out.i32(op.type);
        writeBody(out, op);
      }
      return;
    default:
      unreachable(txn, 'txn type');
  }
}

function writeCreate(out: ByteWriter, path: string, data: Uint8Array | null, acl: readonly ACL[]): void {
  out.string(path);
  out.nodeData(data);
  out.acl(acl);
}

/** paths2Delete is optional (older CloseSessionTxn): u8 presence flag first. */
function writeCloseSession(out: ByteWriter, paths2Delete: readonly string[] | undefined): void {
  out.u8(paths2Delete === undefined ? 0 : 1);
  if (paths2Delete === undefined) return;
  out.u32(paths2Delete.length);
  for (const path of paths2Delete) out.string(path);
}

function readBody(input: ByteReader, type: number, topLevel: boolean): Txn {
  switch (type) {
    case TxnType.create: {
      const { path, data, acl } = readCreate(input);
      const ephemeralByte = input.u8('ephemeral');
      if (ephemeralByte > 1) throw new CorruptDataError(`ephemeral flag ${ephemeralByte}`);
      return { type, path, data, acl, ephemeral: ephemeralByte === 1, parentCVersion: input.i32('parentCVersion') };
    }
    case TxnType.createContainer:
      return { type, ...readCreate(input), parentCVersion: input.i32('parentCVersion') };
    case TxnType.createTTL: {
      const create = readCreate(input);
      const parentCVersion = input.i32('parentCVersion');
      return { type, ...create, parentCVersion, ttl: input.i64('ttl') };
    }
    case TxnType.delete:
    case TxnType.deleteContainer:
      return { type, path: readPath(input) };
    case TxnType.setData: {
      const path = readPath(input);
      const data = input.nodeData('data', dataBytesMax);
      return { type, path, data, version: input.i32('version') };
    }
    case TxnType.setACL: {
      const path = readPath(input);
      const acl = input.acl('setACL');
      return { type, path, acl, version: input.i32('version') };
    }
    case TxnType.check: {
      const path = readPath(input);
      return { type, path, version: input.i32('version') };
    }
    case TxnType.error:
      return { type, err: input.i32('err') };
    default:
      return readTopLevelBody(input, type, topLevel);
  }
}

function readTopLevelBody(input: ByteReader, type: number, topLevel: boolean): Txn {
  if (!topLevel) throw new CorruptDataError(`txn type ${type} not allowed inside a multi`);
  switch (type) {
    case TxnType.createSession:
      return { type, timeOut: input.i32('timeOut') };
    case TxnType.closeSession: {
      const present = input.u8('paths2Delete flag');
      if (present > 1) throw new CorruptDataError(`paths2Delete flag ${present}`);
      if (present === 0) return { type };
      const count = input.count('paths2Delete count', paths2DeleteMax, 4);
      const paths: string[] = [];
      for (let i = 0; i < count; i++) paths.push(readPath(input));
      return { type, paths2Delete: paths };
    }
    case TxnType.multi: {
      const count = input.count('multi op count', multiOpsMax, 8);
      const txns: MultiSubTxn[] = [];
      for (let i = 0; i < count; i++) {
        const opType = input.i32('multi op type');
        if (!isMultiSubTxnType(opType)) throw new CorruptDataError(`txn type ${opType} not allowed inside a multi`);
        txns.push(readBody(input, opType, false) as MultiSubTxn);
      }
      return { type, txns };
    }
    default:
      throw new CorruptDataError(`unknown txn type ${type}`);
  }
}

function readPath(input: ByteReader): string {
  return input.string('path', pathBytesMax);
}

function readCreate(input: ByteReader): { path: string; data: Uint8Array | null; acl: ACL[] } {
  const path = readPath(input);
  const data = input.nodeData('data', dataBytesMax);
  return { path, data, acl: input.acl('create') };
}

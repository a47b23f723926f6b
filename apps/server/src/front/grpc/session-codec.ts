/**
 * corral.v1.SessionResponse encoded by hand, and the common SessionRequests
 * decoded by hand, for the Session stream's hot path. proto-loader's codec
 * builds a plain object per reply, converts it with protobufjs' fromObject
 * (int64 fields through Long.fromString) and encodes that: about a fifth of
 * the server's CPU per reply. Here a reply goes straight from the wire types
 * to bytes, and the bytes are exactly those protobufjs wrote for the object
 * the front end used to build (session-codec.test.ts checks that on random
 * messages of every kind), so clients in any language see no change.
 *
 * protobufjs writes every field the object set, zeros included (`code: 0`,
 * `version: 0`), so this encoder does too: byte-for-byte equality is the
 * simplest contract to test, and the few extra bytes are what clients got
 * before.
 */
import { ZkCode, zkCodeName } from '@corral/base';
import { OpCode, type ClientResponse, type ConnectResponse, type MultiResult, type ReplyHeader, type Stat } from '@corral/wire';
import type { CallMsg, SessionRequestMsg } from './proto-types.js';

// ---- writer ----------------------------------------------------------------

const varintType = 0;
const lengthType = 2;
/** 2^32, to split a safe integer into 32-bit halves. */
const twoTo32 = 0x1_0000_0000;

/**
 * A growable buffer for one message at a time. Nested messages reserve one
 * length byte and move their body when it turns out longer than 127 bytes.
 */
class ProtoWriter {
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;

  reset(): void {
    this.pos = 0;
  }

  /** A copy of what was written: the scratch buffer is reused by the next message. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** An unsigned varint below 2^32. */
  private varint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** An unsigned varint of the 64-bit value hi * 2^32 + lo (both as uint32). */
  private varint64(lo: number, hi: number): void {
    if (hi === 0) {
      this.varint32(lo);
      return;
    }
    this.ensure(10);
    let low = lo >>> 0;
    let high = hi >>> 0;
    while (high > 0 || low > 0x7f) {
      this.buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.buf[this.pos++] = low;
  }

  private tag(field: number, wireType: number): void {
    this.varint32((field << 3) | wireType);
  }

  uint32(field: number, value: number): void {
    this.tag(field, varintType);
    this.varint32(value);
  }

  /** int32 and enums: a negative value is sign-extended to ten bytes, as protobuf requires. */
  int32(field: number, value: number): void {
    this.tag(field, varintType);
    if (value >= 0) this.varint32(value);
    else this.varint64(value, -1);
  }

  sint32(field: number, value: number): void {
    this.tag(field, varintType);
    this.varint32((value << 1) ^ (value >> 31));
  }

  bool(field: number, value: boolean): void {
    this.tag(field, varintType);
    this.varint32(value ? 1 : 0);
  }

  /** int64 from a number (a safe integer, e.g. a time in ms). */
  int64Number(field: number, value: number): void {
    if (value >= 0 && value < twoTo32) {
      this.uint32(field, value);
      return;
    }
    if (Number.isSafeInteger(value)) {
      this.tag(field, varintType);
      const hi = Math.floor(value / twoTo32);
      this.varint64(value - hi * twoTo32, hi);
      return;
    }
    this.int64(field, BigInt(Math.trunc(value)));
  }

  /** int64 from a bigint (zxids, session ids), two's complement below zero. */
  int64(field: number, value: bigint): void {
    if (value >= 0n && value < 0x1_0000_0000n) {
      this.uint32(field, Number(value));
      return;
    }
    const bits = BigInt.asUintN(64, value);
    this.tag(field, varintType);
    this.varint64(Number(bits & 0xffff_ffffn), Number(bits >> 32n));
  }

  string(field: number, value: string): void {
    this.tag(field, lengthType);
    // At most three bytes per UTF-16 unit; one length byte covers up to 127 of them.
    this.ensure(5 + value.length * 3);
    if (value.length < 43) {
      const at = this.pos++;
      const written = this.buf.write(value, this.pos, 'utf8');
      this.buf[at] = written;
      this.pos += written;
      return;
    }
    const length = Buffer.byteLength(value, 'utf8');
    this.varint32(length);
    this.pos += this.buf.write(value, this.pos, 'utf8');
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, lengthType);
    this.varint32(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Starts a nested message: returns where its body begins. */
  fork(field: number): number {
    this.tag(field, lengthType);
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  /** Ends the nested message begun at `start`, writing its length before it. */
  join(start: number): void {
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[start - 1] = length;
      return;
    }
    let extra = 0;
    for (let v = length >>> 7; v > 0; v >>>= 7) extra += 1;
    this.ensure(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    this.pos = start - 1;
    this.varint32(length);
    this.pos = start + extra + length;
  }

  /** An empty nested message (`{}` of type Empty or a message with no fields set). */
  empty(field: number): void {
    this.tag(field, lengthType);
    this.varint32(0);
  }
}

const writer = new ProtoWriter();

// ---- SessionResponse -------------------------------------------------------

/** Field numbers of SessionResponse.kind. */
const Kind = { opened: 1, reply: 2, event: 3, pong: 4, authOk: 5, closed: 6, batch: 7 } as const;

/** Reply.result's field number for each Call case (they share names). */
const replyResultField: Readonly<Record<string, number>> = {
  create: 10, delete: 11, exists: 12, getData: 13, setData: 14, getChildren: 15, getAllChildrenNumber: 16, getAcl: 17,
  setAcl: 18, multi: 19, multiRead: 20, sync: 21, whoAmI: 22, addWatch: 23, removeWatches: 24, getEphemerals: 25, setWatches: 26,
};

function stat(w: ProtoWriter, field: number, s: Stat): void {
  const at = w.fork(field);
  w.int64(1, s.czxid);
  w.int64(2, s.mzxid);
  w.int64Number(3, s.ctime);
  w.int64Number(4, s.mtime);
  w.int32(5, s.version);
  w.int32(6, s.cversion);
  w.int32(7, s.aversion);
  w.int64(8, s.ephemeralOwner);
  w.int32(9, s.dataLength);
  w.int32(10, s.numChildren);
  w.int64(11, s.pzxid);
  w.join(at);
}

function strings(w: ProtoWriter, field: number, list: readonly string[]): void {
  for (const item of list) w.string(field, item);
}

/** CreateResponse {path, stat?, zxid}. */
function createResult(w: ProtoWriter, field: number, path: string, s: Stat | null, zxid: bigint): void {
  const at = w.fork(field);
  w.string(1, path);
  if (s !== null) stat(w, 2, s);
  w.int64(3, zxid);
  w.join(at);
}

/** A message whose only field is a Stat (ExistsResponse has `exists` first). */
function statOnly(w: ProtoWriter, field: number, statField: number, s: Stat): void {
  const at = w.fork(field);
  stat(w, statField, s);
  w.join(at);
}

/** GetDataResponse {data? (optional: absent is null data), stat}. */
function getDataResult(w: ProtoWriter, field: number, data: Uint8Array | null, s: Stat): void {
  const at = w.fork(field);
  if (data !== null) w.bytes(1, data);
  stat(w, 2, s);
  w.join(at);
}

/** GetChildrenResponse {children, stat?}. */
function childrenResult(w: ProtoWriter, field: number, children: readonly string[], s: Stat | null): void {
  const at = w.fork(field);
  strings(w, 1, children);
  if (s !== null) stat(w, 2, s);
  w.join(at);
}

function zxidOnly(w: ProtoWriter, field: number, zxidField: number, zxid: bigint): void {
  const at = w.fork(field);
  w.int64(zxidField, zxid);
  w.join(at);
}

/** Reply.result for a successful reply; mirrors convert.ts' resultFor. */
function result(w: ProtoWriter, op: string, response: ClientResponse | null, zxid: bigint): void {
  if (response === null) {
    if (op === 'delete') zxidOnly(w, replyResultField['delete'] ?? 0, 1, zxid);
    else emptyResult(w, op);
    return;
  }
  switch (response.type) {
    case OpCode.create:
      createResult(w, 10, response.path, null, zxid);
      return;
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      createResult(w, 10, response.path, response.stat, zxid);
      return;
    case OpCode.exists: {
      const at = w.fork(12);
      w.bool(1, true);
      stat(w, 2, response.stat);
      w.join(at);
      return;
    }
    case OpCode.setData:
      statOnly(w, 14, 1, response.stat);
      return;
    case OpCode.setACL:
      statOnly(w, 18, 1, response.stat);
      return;
    case OpCode.getData:
      getDataResult(w, 13, response.data, response.stat);
      return;
    case OpCode.getACL: {
      const at = w.fork(17);
      for (const acl of response.acl) {
        const entry = w.fork(1);
        w.uint32(1, acl.perms);
        const id = w.fork(2);
        w.string(1, acl.id.scheme);
        w.string(2, acl.id.id);
        w.join(id);
        w.join(entry);
      }
      stat(w, 2, response.stat);
      w.join(at);
      return;
    }
    case OpCode.getChildren:
      childrenResult(w, 15, response.children, null);
      return;
    case OpCode.getChildren2:
      childrenResult(w, 15, response.children, response.stat);
      return;
    case OpCode.getAllChildrenNumber: {
      const at = w.fork(16);
      w.int32(1, response.totalNumber);
      w.join(at);
      return;
    }
    case OpCode.getEphemerals: {
      const at = w.fork(25);
      strings(w, 1, response.ephemerals);
      w.join(at);
      return;
    }
    case OpCode.sync: {
      const at = w.fork(21);
      w.string(1, response.path);
      w.int64(2, zxid);
      w.join(at);
      return;
    }
    case OpCode.whoAmI: {
      const at = w.fork(22);
      for (const info of response.clientInfo) {
        const entry = w.fork(1);
        w.string(1, info.authScheme);
        w.string(2, info.user);
        w.join(entry);
      }
      w.join(at);
      return;
    }
    case OpCode.multi: {
      const at = w.fork(19);
      for (const r of response.results) multiResult(w, r, zxid);
      w.int64(2, zxid);
      w.join(at);
      return;
    }
    case OpCode.multiRead: {
      const at = w.fork(20);
      for (const r of response.results) readResult(w, r);
      w.join(at);
      return;
    }
    default:
      emptyResult(w, op);
  }
}

function emptyResult(w: ProtoWriter, op: string): void {
  const field = replyResultField[op];
  if (field !== undefined) w.empty(field);
}

/** MultiResponse.results[i] (a MultiResult); mirrors convert.ts' multiResult. */
function multiResult(w: ProtoWriter, r: MultiResult, zxid: bigint): void {
  const at = w.fork(1);
  switch (r.type) {
    case OpCode.create:
      createResult(w, 1, r.path, null, zxid);
      break;
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      createResult(w, 1, r.path, r.stat, zxid);
      break;
    case OpCode.setData:
      statOnly(w, 3, 1, r.stat);
      break;
    case OpCode.delete:
      zxidOnly(w, 2, 1, zxid);
      break;
    default:
      w.empty(4);
  }
  w.join(at);
}

/** MultiReadResponse.results[i] (a ReadResult); mirrors convert.ts' readResult. */
function readResult(w: ProtoWriter, r: MultiResult): void {
  const at = w.fork(1);
  switch (r.type) {
    case OpCode.getData:
      getDataResult(w, 1, r.data, r.stat);
      break;
    case OpCode.getChildren:
      childrenResult(w, 2, r.children, null);
      break;
    default: {
      const code = r.type === OpCode.error ? r.err : ZkCode.SYSTEMERROR;
      const detail = w.fork(3);
      w.sint32(1, code);
      w.string(2, r.type === OpCode.error ? '' : 'SYSTEMERROR');
      w.string(3, '');
      w.int32(4, -1);
      w.join(detail);
    }
  }
  w.join(at);
}

/**
 * SessionResponse{reply} for one reply. `op` is the Call's oneof case;
 * `failure` the first failing op of a failed multi (its code is the reply's).
 */
export function encodeReply(
  header: ReplyHeader, response: ClientResponse | null, op: string, failure: { index: number; code: number } | null,
): Buffer {
  const w = writer;
  w.reset();
  const at = w.fork(Kind.reply);
  w.uint32(1, header.xid);
  w.int64(2, header.zxid);
  let code = failure?.code ?? header.err;
  const notFound = failure === null && code === ZkCode.NONODE && op === 'exists';
  // exists on a missing node is an answer, not an error: OK with exists = false.
  if (notFound) code = ZkCode.OK;
  w.sint32(3, code);
  w.string(4, zkCodeName(code));
  if (notFound) {
    const exists = w.fork(12);
    w.bool(1, false);
    w.join(exists);
  } else if (failure === null && code === ZkCode.OK) result(w, op, response, header.zxid);
  if (failure !== null) w.int32(30, failure.index);
  w.join(at);
  return w.finish();
}

/** SessionResponse{event}. */
export function encodeEvent(type: number, path: string): Buffer {
  const w = writer;
  w.reset();
  const at = w.fork(Kind.event);
  w.int32(1, type);
  w.string(2, path);
  w.join(at);
  return w.finish();
}

/** SessionResponse{opened}; `batches` says this server takes CallBatch (always, since it exists); `read_only` a read-only session. */
export function encodeOpened(response: ConnectResponse, batches = true): Buffer {
  const w = writer;
  w.reset();
  const at = w.fork(Kind.opened);
  w.int64(1, response.sessionId);
  w.bytes(2, response.passwd);
  w.int32(3, response.timeOut);
  if (batches) w.bool(4, true);
  if (response.readOnly) w.bool(5, true);
  w.join(at);
  return w.finish();
}

/** Bytes a varint of `value` (below 2^32) takes. */
function varintLength(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : value < 0x1000_0000 ? 4 : 5;
}

/**
 * SessionResponse{batch: ResponseBatch{responses}} from SessionResponses
 * already encoded: each is copied in as field 1 of the batch, no re-encoding.
 */
export function encodeBatch(responses: readonly Buffer[]): Buffer {
  let bodyLength = 0;
  for (const response of responses) bodyLength += 1 + varintLength(response.length) + response.length;
  const out = Buffer.allocUnsafe(1 + varintLength(bodyLength) + bodyLength);
  out[0] = (Kind.batch << 3) | lengthType;
  let pos = putVarint(out, 1, bodyLength);
  for (const response of responses) {
    out[pos++] = (1 << 3) | lengthType;
    pos = putVarint(out, pos, response.length);
    pos += response.copy(out, pos);
  }
  return out;
}

function putVarint(buf: Buffer, start: number, value: number): number {
  let pos = start;
  let v = value >>> 0;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** The three SessionResponses without a body: `{pong: {}}`, `{authOk: {}}`, `{closed: {}}`. */
export const pongBytes = Buffer.from([(Kind.pong << 3) | lengthType, 0]);
export const authOkBytes = Buffer.from([(Kind.authOk << 3) | lengthType, 0]);
export const closedBytes = Buffer.from([(Kind.closed << 3) | lengthType, 0]);

// ---- SessionRequest ----------------------------------------------------------

/**
 * Reads the Calls a session stream carries most — create, delete, exists,
 * getData, setData, getChildren without a `session` field — into exactly the
 * object proto-loader makes of them (`defaults: true, oneofs: true,
 * longs: String`; session-codec.test.ts compares the two). Anything else, or
 * anything unusual (a field repeated, an unknown field, a wrong wire type),
 * returns null so the caller falls back to proto-loader.
 */
export function decodeCommonRequest(buf: Buffer): SessionRequestMsg | null {
  return guarded(() => decodeRequest(new ProtoReader(buf), buf.length));
}

/** Field numbers of SessionRequest.kind read here. */
const RequestKind = { call: 2, calls: 6 } as const;

function decodeRequest(r: ProtoReader, length: number): SessionRequestMsg | null {
  // SessionRequest: exactly one field, `call` (2) or `calls` (6).
  const tag = r.tag();
  if (tag !== ((RequestKind.call << 3) | lengthType) && tag !== ((RequestKind.calls << 3) | lengthType)) return null;
  const end = r.lengthEnd();
  if (end !== length) return null;
  if (tag >>> 3 === RequestKind.call) {
    const call = decodeCall(r, end);
    return call === null ? null : { call, kind: 'call' };
  }
  // CallBatch: field 1 (Call), repeated; an empty batch is a batch too.
  const calls: CallMsg[] = [];
  while (r.pos < end) {
    if (r.tag() !== ((1 << 3) | lengthType)) return null;
    const callEnd = r.lengthEnd();
    const call = decodeCall(r, callEnd);
    if (call === null) return null;
    calls.push(call);
  }
  return { calls: { calls }, kind: 'calls' };
}

/** One Call's fields, from r.pos to `end`. */
function decodeCall(r: ProtoReader, end: number): CallMsg | null {
  let id = 0;
  let sawId = false;
  let op: string | null = null;
  let body: object | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | varintType) && !sawId) {
      sawId = true;
      id = r.varint32() >>> 0;
      continue;
    }
    if ((tag & 7) !== lengthType || op !== null) return null;
    const field = tag >>> 3;
    const bodyEnd = r.lengthEnd();
    switch (field) {
      case 2: op = 'create'; body = readCreate(r, bodyEnd); break;
      case 3: op = 'delete'; body = readPathDataVersion(r, bodyEnd, 0, 2); break;
      case 4: op = 'exists'; body = readPathWatch(r, bodyEnd); break;
      case 5: op = 'getData'; body = readPathWatch(r, bodyEnd); break;
      case 6: op = 'setData'; body = readPathDataVersion(r, bodyEnd, 2, 3); break;
      case 7: op = 'getChildren'; body = readPathWatch(r, bodyEnd); break;
      default: return null;
    }
    if (body === null || r.pos !== bodyEnd) return null;
  }
  if (op === null || r.pos !== end) return null;
  return { id, op, [op]: body };
}

/** Thrown inside the reader when the input is cut short; caught as "fall back". */
class Truncated extends Error {}

class ProtoReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  varint32(): number {
    let result = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.buf.length) throw new Truncated();
      const byte = this.buf[this.pos++] ?? 0;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
    throw new Truncated();
  }

  tag(): number {
    return this.varint32() >>> 0;
  }

  /** Reads a length prefix; returns where that field's bytes end. */
  lengthEnd(): number {
    const length = this.varint32() >>> 0;
    const end = this.pos + length;
    if (end > this.buf.length) throw new Truncated();
    return end;
  }

  string(): string {
    const end = this.lengthEnd();
    const value = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return value;
  }

  bytes(): Buffer {
    const end = this.lengthEnd();
    const value = this.buf.subarray(this.pos, end);
    this.pos = end;
    return value;
  }

  /** int64 as protobufjs' toObject with `longs: String` gives it: signed decimal. */
  int64String(): string {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw new Truncated();
      const byte = this.buf[this.pos++] ?? 0;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, value).toString();
    }
    throw new Truncated();
  }
}

function guarded<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if (error instanceof Truncated) return null;
    throw error;
  }
}

/** ExistsRequest / GetDataRequest / GetChildrenRequest {path 1, watch 2}. */
function readPathWatch(r: ProtoReader, end: number): object | null {
  return guarded(() => {
    let path: string | null = null;
    let watch: boolean | null = null;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === ((1 << 3) | lengthType) && path === null) path = r.string();
      else if (tag === ((2 << 3) | varintType) && watch === null) watch = r.varint32() !== 0;
      else return null;
    }
    return { path: path ?? '', watch: watch ?? false, session: null };
  });
}

/**
 * DeleteRequest {path 1, optional version 2} and SetDataRequest {path 1,
 * optional data 2, optional version 3}: `dataField` 0 when there is no data.
 */
function readPathDataVersion(r: ProtoReader, end: number, dataField: number, versionField: number): object | null {
  return guarded(() => {
    let path: string | null = null;
    let data: Buffer | null = null;
    let version: number | null = null;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === ((1 << 3) | lengthType) && path === null) path = r.string();
      else if (dataField !== 0 && tag === ((dataField << 3) | lengthType) && data === null) data = r.bytes();
      else if (tag === ((versionField << 3) | varintType) && version === null) version = r.varint32();
      else return null;
    }
    const message: Record<string, unknown> = { path: path ?? '', session: null };
    if (data !== null) Object.assign(message, { data, _data: 'data' });
    if (version !== null) Object.assign(message, { version, _version: 'version' });
    return message;
  });
}

/** CreateRequest {path 1, optional data 2, acl 3, mode 4, ttl_ms 5}. */
function readCreate(r: ProtoReader, end: number): object | null {
  return guarded(() => {
    let path: string | null = null;
    let data: Buffer | null = null;
    let mode: number | null = null;
    let ttlMs: string | null = null;
    const acl: object[] = [];
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === ((1 << 3) | lengthType) && path === null) path = r.string();
      else if (tag === ((2 << 3) | lengthType) && data === null) data = r.bytes();
      else if (tag === ((3 << 3) | lengthType)) {
        const entry = readAcl(r, r.lengthEnd());
        if (entry === null) return null;
        acl.push(entry);
      } else if (tag === ((4 << 3) | varintType) && mode === null) mode = r.varint32();
      else if (tag === ((5 << 3) | varintType) && ttlMs === null) ttlMs = r.int64String();
      else return null;
    }
    const message: Record<string, unknown> = { acl, path: path ?? '', mode: mode ?? 0, ttlMs: ttlMs ?? '0', session: null };
    if (data !== null) Object.assign(message, { data, _data: 'data' });
    return message;
  });
}

/** ACL {perms 1, id 2: Id {scheme 1, id 2}}. */
function readAcl(r: ProtoReader, end: number): object | null {
  let perms: number | null = null;
  let id: { scheme: string; id: string } | null = null;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | varintType) && perms === null) perms = r.varint32() >>> 0;
    else if (tag === ((2 << 3) | lengthType) && id === null) {
      const idEnd = r.lengthEnd();
      let scheme: string | null = null;
      let value: string | null = null;
      while (r.pos < idEnd) {
        const idTag = r.tag();
        if (idTag === ((1 << 3) | lengthType) && scheme === null) scheme = r.string();
        else if (idTag === ((2 << 3) | lengthType) && value === null) value = r.string();
        else return null;
      }
      if (r.pos !== idEnd) return null;
      id = { scheme: scheme ?? '', id: value ?? '' };
    } else return null;
  }
  if (r.pos !== end) return null;
  return { perms: perms ?? 0, id };
}

// Goal: the hand-written Session codec changes no byte a client sees. Every
// SessionResponse it encodes equals, byte for byte, what proto-loader
// (protobufjs) encoded from the plain object the front end built before
// (that object is rebuilt here from convert.ts, as session-stream.ts did),
// for random replies of every result kind, multi failures, events and the
// bodiless kinds; and every SessionRequest it decodes gives exactly
// proto-loader's object, while anything it does not handle (other kinds,
// repeated or unknown fields, cut or random bytes) is left to proto-loader.
// Method: fast-check properties against the real proto files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ZkCode, zkCodeName } from '@corral/base';
import { OpCode, type ClientResponse, type ReplyHeader, type Stat } from '@corral/wire';
import { multiFailure, resultFor } from './convert.js';
import { loadClientApi } from './grpc-front.js';
import { authOkBytes, closedBytes, decodeCommonRequest, encodeBatch, encodeEvent, encodeOpened, encodeReply, pongBytes } from './session-codec.js';

type Method = { requestSerialize: (value: object) => Buffer; requestDeserialize: (bytes: Buffer) => unknown; responseSerialize: (value: object) => Buffer; responseDeserialize: (bytes: Buffer) => unknown };
const session = (loadClientApi()['corral.v1.Corral'] as unknown as Record<string, Method>)['Session'] as Method;

/** The SessionResponse object session-stream.ts handed proto-loader before the hand-written codec. */
function replyObject(header: ReplyHeader, response: ClientResponse | null, op: string): object {
  const failure = multiFailure(response);
  const code = failure?.code ?? header.err;
  const reply: Record<string, unknown> = { id: header.xid, zxid: header.zxid.toString(), code, codeName: zkCodeName(code) };
  if (failure !== null) reply['opIndex'] = failure.index;
  else if (code === ZkCode.OK) Object.assign(reply, resultFor(op, response, header.zxid));
  else if (op === 'exists' && code === ZkCode.NONODE) Object.assign(reply, { code: ZkCode.OK, codeName: 'OK', exists: { exists: false } });
  return { reply };
}

// ---- arbitraries ------------------------------------------------------------

const int64 = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), fc.bigInt({ min: -(1n << 63n), max: -1n }));
const int32 = fc.oneof(fc.integer({ min: -2, max: 300 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const time = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 42 }), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 40), max: -1 }));
// Strings as the server has them: decoded from UTF-8, so any code point but no lone surrogate.
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ minLength: 100, maxLength: 300 }));
const data = fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 120, maxLength: 600 }));
const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: int64, mzxid: int64, ctime: time, mtime: time, version: int32, cversion: int32, aversion: int32, ephemeralOwner: int64,
  dataLength: int32, numChildren: int32, pzxid: int64,
});
const names = fc.array(text, { maxLength: 12 });
const acl = fc.array(fc.record({ perms: fc.nat({ max: 31 }), id: fc.record({ scheme: text, id: text }) }), { maxLength: 4 });

const single: fc.Arbitrary<ClientResponse> = fc.oneof(
  fc.record({ type: fc.constant(OpCode.create), path: text }),
  fc.record({ type: fc.constantFrom(OpCode.create2, OpCode.createTTL, OpCode.createContainer), path: text, stat }),
  fc.record({ type: fc.constantFrom(OpCode.exists, OpCode.setData, OpCode.setACL), stat }),
  fc.record({ type: fc.constantFrom(OpCode.getData, OpCode.reconfig), data, stat }),
  fc.record({ type: fc.constant(OpCode.getACL), acl, stat }),
  fc.record({ type: fc.constant(OpCode.getChildren), children: names }),
  fc.record({ type: fc.constant(OpCode.getChildren2), children: names, stat }),
  fc.record({ type: fc.constant(OpCode.getAllChildrenNumber), totalNumber: int32 }),
  fc.record({ type: fc.constant(OpCode.getEphemerals), ephemerals: names }),
  fc.record({ type: fc.constant(OpCode.sync), path: text }),
  fc.record({ type: fc.constant(OpCode.whoAmI), clientInfo: fc.array(fc.record({ authScheme: text, user: text }), { maxLength: 3 }) }),
  fc.record({ type: fc.constant(OpCode.sasl), token: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ type: fc.constantFrom(OpCode.delete, OpCode.check, OpCode.addWatch, OpCode.removeWatches, OpCode.setWatches2) }),
);
const errorResult = fc.record({ type: fc.constant(OpCode.error), err: fc.constantFrom(0, ZkCode.NONODE, ZkCode.BADVERSION, ZkCode.RUNTIMEINCONSISTENCY, -999) });
const multiResults = fc.array(fc.oneof(single, errorResult), { maxLength: 6 });
const response: fc.Arbitrary<ClientResponse | null> = fc.oneof(
  { arbitrary: single, weight: 6 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.record({ type: fc.constantFrom(OpCode.multi, OpCode.multiRead), results: multiResults }), weight: 2 },
);
const op = fc.constantFrom(
  'create', 'delete', 'exists', 'getData', 'setData', 'getChildren', 'getAllChildrenNumber', 'getAcl', 'setAcl', 'multi', 'multiRead',
  'sync', 'whoAmI', 'addWatch', 'removeWatches', 'getEphemerals', 'setWatches', 'unknown',
);
const header: fc.Arbitrary<ReplyHeader> = fc.record({
  xid: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  zxid: int64,
  err: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.constantFrom(ZkCode.NONODE, ZkCode.NODEEXISTS, ZkCode.BADVERSION, ZkCode.NOAUTH, -1234), weight: 1 }),
});

// ---- responses --------------------------------------------------------------

test('a reply of every kind encodes to the bytes proto-loader wrote for the object the front end built', () => {
  fc.assert(
    fc.property(header, response, op, (h, r, o) => {
      const expected = session.responseSerialize(replyObject(h, r, o));
      assert.deepEqual(encodeReply(h, r, o, multiFailure(r)), expected);
    }),
    { numRuns: 3000 },
  );
});

test('exists on a missing node and a failed multi encode as before', () => {
  const h = { xid: 7, zxid: 0n, err: ZkCode.NONODE };
  assert.deepEqual(encodeReply(h, null, 'exists', null), session.responseSerialize(replyObject(h, null, 'exists')));
  const failed: ClientResponse = { type: OpCode.multi, results: [{ type: OpCode.error, err: 0 }, { type: OpCode.error, err: ZkCode.BADVERSION }] };
  const ok = { xid: 8, zxid: 5n, err: 0 };
  assert.deepEqual(encodeReply(ok, failed, 'multi', multiFailure(failed)), session.responseSerialize(replyObject(ok, failed, 'multi')));
  assert.deepEqual(session.responseDeserialize(encodeReply(ok, failed, 'multi', multiFailure(failed))), {
    kind: 'reply', reply: { id: 8, zxid: '5', code: ZkCode.BADVERSION, codeName: 'BADVERSION', opIndex: 1 },
  });
});

test('events, opened and the bodiless responses encode as before', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 7 }), text, (type, path) => {
      assert.deepEqual(encodeEvent(type, path), session.responseSerialize({ event: { type, path } }));
    }),
  );
  fc.assert(
    fc.property(int64, fc.uint8Array({ minLength: 16, maxLength: 16 }), int32, (sessionId, passwd, timeOut) => {
      const expected = session.responseSerialize({ opened: { sessionId: sessionId.toString(), password: Buffer.from(passwd), timeoutMs: timeOut, batches: true } });
      assert.deepEqual(encodeOpened({ protocolVersion: 0, timeOut, sessionId, passwd, readOnly: false }), expected);
    }),
  );
  assert.deepEqual(pongBytes, session.responseSerialize({ pong: {} }));
  assert.deepEqual(authOkBytes, session.responseSerialize({ authOk: {} }));
  assert.deepEqual(closedBytes, session.responseSerialize({ closed: {} }));
});

test('a batch is the ResponseBatch of its responses, each read back in order', () => {
  const event = fc.record({ type: fc.integer({ min: 0, max: 7 }), path: text });
  fc.assert(
    fc.property(fc.array(event, { minLength: 1, maxLength: 40 }), (events) => {
      const batch = encodeBatch([...events.map((e) => encodeEvent(e.type, e.path)), pongBytes]);
      const plain = events.map((e) => ({ type: e.type, path: e.path }));
      const responses = [...plain.map((e) => ({ event: e })), { pong: {} }];
      assert.deepEqual(batch, session.responseSerialize({ batch: { responses } }));
      const decoded = session.responseDeserialize(batch) as { batch: { responses: { event?: unknown; pong?: unknown }[] } };
      assert.deepEqual(decoded.batch.responses.map((r) => r.event ?? 'pong'), [...plain, 'pong']);
    }),
  );
});

// ---- requests ---------------------------------------------------------------

const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arbitrary, { nil: undefined });
const bytes = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));
const pathWatch = fc.record({ path: optional(text), watch: optional(fc.boolean()) }, { requiredKeys: [] });
const aclMsg = fc.record({ perms: optional(fc.nat()), id: optional(fc.record({ scheme: optional(text), id: optional(text) }, { requiredKeys: [] })) }, { requiredKeys: [] });
const sessionRef = fc.record({ sessionId: int64.map(String), password: bytes });
const callBody = fc.oneof(
  fc.record({ getData: pathWatch }), fc.record({ exists: pathWatch }), fc.record({ getChildren: pathWatch }),
  fc.record({ setData: fc.record({ path: optional(text), data: optional(bytes), version: optional(int32) }, { requiredKeys: [] }) }),
  fc.record({ delete: fc.record({ path: optional(text), version: optional(int32) }, { requiredKeys: [] }) }),
  fc.record({
    create: fc.record({
      path: optional(text), data: optional(bytes), acl: optional(fc.array(aclMsg, { maxLength: 3 })), mode: optional(fc.integer({ min: -1, max: 6 })),
      ttlMs: optional(int64.map(String)),
    }, { requiredKeys: [] }),
  }),
  // Kinds and fields the hand-written decoder leaves to proto-loader.
  fc.record({ getData: fc.record({ path: text, session: sessionRef }) }),
  fc.record({ sync: fc.record({ path: text }) }),
  fc.record({ multi: fc.record({ ops: fc.array(fc.record({ delete: fc.record({ path: text }) }), { maxLength: 2 }) }) }),
);
const call = fc.tuple(optional(fc.nat()), callBody).map(([id, body]) => ({ ...(id === undefined ? {} : { id }), ...body }));
const request = fc.oneof(
  { arbitrary: call.map((c) => ({ call: c })), weight: 8 },
  { arbitrary: fc.array(call, { maxLength: 5 }).map((calls) => ({ calls: { calls } })), weight: 3 },
  { arbitrary: fc.constantFrom({ ping: {} }, { close: {} }, { open: { timeoutMs: 5000 } }, { addAuth: { scheme: 'digest', auth: Buffer.from('a:b') } }), weight: 1 },
);

/** proto-loader's reading of `bytes`, or the error it throws. */
function reference(bytes: Buffer): unknown {
  try {
    return session.requestDeserialize(bytes);
  } catch (error) {
    return error;
  }
}

test('a decoded request is exactly what proto-loader makes of it, or left to proto-loader', () => {
  let handled = 0;
  fc.assert(
    fc.property(request, (message) => {
      const bytes = session.requestSerialize(message);
      const fast = decodeCommonRequest(bytes);
      if (fast === null) return;
      handled += 1;
      assert.deepEqual(fast, session.requestDeserialize(bytes));
    }),
    { numRuns: 3000 },
  );
  assert.ok(handled > 1000, `only ${handled} of 3000 requests took the hand-written path`);
});

test('repeated fields, unknown fields, cut and random bytes are left to proto-loader or read alike', () => {
  const getData = session.requestSerialize({ call: { id: 1, getData: { path: '/a', watch: true } } });
  // Field 2 (call) twice: protobuf merges them; the decoder does not try.
  assert.equal(decodeCommonRequest(Buffer.concat([getData, getData])), null);
  // An unknown field 99 (varint) inside Call.
  const unknown = session.requestSerialize({ call: { id: 1, sync: { path: '/a' } } });
  assert.equal(decodeCommonRequest(unknown), null);
  fc.assert(
    fc.property(request, fc.nat(), (message, cut) => {
      const bytes = session.requestSerialize(message);
      const truncated = bytes.subarray(0, bytes.length === 0 ? 0 : cut % bytes.length);
      const fast = decodeCommonRequest(truncated);
      if (fast !== null) assert.deepEqual(fast, reference(truncated));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (random) => {
      const bytes = Buffer.from(random);
      const fast = decodeCommonRequest(bytes);
      if (fast !== null) assert.deepEqual(fast, reference(bytes));
    }),
    { numRuns: 2000 },
  );
});

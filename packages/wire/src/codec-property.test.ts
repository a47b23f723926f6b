/**
 * Goal: every record round-trips through encode → FrameDecoder → decode, and
 * no byte sequence makes a decoder throw anything but ProtocolError or
 * allocate from a length it has not checked. Method: fast-check with a logged
 * seed (FC_SEED reruns one), plus table cases for hostile lengths/counts that
 * must fail fast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aclArb, requestArb, responseArb, seed, statArb } from './arbitraries.test.js';
import { decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse } from './connect.js';
import { OpCode } from './constants.js';
import { FrameDecoder } from './frame-decoder.js';
import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { maxFrameBytesDefault } from './limits.js';
import { ProtocolError } from './protocol-error.js';
import { readAclVector, readStat, writeAclVector, writeStat } from './records.js';
import { decodeRequest, encodeRequest } from './request-codec.js';
import { decodeNotification, decodeReply, encodeReply, encodeWatcherEvent } from './reply-codec.js';
import { sampleRequests, sampleResponses } from './samples.test.js';

console.log(`# codec-property fast-check seed ${seed} (rerun with FC_SEED=${seed})`);

function unframe(frame: Uint8Array): Uint8Array {
  const decoder = new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault });
  decoder.push(frame);
  const body = decoder.next();
  assert.ok(body !== null);
  return body;
}

/** fast-check records have a null prototype; decoded records are plain objects. */
function plain<T>(value: T): T {
  return structuredClone(value);
}

/** Runs `decode`; passes if it returns or throws ProtocolError, fails on anything else. */
function onlyProtocolError(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });

test('property: every request round-trips', () => {
  fc.assert(
    fc.property(requestArb, int, (request, xid) => {
      const header = { xid, type: request.type };
      assert.deepEqual(decodeRequest(unframe(encodeRequest(header, request))), plain({ header, request }));
    }),
    { seed, numRuns: 2000 },
  );
});

test('property: every reply round-trips', () => {
  fc.assert(
    fc.property(responseArb, int, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (response, xid, zxid) => {
      fc.pre(xid !== -1);
      const header = { xid, zxid, err: 0 };
      assert.deepEqual(decodeReply(unframe(encodeReply(header, response)), response.type), plain({ header, response }));
    }),
    { seed, numRuns: 2000 },
  );
});

test('property: Stat, ACL vectors, connect records and notifications round-trip', () => {
  fc.assert(
    fc.property(statArb, aclArb, (stat, acl) => {
      const writer = new JuteWriter(1);
      writeStat(writer, stat);
      writeAclVector(writer, acl);
      const reader = new JuteReader(writer.toBuffer());
      assert.deepEqual(readStat(reader), plain(stat));
      assert.deepEqual(readAclVector(reader), plain(acl));
      reader.expectEnd('test');
    }),
    { seed, numRuns: 500 },
  );
  fc.assert(
    fc.property(
      fc.record({
        protocolVersion: int,
        lastZxidSeen: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        timeOut: int,
        sessionId: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        passwd: fc.uint8Array({ maxLength: 32 }),
        readOnly: fc.boolean(),
        omitsReadOnly: fc.boolean(),
      }),
      (request) => {
        const expected = plain({ ...request, readOnly: request.omitsReadOnly ? false : request.readOnly });
        assert.deepEqual(decodeConnectRequest(unframe(encodeConnectRequest(request))), expected);
        const { lastZxidSeen: _dropped, ...response } = expected;
        assert.deepEqual(decodeConnectResponse(unframe(encodeConnectResponse(response))), response);
      },
    ),
    { seed, numRuns: 500 },
  );
  fc.assert(
    fc.property(int, int, fc.string({ unit: 'binary' }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (type, state, path, zxid) => {
      assert.deepEqual(decodeNotification(unframe(encodeWatcherEvent({ type, state, path }, zxid))), {
        header: { xid: -1, zxid, err: 0 },
        event: { type, state, path },
      });
    }),
    { seed, numRuns: 300 },
  );
});

const decoders: { name: string; decode: (frame: Uint8Array) => unknown }[] = [
  { name: 'decodeRequest', decode: decodeRequest },
  { name: 'decodeConnectRequest', decode: decodeConnectRequest },
  { name: 'decodeConnectResponse', decode: decodeConnectResponse },
  { name: 'decodeNotification', decode: decodeNotification },
  ...Object.values(OpCode).map((type) => ({ name: `decodeReply(${type})`, decode: (frame: Uint8Array) => decodeReply(frame, type) })),
];

test('property: random bytes make decoders return or throw ProtocolError only', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...decoders), (frame, { decode }) => onlyProtocolError(() => decode(frame))),
    { seed, numRuns: 5000 },
  );
});

test('property: random requests with a plausible header throw only ProtocolError', () => {
  const opcodes = Object.values(OpCode);
  fc.assert(
    fc.property(int, fc.constantFrom(...opcodes), fc.uint8Array({ maxLength: 200 }), (xid, type, body) => {
      const frame = new Uint8Array(8 + body.length);
      new DataView(frame.buffer).setInt32(0, xid);
      new DataView(frame.buffer).setInt32(4, type);
      frame.set(body, 8);
      onlyProtocolError(() => decodeRequest(frame));
    }),
    { seed, numRuns: 5000 },
  );
});

test('property: truncated and corrupted valid frames throw only ProtocolError', () => {
  const requestFrames = sampleRequests.map((request) => ({ type: request.type, body: unframe(encodeRequest({ xid: 1, type: request.type }, request)) }));
  const replyFrames = sampleResponses.map((response) => ({ type: response.type, body: unframe(encodeReply({ xid: 1, zxid: 1n, err: 0 }, response)) }));
  fc.assert(
    fc.property(
      fc.constantFrom(...requestFrames, ...replyFrames),
      fc.boolean(),
      fc.nat(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      (sample, isRequest, cut, flips) => {
        const frame = Uint8Array.from(sample.body.subarray(0, cut % (sample.body.length + 1)));
        for (const [at, value] of flips) if (frame.length > 0) frame[at % frame.length] = value;
        onlyProtocolError(() => (isRequest ? decodeRequest(frame) : decodeReply(frame, sample.type)));
      },
    ),
    { seed, numRuns: 5000 },
  );
});

/** Builds a frame body from ints (4 bytes each) and raw byte arrays. */
function frameOf(...parts: (number | number[])[]): Uint8Array {
  const bytes: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') bytes.push((part >>> 24) & 255, (part >>> 16) & 255, (part >>> 8) & 255, part & 255);
    else bytes.push(...part);
  }
  return Uint8Array.from(bytes);
}

const path = [0, 0, 0, 2, 0x2f, 0x61];
const hostile: { name: string; frame: Uint8Array; reason: string }[] = [
  { name: 'create path of 2^31-1 bytes in a 20-byte frame', frame: frameOf(1, OpCode.create, 0x7fffffff, [1, 2, 3, 4, 5, 6, 7, 8]), reason: 'truncated' },
  { name: 'create data of 2^31-1 bytes', frame: frameOf(1, OpCode.create, path, 0x7fffffff, [0, 0]), reason: 'truncated' },
  { name: 'negative path length', frame: frameOf(1, OpCode.getData, -2, [0]), reason: 'bad-length' },
  { name: 'null path', frame: frameOf(1, OpCode.getData, -1, [0]), reason: 'null-field' },
  { name: 'ACL count 2^31-1', frame: frameOf(1, OpCode.create, path, 0, 0x7fffffff, 0), reason: 'bad-count' },
  { name: 'ACL count 100000 in a tiny frame', frame: frameOf(1, OpCode.create, path, 0, 100000, 0), reason: 'truncated' },
  { name: 'negative ACL count', frame: frameOf(1, OpCode.create, path, 0, -7, 0), reason: 'bad-count' },
  { name: 'setWatches count 2^24', frame: frameOf(-8, OpCode.setWatches, [0, 0, 0, 0, 0, 0, 0, 0], 1 << 24), reason: 'truncated' },
  { name: 'multi op type not allowed', frame: frameOf(1, OpCode.multi, OpCode.sync, [0], -1, path), reason: 'unknown-opcode' },
  { name: 'multi without terminator', frame: frameOf(1, OpCode.multi, OpCode.delete, [0], -1, path, 0), reason: 'truncated' },
  { name: 'header cut short', frame: frameOf([0, 0, 0]), reason: 'truncated' },
];

for (const { name, frame, reason } of hostile) {
  test(`hostile request: ${name} → ProtocolError(${reason})`, () => {
    const started = process.hrtime.bigint();
    assert.throws(() => decodeRequest(frame), (error: unknown) => error instanceof ProtocolError && error.reason === reason);
    assert.ok(Number(process.hrtime.bigint() - started) < 50e6, 'took more than 50 ms');
  });
}

test('bytes after a request record are ignored, as ZooKeeper reads only the record', () => {
  const decoded = decodeRequest(frameOf(1, OpCode.getData, path, [0, 9, 9, 9]));
  assert.deepEqual(decoded.request, { type: OpCode.getData, path: '/a', watch: false });
});

test('getEphemerals with a null prefix decodes as "" (every ephemeral of the session)', () => {
  const decoded = decodeRequest(frameOf(1, OpCode.getEphemerals, -1));
  assert.deepEqual(decoded.request, { type: OpCode.getEphemerals, prefixPath: '' });
});

test('decodeReply refuses a notification and decodeNotification a reply', () => {
  const notification = unframe(encodeWatcherEvent({ type: 1, state: 3, path: '/a' }));
  assert.throws(() => decodeReply(notification, OpCode.getData), (error: unknown) => error instanceof ProtocolError && error.reason === 'unexpected-xid');
  const reply = unframe(encodeReply({ xid: 4, zxid: 1n, err: 0 }, { type: OpCode.ping }));
  assert.throws(() => decodeNotification(reply), (error: unknown) => error instanceof ProtocolError && error.reason === 'unexpected-xid');
});

/**
 * Goal: every request, reply, connect record and notification survives
 * encode → frame split → decode unchanged, and frames carry the right length
 * prefix. Method: table-driven over the shared samples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse } from './connect.js';
import { OpCode, Xid } from './constants.js';
import { FrameDecoder } from './frame-decoder.js';
import { ProtocolError } from './protocol-error.js';
import { maxFrameBytesDefault } from './limits.js';
import { decodeRequest, encodeRequest } from './request-codec.js';
import { decodeNotification, decodeReply, encodeReply, encodeWatcherEvent } from './reply-codec.js';
import { sampleRequests, sampleResponses } from './samples.test.js';

/** Strips and checks the length prefix of one encoded frame. */
function body(frame: Uint8Array): Uint8Array {
  const decoder = new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault });
  decoder.push(frame);
  const out = decoder.next();
  assert.ok(out !== null, 'frame incomplete');
  assert.equal(decoder.next(), null);
  assert.equal(decoder.buffered, 0);
  return out;
}

for (const request of sampleRequests) {
  test(`request round-trip: opcode ${request.type}`, () => {
    const header = { xid: 17, type: request.type };
    const decoded = decodeRequest(body(encodeRequest(header, request)));
    assert.deepEqual(decoded, { header, request });
  });
}

for (const response of sampleResponses) {
  test(`reply round-trip: opcode ${response.type}`, () => {
    const header = { xid: 23, zxid: 0x300000007n, err: 0 };
    const decoded = decodeReply(body(encodeReply(header, response)), response.type);
    assert.deepEqual(decoded, { header, response });
  });
}

test('error reply carries the header only, for every kind', () => {
  for (const response of sampleResponses) {
    const frame = encodeReply({ xid: 5, zxid: 9n, err: -101 }, response);
    assert.equal(frame.length, 4 + 16);
    assert.deepEqual(decodeReply(body(frame), response.type), { header: { xid: 5, zxid: 9n, err: -101 }, response: null });
  }
});

test('addWatch reply body is ErrorResponse{0} (ZooKeeper.addWatch reads it)', () => {
  const frame = encodeReply({ xid: 1, zxid: 1n, err: 0 }, { type: OpCode.addWatch });
  assert.equal(frame.length, 4 + 16 + 4);
  assert.deepEqual([...frame.subarray(20)], [0, 0, 0, 0]);
});

test('multi results of createTTL/createContainer go on the wire as create2', () => {
  const stat = sampleResponses.find((r) => r.type === OpCode.create2);
  assert.ok(stat !== undefined && stat.type === OpCode.create2);
  const frame = encodeReply({ xid: 1, zxid: 1n, err: 0 }, { type: OpCode.multi, results: [{ type: OpCode.createTTL, path: '/t', stat: stat.stat }] });
  const decoded = decodeReply(body(frame), OpCode.multi);
  assert.deepEqual(decoded.response, { type: OpCode.multi, results: [{ type: OpCode.create2, path: '/t', stat: stat.stat }] });
});

test('connect request round-trips with and without readOnly', () => {
  const base = { protocolVersion: 0, lastZxidSeen: 0x1234n, timeOut: 30000, sessionId: -2n, passwd: new Uint8Array(16).fill(7), readOnly: true };
  const withFlag = body(encodeConnectRequest(base));
  assert.equal(withFlag.length, 45);
  assert.deepEqual(decodeConnectRequest(withFlag), { ...base, omitsReadOnly: false });
  const old = body(encodeConnectRequest({ ...base, omitsReadOnly: true }));
  assert.equal(old.length, 44);
  assert.deepEqual(decodeConnectRequest(old), { ...base, readOnly: false, omitsReadOnly: true });
});

test('connect response round-trips with and without readOnly', () => {
  const base = { protocolVersion: 0, timeOut: 4000, sessionId: 0x1000000abn, passwd: new Uint8Array(16).fill(1), readOnly: false };
  const withFlag = body(encodeConnectResponse(base));
  assert.equal(withFlag.length, 37);
  assert.deepEqual(decodeConnectResponse(withFlag), { ...base, omitsReadOnly: false });
  const old = body(encodeConnectResponse({ ...base, omitsReadOnly: true }));
  assert.equal(old.length, 36);
  assert.deepEqual(decodeConnectResponse(old), { ...base, omitsReadOnly: true });
});

test('notification round-trips, zxid defaults to -1', () => {
  const event = { type: 3, state: 3, path: '/a' };
  assert.deepEqual(decodeNotification(body(encodeWatcherEvent(event))), { header: { xid: Xid.notification, zxid: -1n, err: 0 }, event });
  assert.deepEqual(decodeNotification(body(encodeWatcherEvent(event, 77n))).header.zxid, 77n);
});

test('unknown opcode decodes to a null request with its header', () => {
  const frame = encodeRequest({ xid: 3, type: 999 }, { type: OpCode.ping });
  assert.deepEqual(decodeRequest(body(frame)), { header: { xid: 3, type: 999 }, request: null });
});

test('encoding a multi with an op kind MultiOperationRecord lacks is refused', () => {
  assert.throws(
    () => encodeRequest({ xid: 1, type: OpCode.multi }, { type: OpCode.multi, ops: [{ type: OpCode.getACL, path: '/a' }] }),
    (error: unknown) => error instanceof ProtocolError && error.reason === 'unknown-opcode',
  );
});

// ZooKeeper keeps null data (jute buffer length -1) apart from empty data (length 0):
// getData of a node created with null answers null (kazoo's test_create_null_data).
const nullDataCases = [
  { name: 'null', data: null, wantLength: -1 },
  { name: 'empty', data: new Uint8Array(0), wantLength: 0 },
] as const;

for (const { name, data, wantLength } of nullDataCases) {
  test(`${name} data keeps its jute length ${wantLength} through every request and reply that carries data`, () => {
    const requests = [
      { type: OpCode.create, path: '/n', data, acl: [], flags: 0 },
      { type: OpCode.create2, path: '/n', data, acl: [], flags: 0 },
      { type: OpCode.createContainer, path: '/n', data, acl: [], flags: 4 },
      { type: OpCode.createTTL, path: '/n', data, acl: [], flags: 5, ttl: 10n },
      { type: OpCode.setData, path: '/n', data, version: -1 },
      { type: OpCode.multi, ops: [{ type: OpCode.create, path: '/n', data, acl: [], flags: 0 }, { type: OpCode.setData, path: '/n', data, version: 0 }] },
    ] as const;
    for (const request of requests) {
      const frame = body(encodeRequest({ xid: 1, type: request.type }, request));
      assert.deepEqual(decodeRequest(frame).request, request, `opcode ${request.type}`);
    }
    // The length sits right after the ReplyHeader (16 bytes); the Stat follows.
    const stat = sampleResponses.find((r) => r.type === OpCode.exists);
    assert.ok(stat !== undefined && stat.type === OpCode.exists);
    const reply = body(encodeReply({ xid: 1, zxid: 1n, err: 0 }, { type: OpCode.getData, data, stat: stat.stat }));
    assert.equal(new DataView(reply.buffer, reply.byteOffset).getInt32(16), wantLength);
    assert.deepEqual(decodeReply(reply, OpCode.getData).response, { type: OpCode.getData, data, stat: stat.stat });
    const multiRead = { type: OpCode.multiRead, results: [{ type: OpCode.getData, data, stat: stat.stat }] } as const;
    assert.deepEqual(decodeReply(body(encodeReply({ xid: 1, zxid: 1n, err: 0 }, multiRead)), OpCode.multiRead).response, multiRead);
  });
}

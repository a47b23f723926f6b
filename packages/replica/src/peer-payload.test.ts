// Goal: the replica's messages survive the trip inside broadcast's opaque
// REQUEST/REVALIDATE payloads, and bad bytes from a peer are a
// ProtocolError (dropped), never an assertion. Method: round trips of each
// kind; truncated and unknown payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAclUnsafe } from '@corral/data-tree';
import { OpCode, ProtocolError } from '@corral/wire';
import {
  decodeRequestPayload, decodeRevalidatePayload, encodeRequestPayload, encodeRevalidatePayload, type RequestPayload, type RevalidatePayload,
} from './peer-payload.js';
import { touchesPerMessageMax } from './limits.js';

const requests: RequestPayload[] = [
  {
    kind: 'write', sessionId: -0x7f00000000000001n, cxid: 42, authIds: [{ scheme: 'ip', id: '127.0.0.1' }, { scheme: 'digest', id: 'u:h' }],
    request: { type: OpCode.create, path: '/a', data: new Uint8Array([1, 2]), acl: openAclUnsafe, flags: 3 },
  },
  { kind: 'write', sessionId: 5n, cxid: 1, authIds: [], request: { type: OpCode.multi, ops: [{ type: OpCode.delete, path: '/a', version: 3 }] } },
  { kind: 'createSession', sessionId: 7n, timeoutMs: 30_000 },
  { kind: 'closeSession', sessionId: 7n, cxid: 9 },
  { kind: 'sync', sessionId: 7n, cxid: 10 },
];

for (const payload of requests) {
  test(`REQUEST payload round trip: ${payload.kind}`, () => {
    const decoded = decodeRequestPayload(encodeRequestPayload(payload));
    assert.deepEqual(JSON.parse(JSON.stringify(decoded, jsonBigint)), JSON.parse(JSON.stringify(payload, jsonBigint)));
  });
}

const revalidations: RevalidatePayload[] = [
  { kind: 'touch', sessions: [{ sessionId: 1n, timeoutMs: 4000 }, { sessionId: -2n, timeoutMs: 6000 }] },
  { kind: 'revalidate', sessionId: 3n, timeoutMs: 10_000 },
  { kind: 'revalidated', sessionId: 3n, valid: true },
  { kind: 'synced', sessionId: 3n, cxid: 11 },
];

for (const payload of revalidations) {
  test(`REVALIDATE payload round trip: ${payload.kind}`, () => {
    assert.deepEqual(decodeRevalidatePayload(encodeRevalidatePayload(payload)), payload);
  });
}

test('bad payloads are ProtocolErrors', () => {
  const whole = encodeRequestPayload(requests[0] as RequestPayload);
  for (const bytes of [new Uint8Array(0), new Uint8Array([0, 0, 0, 77]), whole.subarray(0, whole.length - 1)]) {
    assert.throws(() => decodeRequestPayload(bytes), ProtocolError);
    assert.throws(() => decodeRevalidatePayload(bytes), ProtocolError);
  }
  const tooMany = new Uint8Array(8 + (touchesPerMessageMax + 1) * 12);
  new DataView(tooMany.buffer).setInt32(0, 4);
  new DataView(tooMany.buffer).setInt32(4, touchesPerMessageMax + 1);
  assert.throws(() => decodeRevalidatePayload(tooMany), ProtocolError);
});

function jsonBigint(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return [...value];
  return value;
}

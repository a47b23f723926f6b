// Goal: every election and broadcast message survives encode → protobuf bytes → decode unchanged,
// with 64-bit zxids and epochs at their extremes, and decoding refuses what the TypeScript
// types cannot hold with a typed PeerProtocolError (never an AssertionError).
// Batches (LeaderBatch/LearnerBatch) carry any run of messages in order, stay within their
// limits (the byte bound holds for the real encoding) and refuse nesting, emptiness and size.
// Method: fast-check generates messages; the bytes go through the same serializers grpc-js
// uses for the Election and Broadcast services.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { PeerMsg } from '@corral/broadcast';
import type { Notification } from '@corral/election';
import { batchWire, splitIntoBatches, unbatched, wireBytesBound, type BatchLimits } from './batch-codec.js';
import { messageOverheadBytesMax } from './limits.js';
import { LeaderStreamDecoder, learnerMsgFromWire, learnerMsgToWire, leaderMsgToWire, type LeaderPeerMsg, type LearnerPeerMsg } from './broadcast-codec.js';
import { notificationFromWire, notificationToWire } from './election-codec.js';
import { PeerProtocolError } from './peer-errors.js';
import { peerServices, type WireElectionMessage, type WireLeaderMessage, type WireLearnerMessage } from './peer-proto.js';

const runs = Number(process.env['PEER_CODEC_RUNS'] ?? 300);

interface Codec { serialize(value: unknown): Buffer; deserialize(bytes: Buffer): unknown }
function codec(service: 'election' | 'broadcast', direction: 'request' | 'response'): Codec {
  const services = peerServices();
  const method = service === 'election' ? services.election['Exchange'] : services.broadcast['Follow'];
  assert.ok(method !== undefined);
  return direction === 'request'
    ? { serialize: method.requestSerialize as Codec['serialize'], deserialize: method.requestDeserialize as Codec['deserialize'] }
    : { serialize: method.responseSerialize as Codec['serialize'], deserialize: method.responseDeserialize as Codec['deserialize'] };
}
const electionCodec = codec('election', 'request');
const learnerCodec = codec('broadcast', 'request');
const leaderCodec = codec('broadcast', 'response');

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const i64OrMinusOne = fc.bigInt({ min: -1n, max: (1n << 63n) - 1n });
const epoch = fc.integer({ min: 0, max: 0xffff_ffff });
const sid = fc.integer({ min: 0, max: 255 });
const bytes = fc.uint8Array({ maxLength: 300 });
const txn = fc.record({ zxid: u64, bytes });

const notification: fc.Arbitrary<Notification> = fc.record({
  sid,
  state: fc.constantFrom('LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING'),
  leader: fc.oneof(fc.constant(-1), sid),
  zxid: i64OrMinusOne,
  electionEpoch: u64,
  peerEpoch: i64OrMinusOne,
  configVersion: u64,
});

const learnerMsg: fc.Arbitrary<LearnerPeerMsg> = fc.oneof(
  fc.record({ type: fc.constant('FOLLOWERINFO' as const), acceptedEpoch: epoch }),
  fc.record({ type: fc.constant('OBSERVERINFO' as const), acceptedEpoch: epoch }),
  fc.record({ type: fc.constant('ACKEPOCH' as const), currentEpoch: epoch, lastZxid: u64, committedZxid: u64 }),
  fc.record({ type: fc.constant('ACK' as const), zxid: u64 }),
  fc.constant({ type: 'PING' as const }),
  fc.record({ type: fc.constant('PING' as const), round: fc.integer({ min: 1, max: 0xffff_ffff }) }),
  fc.record({ type: fc.constant('REQUEST' as const), payload: bytes }),
  fc.record({ type: fc.constant('REVALIDATE' as const), payload: bytes }),
);

const leaderMsg: fc.Arbitrary<LeaderPeerMsg> = fc.oneof(
  fc.record({ type: fc.constant('LEADERINFO' as const), newEpoch: epoch }),
  fc.record({ type: fc.constant('DIFF' as const), zxid: u64 }),
  fc.record({ type: fc.constant('TRUNC' as const), zxid: u64 }),
  fc.record({ type: fc.constant('SNAP' as const), zxid: u64, snapshot: fc.uint8Array({ maxLength: 100 }) }),
  fc.record({ type: fc.constant('PROPOSAL' as const), txn }),
  fc.record({ type: fc.constant('COMMIT' as const), zxid: u64 }),
  fc.record({ type: fc.constant('INFORM' as const), txn }),
  fc.record({ type: fc.constant('NEWLEADER' as const), zxid: u64 }),
  fc.constant({ type: 'UPTODATE' as const }),
  fc.constant({ type: 'PING' as const }),
  fc.record({ type: fc.constant('PING' as const), round: fc.integer({ min: 1, max: 0xffff_ffff }) }),
  fc.record({ type: fc.constant('REVALIDATE' as const), payload: bytes }),
);

/** Byte arrays compare by content: decoding yields Buffer-backed views. */
function normalize(msg: PeerMsg | Notification): unknown {
  return JSON.parse(JSON.stringify(msg, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
    return value;
  }));
}

test('a Notification round-trips through ElectionMessage bytes', () => {
  fc.assert(fc.property(notification, (n) => {
    const bytesOnWire = electionCodec.serialize({ notification: notificationToWire(n) });
    const back = electionCodec.deserialize(bytesOnWire) as WireElectionMessage;
    assert.equal(back.msg, 'notification');
    assert.deepEqual(normalize(notificationFromWire(back.notification)), normalize(n));
  }), { numRuns: runs });
});

test('every learner message round-trips through LearnerMessage bytes', () => {
  fc.assert(fc.property(learnerMsg, (msg) => {
    const back = learnerCodec.deserialize(learnerCodec.serialize(learnerMsgToWire(msg))) as WireLearnerMessage;
    assert.deepEqual(normalize(learnerMsgFromWire(back)), normalize(msg));
  }), { numRuns: runs });
});

test('every leader message round-trips through LeaderMessage bytes, SNAP as bounded chunks', () => {
  fc.assert(fc.property(fc.array(leaderMsg, { maxLength: 6 }), fc.integer({ min: 1, max: 40 }), (msgs, snapChunkBytesMax) => {
    const decoder = new LeaderStreamDecoder({ snapChunkBytesMax, snapshotBytesMax: 100 });
    const decoded: LeaderPeerMsg[] = [];
    for (const msg of msgs) {
      for (const wire of leaderMsgToWire(msg, snapChunkBytesMax)) {
        if (wire.msg === 'snapChunk') assert.ok((wire.snapChunk?.data.byteLength ?? 0) <= snapChunkBytesMax);
        const out = decoder.decode(leaderCodec.deserialize(leaderCodec.serialize(wire)) as WireLeaderMessage);
        if (out !== null) decoded.push(out);
      }
    }
    assert.deepEqual(decoded.map(normalize), msgs.map(normalize));
  }), { numRuns: runs });
});

function refuses(reason: PeerProtocolError['reason'], fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => error instanceof PeerProtocolError && error.reason === reason);
}

const goodNotification = notificationToWire({ sid: 1, state: 'LOOKING', leader: 1, zxid: 5n, electionEpoch: 1n, peerEpoch: 1n, configVersion: 0n });

test('decoding refuses out-of-range values with PeerProtocolError', () => {
  refuses('out-of-range', () => notificationFromWire({ ...goodNotification, zxid: '-2' }));
  refuses('out-of-range', () => notificationFromWire({ ...goodNotification, leader: '-5' }));
  refuses('out-of-range', () => notificationFromWire({ ...goodNotification, sid: '18446744073709551615' }));
  refuses('out-of-range', () => notificationFromWire({ ...goodNotification, electionEpoch: 'x' }));
  refuses('bad-enum', () => notificationFromWire({ ...goodNotification, state: 'SERVER_STATE_UNSPECIFIED' }));
  refuses('missing-field', () => notificationFromWire(null));
  // An epoch is 32 bits: a uint64 above 2^32 - 1 cannot be broadcast's Epoch.
  refuses('out-of-range', () => learnerMsgFromWire({ msg: 'followerInfo', followerInfo: { acceptedEpoch: '4294967296', protocolVersion: 1, configVersion: '0' } }));
  refuses('out-of-range', () => new LeaderStreamDecoder({ snapChunkBytesMax: 10, snapshotBytesMax: 10 }).decode({ msg: 'leaderInfo', leaderInfo: { newEpoch: '99999999999', protocolVersion: 1 } }));
  refuses('unexpected-message', () => learnerMsgFromWire({ msg: 'followerInfo', followerInfo: { acceptedEpoch: '1', protocolVersion: 7, configVersion: '0' } }));
  refuses('unexpected-message', () => learnerMsgFromWire({ msg: 'auth', auth: { sid: '1', proof: Buffer.alloc(0), nonce: Buffer.alloc(0) } }));
  refuses('unexpected-message', () => learnerMsgFromWire({}));
  refuses('missing-field', () => new LeaderStreamDecoder({ snapChunkBytesMax: 10, snapshotBytesMax: 10 }).decode({ msg: 'proposal', proposal: { txn: null } }));
  // Writing refuses what the field cannot carry, too (a Driver bug, still typed).
  refuses('out-of-range', () => learnerMsgToWire({ type: 'ACK', zxid: -1n }));
  refuses('out-of-range', () => leaderMsgToWire({ type: 'LEADERINFO', newEpoch: 2 ** 32 }, 10));
  refuses('missing-field', () => leaderMsgToWire({ type: 'SNAP', zxid: 1n, snapshot: null }, 10));
});

test('snapshot reassembly is bounded: announced size, chunk size, and the chunks adding up', () => {
  const limits = { snapChunkBytesMax: 4, snapshotBytesMax: 8 };
  refuses('snapshot-size', () => new LeaderStreamDecoder(limits).decode({ msg: 'snap', snap: { zxid: '1', sizeBytes: '9' } }));
  const overChunk = new LeaderStreamDecoder(limits);
  overChunk.decode({ msg: 'snap', snap: { zxid: '1', sizeBytes: '8' } });
  refuses('too-large', () => overChunk.decode({ msg: 'snapChunk', snapChunk: { data: Buffer.alloc(5), last: false } }));
  const overSize = new LeaderStreamDecoder(limits);
  overSize.decode({ msg: 'snap', snap: { zxid: '1', sizeBytes: '3' } });
  refuses('snapshot-size', () => overSize.decode({ msg: 'snapChunk', snapChunk: { data: Buffer.alloc(4), last: false } }));
  const short = new LeaderStreamDecoder(limits);
  short.decode({ msg: 'snap', snap: { zxid: '1', sizeBytes: '6' } });
  assert.equal(short.decode({ msg: 'snapChunk', snapChunk: { data: Buffer.alloc(4), last: false } }), null);
  refuses('snapshot-size', () => short.decode({ msg: 'snapChunk', snapChunk: { data: Buffer.alloc(1), last: true } }));
  const interleaved = new LeaderStreamDecoder(limits);
  interleaved.decode({ msg: 'snap', snap: { zxid: '1', sizeBytes: '6' } });
  refuses('unexpected-message', () => interleaved.decode({ msg: 'commit', commit: { zxid: '1' } }));
  refuses('unexpected-message', () => new LeaderStreamDecoder(limits).decode({ msg: 'snapChunk', snapChunk: { data: Buffer.alloc(1), last: true } }));
});

const batchLimits: fc.Arbitrary<BatchLimits> = fc.record({ batchMessagesMax: fc.integer({ min: 1, max: 8 }), batchBytesMax: fc.integer({ min: 64, max: 2_000 }) });

/** Each group keeps its limits, and its real encoding stays within the bound the split used. */
function checkGroups(groups: readonly (readonly (WireLeaderMessage | WireLearnerMessage)[])[], limits: BatchLimits, encode: Codec['serialize']): void {
  for (const group of groups) {
    assert.ok(group.length >= 1 && group.length <= limits.batchMessagesMax);
    const bound = group.reduce((sum, w) => sum + wireBytesBound(w), group.length > 1 ? messageOverheadBytesMax : 0);
    if (group.length > 1) assert.ok(bound <= limits.batchBytesMax, `batch bound ${bound} above ${limits.batchBytesMax}`);
    assert.ok(encode(batchWire(group)).byteLength <= bound, 'encoded batch above its bound');
  }
}

test('any run of leader messages survives batching: order, limits and the byte bound hold', () => {
  fc.assert(fc.property(fc.array(leaderMsg, { maxLength: 30 }), batchLimits, (msgs, limits) => {
    const snapChunkBytesMax = 40;
    const wires = msgs.flatMap((msg) => leaderMsgToWire(msg, snapChunkBytesMax));
    const groups = splitIntoBatches(wires, limits);
    assert.deepEqual(groups.flat(), wires);
    checkGroups(groups, limits, (value) => leaderCodec.serialize(value));
    const decoder = new LeaderStreamDecoder({ snapChunkBytesMax, snapshotBytesMax: 100 });
    const decoded: LeaderPeerMsg[] = [];
    for (const group of groups) {
      const received = leaderCodec.deserialize(leaderCodec.serialize(batchWire(group))) as WireLeaderMessage;
      for (const w of unbatched(received, limits.batchMessagesMax)) {
        const out = decoder.decode(w);
        if (out !== null) decoded.push(out);
      }
    }
    assert.deepEqual(decoded.map(normalize), msgs.map(normalize));
  }), { numRuns: runs });
});

test('any run of learner messages survives batching: order, limits and the byte bound hold', () => {
  fc.assert(fc.property(fc.array(learnerMsg, { maxLength: 30 }), batchLimits, (msgs, limits) => {
    const wires = msgs.map(learnerMsgToWire);
    const groups = splitIntoBatches(wires, limits);
    assert.deepEqual(groups.flat(), wires);
    checkGroups(groups, limits, (value) => learnerCodec.serialize(value));
    const decoded = groups.flatMap((group) => unbatched(learnerCodec.deserialize(learnerCodec.serialize(batchWire(group))) as WireLearnerMessage, limits.batchMessagesMax).map(learnerMsgFromWire));
    assert.deepEqual(decoded.map(normalize), msgs.map(normalize));
  }), { numRuns: runs });
});

test('a batch is split at batchBytesMax; a message too large for any batch goes alone', () => {
  const proposal = (zxid: bigint, size: number): WireLeaderMessage => leaderMsgToWire({ type: 'PROPOSAL', txn: { zxid, bytes: new Uint8Array(size) } }, 10)[0] as WireLeaderMessage;
  // Envelope 64 + two entries of 400 + 64 = 992: two fit under 1,000, the third starts a new batch;
  // 64 + (408 + 64) + (400 + 64) = 1,000 still fits, one byte more does not.
  const limits = { batchMessagesMax: 100, batchBytesMax: 1_000 };
  const sizes = (groups: WireLeaderMessage[][]): number[][] => groups.map((g) => g.map((w) => w.proposal?.txn?.data.byteLength ?? -1));
  assert.deepEqual(sizes(splitIntoBatches([proposal(1n, 400), proposal(2n, 400), proposal(3n, 400)], limits)), [[400, 400], [400]]);
  assert.deepEqual(sizes(splitIntoBatches([proposal(1n, 408), proposal(2n, 400)], limits)), [[408, 400]]);
  assert.deepEqual(sizes(splitIntoBatches([proposal(1n, 409), proposal(2n, 400)], limits)), [[409], [400]]);
  assert.deepEqual(sizes(splitIntoBatches([proposal(1n, 10), proposal(2n, 5_000), proposal(3n, 10)], limits)), [[10], [5_000], [10]]);
  assert.deepEqual(sizes(splitIntoBatches([proposal(1n, 1), proposal(2n, 1), proposal(3n, 1)], { batchMessagesMax: 2, batchBytesMax: 1_000 })), [[1, 1], [1]]);
  // A single message is sent as itself, not as a batch of one (what a server without batches reads).
  assert.equal(batchWire([proposal(1n, 1)]).msg, 'proposal');
});

test('unbatching refuses an empty batch, one above batchMessagesMax, a nested batch and a handshake inside one', () => {
  const commit = (zxid: number): WireLeaderMessage => ({ msg: 'commit', commit: { zxid: String(zxid) } });
  refuses('unexpected-message', () => unbatched<WireLeaderMessage>({ msg: 'batch', batch: { messages: [] } }, 4));
  refuses('too-large', () => unbatched<WireLeaderMessage>({ msg: 'batch', batch: { messages: [commit(1), commit(2), commit(3)] } }, 2));
  refuses('unexpected-message', () => unbatched<WireLeaderMessage>({ msg: 'batch', batch: { messages: [commit(1), { msg: 'batch', batch: { messages: [commit(2)] } }] } }, 4));
  assert.deepEqual(unbatched<WireLeaderMessage>({ msg: 'batch', batch: { messages: [commit(1), commit(2)] } }, 2), [commit(1), commit(2)]);
  const challenge: WireLeaderMessage = { msg: 'challenge', challenge: { sid: '1', nonce: Buffer.alloc(32), mechanism: 'none' } };
  const decoder = new LeaderStreamDecoder({ snapChunkBytesMax: 10, snapshotBytesMax: 10 });
  refuses('unexpected-message', () => unbatched<WireLeaderMessage>({ msg: 'batch', batch: { messages: [commit(1), challenge] } }, 4).map((w) => decoder.decode(w)));
  const auth: WireLearnerMessage = { msg: 'auth', auth: { sid: '1', proof: Buffer.alloc(0), nonce: Buffer.alloc(0) } };
  refuses('unexpected-message', () => unbatched<WireLearnerMessage>({ msg: 'batch', batch: { messages: [auth] } }, 4).map(learnerMsgFromWire));
});

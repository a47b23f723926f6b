// Goal: a leader converts and encodes what it sends every learner once per turn: the same
// PROPOSAL object (or a COMMIT of the same zxid) gives the same wire objects, the same group of
// wire objects the same bytes, and the bytes decode to the group; a new turn encodes anew.
// Method: the real LeaderMessage serializer and deserializer of peer.proto, a counting wrapper.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerMsg } from '@corral/broadcast';
import { unbatched } from './batch-codec.js';
import { LeaderWireMemo, SharedLeaderEncoder } from './leader-wire-sharing.js';
import { peerServices, type WireLeaderMessage } from './peer-proto.js';

const turnEnd = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

test('the same PROPOSAL, or a COMMIT of the same zxid, is converted once', () => {
  const memo = new LeaderWireMemo(1024);
  const proposal: PeerMsg = { type: 'PROPOSAL', txn: { zxid: 5n, bytes: new Uint8Array([1, 2]) } };
  const first = memo.toWire(proposal);
  assert.equal(memo.toWire(proposal), first);
  const commit = memo.toWire({ type: 'COMMIT', zxid: 5n });
  assert.equal(memo.toWire({ type: 'COMMIT', zxid: 5n }), commit);
  assert.notEqual(memo.toWire({ type: 'COMMIT', zxid: 6n }), commit);
  assert.notEqual(memo.toWire({ type: 'PROPOSAL', txn: { zxid: 5n, bytes: new Uint8Array([1, 2]) } }), first, 'another object is converted anew');
});

test('a group of the same wire objects is encoded once per turn, and decodes to the group', async () => {
  const services = peerServices();
  let encodings = 0;
  const encoder = new SharedLeaderEncoder((value) => {
    encodings += 1;
    return services.leaderMessageSerialize(value);
  });
  const memo = new LeaderWireMemo(1024);
  const group = [
    ...memo.toWire({ type: 'PROPOSAL', txn: { zxid: 7n, bytes: new Uint8Array([9]) } }),
    ...memo.toWire({ type: 'COMMIT', zxid: 7n }),
  ];
  const bytes = encoder.encode(group);
  assert.equal(encoder.encode([...group]), bytes, 'a second stream with the same messages shares the bytes');
  assert.equal(encodings, 1);
  assert.notEqual(encoder.encode(group.slice(0, 1)), bytes, 'another group is encoded');
  // The service writes a Buffer as it is, and a learner reads the batch back.
  const follow = services.broadcast['Follow'];
  assert.ok(follow !== undefined);
  assert.equal(follow.responseSerialize(bytes), bytes);
  const decoded = unbatched(follow.responseDeserialize(bytes) as WireLeaderMessage, 10);
  assert.deepEqual(decoded.map((w) => w.msg), ['proposal', 'commit']);
  assert.equal(decoded[1]?.commit?.zxid, '7');
  await turnEnd();
  encodings = 0;
  encoder.encode(group);
  assert.equal(encodings, 1, 'the next turn encodes again');
});

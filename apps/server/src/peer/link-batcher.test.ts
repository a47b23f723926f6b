// Goal: a LinkBatcher writes a turn's messages in order, as single messages until the peer said
// it accepts batches and as batches split at batchMessagesMax after; it counts every message
// against the link's queue limit and writes at once when flushed before a close; with the
// leader's rule a COMMIT drops the turn's earlier COMMIT across PROPOSALs only.
// Method: a recording stand-in for the PeerStream; microtasks are awaited explicitly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BroadcastWire } from './batch-codec.js';
import { leaderCommitSupersedes, learnerAckSupersedes } from './supersede-rules.js';
import { LinkBatcher, type BatchedStream } from './link-batcher.js';
import type { WireLeaderMessage, WireLearnerMessage } from './peer-proto.js';

class RecordingStream implements BatchedStream {
  readonly writes: { wire: object; count: number }[] = [];
  queued = 0;
  constructor(private readonly room: number) {}
  reserve(count: number): boolean {
    return this.queued + count <= this.room;
  }
  writeCounted(wire: object, count: number): void {
    this.writes.push({ wire, count });
    this.queued += count;
  }
}

const commit = (zxid: number): WireLeaderMessage => ({ msg: 'commit', commit: { zxid: String(zxid) } });
const zxids = (wire: object): string[] => {
  const w = wire as WireLeaderMessage;
  return w.msg === 'batch' ? (w.batch?.messages ?? []).map((m) => m.commit?.zxid ?? '?') : [w.commit?.zxid ?? '?'];
};
const turnEnd = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

test('until the peer accepts batches, each message is its own write, at the end of the turn', async () => {
  const stream = new RecordingStream(100);
  const out = new LinkBatcher<BroadcastWire>(stream, { batchMessagesMax: 10, batchBytesMax: 10_000 });
  assert.ok(out.add([commit(1), commit(2)]));
  assert.ok(out.add([commit(3)]));
  assert.equal(stream.writes.length, 0, 'nothing is written inside the turn');
  await turnEnd();
  assert.deepEqual(stream.writes.map((w) => zxids(w.wire)), [['1'], ['2'], ['3']]);
});

test('a turn of messages leaves as batches split at batchMessagesMax, in order, across turns', async () => {
  const stream = new RecordingStream(100);
  const out = new LinkBatcher<BroadcastWire>(stream, { batchMessagesMax: 3, batchBytesMax: 10_000 });
  out.peerAcceptsBatches = true;
  for (let zxid = 1; zxid <= 7; zxid++) assert.ok(out.add([commit(zxid)]));
  await turnEnd();
  assert.ok(out.add([commit(8)]));
  await turnEnd();
  assert.deepEqual(stream.writes.map((w) => zxids(w.wire)), [['1', '2', '3'], ['4', '5', '6'], ['7'], ['8']]);
  assert.deepEqual(stream.writes.map((w) => w.count), [3, 3, 1, 1], 'each message of a batch counts against the queue limit');
  assert.equal((stream.writes[2]?.wire as WireLeaderMessage).msg, 'commit', 'a lone message is not wrapped');
});

test('messages still waiting for the end of the turn count against the queue limit', async () => {
  const stream = new RecordingStream(4);
  const out = new LinkBatcher<BroadcastWire>(stream, { batchMessagesMax: 10, batchBytesMax: 10_000 });
  out.peerAcceptsBatches = true;
  assert.ok(out.add([commit(1), commit(2), commit(3)]));
  assert.equal(out.add([commit(4), commit(5)]), false, 'refused: 3 waiting + 2 is above the room of 4');
  await turnEnd();
  assert.equal(stream.writes.length, 0, 'a refused link writes nothing more');
});

test('flush writes at once (before a close)', () => {
  const stream = new RecordingStream(100);
  const out = new LinkBatcher<BroadcastWire>(stream, { batchMessagesMax: 10, batchBytesMax: 10_000 });
  out.peerAcceptsBatches = true;
  out.add([commit(1), commit(2)]);
  out.flush();
  assert.deepEqual(stream.writes.map((w) => zxids(w.wire)), [['1', '2']]);
});

test('with a supersede rule, a COMMIT drops the turn\'s earlier COMMIT across PROPOSALs, not across anything else', async () => {
  const stream = new RecordingStream(100);
  const out = new LinkBatcher<BroadcastWire>(stream, { batchMessagesMax: 100, batchBytesMax: 100_000 }, { supersede: leaderCommitSupersedes });
  out.peerAcceptsBatches = true;
  const proposal = (zxid: number): WireLeaderMessage => ({ msg: 'proposal', proposal: { txn: { zxid: String(zxid), data: Buffer.alloc(1) } } });
  const ping: WireLeaderMessage = { msg: 'ping', ping: { sessionData: Buffer.alloc(0) } };
  assert.ok(out.add([commit(1), proposal(3), commit(2), commit(3), ping, commit(4)]));
  assert.ok(out.add([proposal(5), commit(5)]));
  await turnEnd();
  const names = (wire: object): string[] => ((wire as WireLeaderMessage).batch?.messages ?? []).map((m) => `${String(m.msg)}${m.commit?.zxid ?? m.proposal?.txn?.zxid ?? ''}`);
  assert.deepEqual(stream.writes.map((w) => names(w.wire)), [['proposal3', 'commit3', 'ping', 'proposal5', 'commit5']]);
  assert.equal(stream.writes[0]?.count, 5, 'only the messages written count against the queue');
  assert.ok(out.add([commit(6)]));
  await turnEnd();
  assert.deepEqual(stream.writes.map((w) => zxids(w.wire)).at(-1), ['6'], 'a new turn supersedes nothing of the last');
});

test('an encode function turns each group into what the stream writes', async () => {
  const stream = new RecordingStream(100);
  const groups: number[] = [];
  const out = new LinkBatcher<BroadcastWire>(stream, { batchMessagesMax: 2, batchBytesMax: 10_000 }, {
    encode: (group) => {
      groups.push(group.length);
      return Buffer.from(group.map((w) => (w as WireLeaderMessage).commit?.zxid ?? '?').join(','));
    },
  });
  out.peerAcceptsBatches = true;
  out.add([commit(1), commit(2), commit(3)]);
  await turnEnd();
  assert.deepEqual(groups, [2, 1]);
  assert.deepEqual(stream.writes.map((w) => (w.wire as Buffer).toString()), ['1,2', '3']);
});

test('a learner\'s ACK drops the turn\'s earlier ACK across requests and PINGs, never a NEWLEADER ACK', async () => {
  const stream = new RecordingStream(100);
  const out = new LinkBatcher<BroadcastWire>(stream, { batchMessagesMax: 100, batchBytesMax: 100_000 }, { supersede: learnerAckSupersedes });
  out.peerAcceptsBatches = true;
  const zxid = (epoch: number, counter: number): string => String((BigInt(epoch) << 32n) | BigInt(counter));
  const ack = (z: string): WireLearnerMessage => ({ msg: 'ack', ack: { zxid: z } });
  const request: WireLearnerMessage = { msg: 'request', request: { data: Buffer.alloc(1) } };
  assert.ok(out.add([ack(zxid(2, 0)), ack(zxid(2, 1)), request, ack(zxid(2, 2)), ack(zxid(2, 3))]));
  await turnEnd();
  const names = (wire: object): string[] => ((wire as WireLearnerMessage).batch?.messages ?? []).map((m) => `${String(m.msg)}${m.ack?.zxid ?? ''}`);
  assert.deepEqual(stream.writes.map((w) => names(w.wire)), [[`ack${zxid(2, 0)}`, 'request', `ack${zxid(2, 3)}`]]);
});

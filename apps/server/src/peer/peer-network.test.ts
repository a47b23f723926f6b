// Goal: PeerNetworks on real loopback sockets carry every election and broadcast message
// between authenticated peers, keep one election link per pair, reconnect a killed link,
// drop a peer that does not read, and release every handle on close().
// Method: two or three in-process networks on random ports 40000–49999; tests wait on the
// recorded events (never on time); a TCP proxy stalls or cuts a link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerMsg } from '@corral/broadcast';
import type { Notification } from '@corral/election';
import type { LeaderPeerMsg, LearnerPeerMsg } from './broadcast-codec.js';
import { defaultPeerLimits } from './limits.js';
import { TcpProxy, handleCounts, startTestEnsemble, type TestPeer } from './test-kit.js';

function vote(sid: number, leader: number): Notification {
  return { sid, state: 'LOOKING', leader, zxid: (5n << 32n) | 7n, electionEpoch: 3n, peerEpoch: 5n, configVersion: 0n };
}

async function linksUp(peers: readonly TestPeer[]): Promise<void> {
  for (const peer of peers) {
    for (const other of peers) {
      if (other.sid !== peer.sid) await peer.events.waitFor((e) => e.kind === 'link' && e.sid === other.sid && e.up);
    }
  }
}

async function closeAll(peers: readonly TestPeer[]): Promise<void> {
  await Promise.all(peers.map((peer) => peer.network.close()));
}

const learnerMsgs: LearnerPeerMsg[] = [
  { type: 'FOLLOWERINFO', acceptedEpoch: 4 },
  { type: 'OBSERVERINFO', acceptedEpoch: 0xffff_ffff },
  { type: 'ACKEPOCH', currentEpoch: 4, lastZxid: (4n << 32n) | 9n, committedZxid: (4n << 32n) | 8n },
  { type: 'ACK', zxid: (5n << 32n) | 1n },
  { type: 'PING' },
  { type: 'REQUEST', payload: new Uint8Array([1, 2, 3]) },
  { type: 'REVALIDATE', payload: new Uint8Array([4]) },
];

const snapshot = new Uint8Array(10_000).map((_, i) => i % 251);
const leaderMsgs: LeaderPeerMsg[] = [
  { type: 'LEADERINFO', newEpoch: 5 },
  { type: 'DIFF', zxid: (4n << 32n) | 9n },
  { type: 'TRUNC', zxid: (4n << 32n) | 8n },
  { type: 'SNAP', zxid: (4n << 32n) | 9n, snapshot },
  { type: 'PROPOSAL', txn: { zxid: (5n << 32n) | 1n, bytes: new Uint8Array([9, 9]) } },
  { type: 'COMMIT', zxid: (5n << 32n) | 1n },
  { type: 'INFORM', txn: { zxid: (5n << 32n) | 2n, bytes: new Uint8Array([8]) } },
  { type: 'NEWLEADER', zxid: 5n << 32n },
  { type: 'UPTODATE' },
  { type: 'PING' },
  { type: 'REVALIDATE', payload: new Uint8Array([7, 7]) },
];

function sameMsg(a: PeerMsg, b: PeerMsg): void {
  const plain = (m: PeerMsg): string => JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
  assert.equal(plain(a), plain(b));
}

test('two networks: one election link, notifications both ways', async () => {
  const { peers } = await startTestEnsemble({ sids: [1, 2] });
  try {
    await linksUp(peers);
    const [one, two] = peers as [TestPeer, TestPeer];
    assert.deepEqual(one.network.electionPeers(), [2]);
    assert.deepEqual(two.network.electionPeers(), [1]);
    assert.ok(one.network.sendNotification(2, vote(1, 1)));
    assert.ok(two.network.sendNotification(1, vote(2, 2)));
    const got = await two.events.waitFor((e) => e.kind === 'notification');
    assert.deepEqual(got, { kind: 'notification', from: 1, notification: vote(1, 1) });
    assert.deepEqual(await one.events.waitFor((e) => e.kind === 'notification'), { kind: 'notification', from: 2, notification: vote(2, 2) });
    assert.equal(one.network.sendNotification(3, vote(1, 1)), false, 'no link to an unknown peer');
  } finally {
    await closeAll(peers);
  }
});

test('three networks exchange every election and broadcast message type', async () => {
  const limits = { ...defaultPeerLimits, snapChunkBytesMax: 1024 };
  const { peers } = await startTestEnsemble({ sids: [1, 2, 3], limits });
  try {
    await linksUp(peers);
    for (const from of peers) {
      for (const to of peers) if (to !== from) assert.ok(from.network.sendNotification(to.sid, vote(from.sid, 3)));
    }
    for (const to of peers) {
      for (const from of peers) {
        if (from !== to) await to.events.waitFor((e) => e.kind === 'notification' && e.from === from.sid);
      }
    }
    const [one, two, leader] = peers as [TestPeer, TestPeer, TestPeer];
    for (const learner of [one, two]) {
      const stream = learner.network.connectLeader(3);
      await learner.events.waitFor((e) => e.kind === 'opened' && e.ref.stream === stream && e.ref.side === 'learner');
      const accepted = await leader.events.waitFor((e) => e.kind === 'opened' && e.ref.sid === learner.sid);
      assert.ok(accepted.kind === 'opened' && accepted.ref.side === 'leader');
      for (const msg of learnerMsgs) assert.ok(learner.network.sendBroadcast(stream, msg));
      for (const msg of leaderMsgs) assert.ok(leader.network.sendBroadcast(accepted.ref.stream, msg));
      await learner.events.waitFor((e) => e.kind === 'message' && e.ref.stream === stream && e.msg.type === 'REVALIDATE');
      const atLearner = learner.events.items.flatMap((e) => (e.kind === 'message' && e.ref.stream === stream ? [e.msg] : []));
      assert.equal(atLearner.length, leaderMsgs.length, 'the SNAP arrives once, reassembled');
      atLearner.forEach((msg, i) => sameMsg(msg, leaderMsgs[i] as PeerMsg));
      await leader.events.waitFor((e) => e.kind === 'message' && e.ref.sid === learner.sid && e.msg.type === 'REVALIDATE');
      const atLeader = leader.events.items.flatMap((e) => (e.kind === 'message' && e.ref.sid === learner.sid ? [e.msg] : []));
      atLeader.forEach((msg, i) => sameMsg(msg, learnerMsgs[i] as PeerMsg));
      assert.equal(atLeader.length, learnerMsgs.length);
    }
  } finally {
    await closeAll(peers);
  }
});

test('broadcast messages keep their order across batches split at the batch limits', async () => {
  const limits = { ...defaultPeerLimits, batchMessagesMax: 5, batchBytesMax: 2_000 };
  const { peers } = await startTestEnsemble({ sids: [1, 2], limits });
  const [learner, leader] = peers as [TestPeer, TestPeer];
  try {
    const stream = learner.network.connectLeader(2);
    await learner.events.waitFor((e) => e.kind === 'opened' && e.ref.stream === stream);
    const accepted = await leader.events.waitFor((e) => e.kind === 'opened' && e.ref.sid === 1);
    assert.ok(accepted.kind === 'opened');
    // Each side says it accepts batches in its first message; after that, a turn's messages batch.
    assert.ok(learner.network.sendBroadcast(stream, { type: 'FOLLOWERINFO', acceptedEpoch: 4 }));
    await leader.events.waitFor((e) => e.kind === 'message' && e.msg.type === 'FOLLOWERINFO');
    assert.ok(leader.network.sendBroadcast(accepted.ref.stream, { type: 'LEADERINFO', newEpoch: 5 }));
    await learner.events.waitFor((e) => e.kind === 'message' && e.msg.type === 'LEADERINFO');
    const sent: LeaderPeerMsg[] = [];
    for (let i = 1; i <= 60; i++) {
      const zxid = (5n << 32n) | BigInt(i);
      // Sizes around batchBytesMax, and one above it (sent alone).
      const size = i === 30 ? 3_000 : (i * 97) % 1_500;
      sent.push({ type: 'PROPOSAL', txn: { zxid, bytes: new Uint8Array(size).fill(i) } }, { type: 'COMMIT', zxid });
      // A PING keeps the COMMIT before it: a COMMIT supersedes an earlier one only across PROPOSALs.
      if (i % 7 === 0) sent.push({ type: 'PING' });
    }
    for (const msg of sent) assert.ok(leader.network.sendBroadcast(accepted.ref.stream, msg));
    const acks: LearnerPeerMsg[] = sent.flatMap((m): LearnerPeerMsg[] => (m.type === 'COMMIT' ? [{ type: 'ACK', zxid: m.zxid }] : []));
    for (const msg of acks) assert.ok(learner.network.sendBroadcast(stream, msg));
    await learner.events.waitFor((e) => e.kind === 'message' && e.msg.type === 'COMMIT' && e.msg.zxid === ((5n << 32n) | 60n));
    await leader.events.waitFor((e) => e.kind === 'message' && e.msg.type === 'ACK' && e.msg.zxid === ((5n << 32n) | 60n));
    const got = learner.events.items.flatMap((e) => (e.kind === 'message' && e.msg.type !== 'LEADERINFO' ? [e.msg] : []));
    // The COMMITs kept: those followed by a PING (i = 7, 14, ...) and the last.
    const kept = sent.filter((m, i) => m.type !== 'COMMIT' || i === sent.length - 1 || sent[i + 1]?.type === 'PING');
    assert.equal(got.length, kept.length);
    got.forEach((msg, i) => sameMsg(msg, kept[i] as PeerMsg));
    // The leader said cumulative_acks: of one turn's ACKs only the last goes.
    const gotAcks = leader.events.items.flatMap((e) => (e.kind === 'message' && e.msg.type === 'ACK' ? [e.msg] : []));
    assert.equal(gotAcks.length, 1);
    sameMsg(gotAcks[0] as PeerMsg, acks.at(-1) as PeerMsg);
  } finally {
    await closeAll(peers);
  }
});

test('a killed election link reconnects and carries notifications again', async () => {
  const proxy = await TcpProxy.start();
  // Server 2 sees server 1 behind the proxy: a peer is its sid, not its address.
  const { peers, servers } = await startTestEnsemble({
    sids: [1, 2],
    limits: { ...defaultPeerLimits, reconnectDelayMsMin: 10, reconnectDelayMsMax: 100 },
    viewOf: (sid, list) => (sid === 2 ? list.map((s) => (s.sid === 1 ? { ...s, electionPort: proxy.port } : s)) : list),
  });
  proxy.targetPort = servers[0]?.electionPort ?? null;
  const [one, two] = peers as [TestPeer, TestPeer];
  try {
    await linksUp(peers);
    proxy.cut();
    await two.events.waitFor((e) => e.kind === 'link' && e.sid === 1 && !e.up);
    let ups = 0;
    await two.events.waitFor((e) => e.kind === 'link' && e.sid === 1 && e.up && ++ups === 2);
    let upsAtOne = 0;
    await one.events.waitFor((e) => e.kind === 'link' && e.sid === 2 && e.up && ++upsAtOne === 2);
    assert.ok(two.network.sendNotification(1, vote(2, 2)));
    await one.events.waitFor((e) => e.kind === 'notification' && e.from === 2);
    assert.deepEqual(one.network.electionPeers(), [2]);
  } finally {
    await closeAll(peers);
    await proxy.close();
  }
});

test('a learner that stops reading is dropped when its bounded queue fills', async () => {
  const proxy = await TcpProxy.start();
  const limits = { ...defaultPeerLimits, outboundMessagesPerLinkMax: 64 };
  const { peers, servers } = await startTestEnsemble({
    sids: [1, 2],
    limits,
    viewOf: (sid, list) => (sid === 1 ? list.map((s) => (s.sid === 2 ? { ...s, quorumPort: proxy.port } : s)) : list),
  });
  proxy.targetPort = servers[1]?.quorumPort ?? null;
  const [learner, leader] = peers as [TestPeer, TestPeer];
  try {
    const stream = learner.network.connectLeader(2);
    const opened = await leader.events.waitFor((e) => e.kind === 'opened');
    assert.ok(opened.kind === 'opened');
    await learner.events.waitFor((e) => e.kind === 'opened' && e.ref.stream === stream);
    proxy.stallDownstream();
    const payload = new Uint8Array(16 * 1024);
    let accepted = true;
    let turns = 0;
    // Each turn queues a burst, then yields so HTTP/2 drains what the stalled peer still takes.
    while (accepted && turns < 2_000) {
      for (let i = 0; i < 16 && accepted; i++) {
        accepted = leader.network.sendBroadcast(opened.ref.stream, { type: 'PROPOSAL', txn: { zxid: BigInt(turns * 16 + i + 1), bytes: payload } });
      }
      turns++;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    assert.equal(accepted, false, 'the leader refused to queue beyond outboundMessagesPerLinkMax');
    const closed = await leader.events.waitFor((e) => e.kind === 'closed' && e.ref.stream === opened.ref.stream);
    assert.ok(closed.kind === 'closed' && closed.reason === 'outbound queue full');
    const line = await leader.logger.waitFor((l) => l.level === 'WARN' && l.message.includes('outbound queue full'));
    assert.equal(line.fields['peer'], 1);
    assert.ok(leader.logger.items.every((l) => !l.message.startsWith('peer stream could not be reset')), 'the HTTP/2 stream was reset, not ended behind its queue');
    assert.equal(leader.network.sendBroadcast(opened.ref.stream, { type: 'PING' }), false);
    proxy.cut();
    await learner.events.waitFor((e) => e.kind === 'closed' && e.ref.stream === stream);
  } finally {
    await closeAll(peers);
    await proxy.close();
  }
});

test('close() releases every socket and timer', async () => {
  const before = handleCounts();
  const { peers } = await startTestEnsemble({ sids: [1, 2, 3] });
  await linksUp(peers);
  const [one, , three] = peers as [TestPeer, TestPeer, TestPeer];
  const stream = one.network.connectLeader(3);
  await one.events.waitFor((e) => e.kind === 'opened' && e.ref.stream === stream);
  await three.events.waitFor((e) => e.kind === 'opened');
  await closeAll(peers);
  await closeAll(peers); // idempotent
  const after = handleCounts();
  for (const kind of ['TCPServerWrap', 'TCPSocketWrap', 'Timeout']) {
    assert.ok((after.get(kind) ?? 0) <= (before.get(kind) ?? 0), `${kind}: ${before.get(kind) ?? 0} before, ${after.get(kind) ?? 0} after close`);
  }
  assert.deepEqual(one.network.electionPeers(), []);
});

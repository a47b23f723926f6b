// Goal: a server whose log holds more records above its tree than the
// window can lead: those records are not known committed, so it cannot
// apply or drop them; it keeps them until establishment commits them.
// A learner that syncs again and again without reaching UPTODATE collects
// them (bounded by learnerPendingTxnsMax), and it is then the most up to
// date voter. Found by replica's TestEnsemble (random seed 843), where the
// Leader asserted 'the initial log fits the window' on startup (at e54a75d).
// Method: the Cluster harness with a small window and such disks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import { Leader } from './leader.js';
import { Cluster } from './testing/cluster.js';
import { encodeText } from './testing/format.js';
import { stabilize } from './testing/script.js';
import type { Txn } from './types.js';

test('leader: an initial log above the applied zxid longer than the window is kept and committed at establishment', () => {
  const cluster = new Cluster({ voters: [1, 2, 3], limits: { windowTxnsMax: 4, pendingProposalsMax: 2, learnerPendingTxnsMax: 16 } });
  const log: Txn[] = Array.from({ length: 10 }, (_, index) => ({ zxid: makeZxid(1, index + 1), bytes: encodeText(`t${index + 1}`) }));
  for (const sid of [1, 2]) cluster.setDisk(sid, { acceptedEpoch: 1, currentEpoch: 1, snapshotZxid: 0n, snapshot: [], log, logBaseZxid: 0n });
  cluster.elect(1, [2, 3]);
  stabilize(cluster);
  assert.deepEqual(cluster.checker.violations, []);
  for (const sid of [1, 2, 3]) assert.equal(cluster.node(sid).tree.length, 10, `server ${sid} applied the whole history`);
  assert.match(cluster.propose(1, 'after'), /^proposed 2\.1$/);
  stabilize(cluster);
  for (const sid of [1, 2, 3]) assert.equal(cluster.node(sid).tree.length, 11);
});

// Goal (leadership rounds): a round is confirmed only by echoes of pings sent after it started,
// from a quorum of synced voters; a leader cut off from its followers never confirms one.
test('leader: a leadership round is confirmed once a quorum echoed it, and never without one', () => {
  const cluster = new Cluster({ voters: [1, 2, 3] });
  cluster.elect(1, [2, 3]);
  stabilize(cluster);
  const leader = cluster.node(1).machine;
  assert.ok(leader instanceof Leader);
  const round = leader.confirmRound();
  assert.equal(leader.roundConfirmed(round), false, 'nobody echoed yet');
  stabilize(cluster);
  assert.equal(leader.roundConfirmed(round), true);
  // Followers 2 and 3 now ignore the leader (as if they followed a new one): a new round never confirms.
  const cut = leader.confirmRound();
  leader.step(2, { type: 'PING', round: cut - 1 }, cluster.streamOf(2));
  leader.step(3, { type: 'PING' }, cluster.streamOf(3));
  assert.equal(leader.roundConfirmed(cut), false);
  // An echo of a round not started yet is not counted.
  leader.step(2, { type: 'PING', round: cut + 5 }, cluster.streamOf(2));
  assert.equal(leader.roundConfirmed(cut), false);
});

// Goal: a synced learner's REQUEST can be handed to the replica at once, even while the leader's
// Ready is outstanding, so a forwarded write is proposed in the next Ready; one not taken still
// comes in the next Ready's `inbound`.
test('leader: inbound REQUESTs can be taken while a Ready is outstanding; those not taken come in the next Ready', () => {
  const cluster = new Cluster({ voters: [1, 2, 3] });
  cluster.elect(1, [2, 3]);
  stabilize(cluster);
  const leader = cluster.node(1).machine;
  assert.ok(leader instanceof Leader);
  assert.match(cluster.propose(1, 'a'), /^proposed/);
  const ready = leader.ready();
  leader.step(2, { type: 'REQUEST', payload: encodeText('w1') }, cluster.streamOf(2));
  leader.step(3, { type: 'REVALIDATE', payload: encodeText('r') }, cluster.streamOf(3));
  assert.deepEqual(leader.takeInbound().map((inbound) => [inbound.from, inbound.msg.type]), [[2, 'REQUEST'], [3, 'REVALIDATE']]);
  assert.deepEqual(leader.takeInbound(), [], 'taken once');
  leader.step(2, { type: 'REQUEST', payload: encodeText('w2') }, cluster.streamOf(2));
  leader.advance(ready);
  assert.deepEqual(leader.ready().inbound.map((inbound) => inbound.msg.type), ['REQUEST']);
});

// Goal: an observer whose log is ahead of the new leader's (it logged proposals of an old epoch no
// quorum has) does not stop the leader: it has no vote, so a new election would choose the same
// leader again, forever (found by the sim's observer-TRUNC scenario, seed 7201539). As ZooKeeper's
// waitForEpochAck, only its stream is dropped; once established, the leader TRUNCs it when it
// reconnects. A follower ahead still stops the leader (the election chose wrongly).
test('leader: an observer ahead in discovery is dropped, the leader establishes, and the observer is truncated when it rejoins', () => {
  const cluster = new Cluster({ voters: [1, 2, 3], observers: [4] });
  const shared: Txn[] = [{ zxid: makeZxid(1, 1), bytes: encodeText('a') }];
  const orphan: Txn[] = [...shared, { zxid: makeZxid(1, 2), bytes: encodeText('orphan') }];
  for (const sid of [1, 2, 3]) cluster.setDisk(sid, { acceptedEpoch: 1, currentEpoch: 1, snapshotZxid: 0n, snapshot: [], log: shared, logBaseZxid: 0n });
  cluster.setDisk(4, { acceptedEpoch: 1, currentEpoch: 1, snapshotZxid: 0n, snapshot: [], log: orphan, logBaseZxid: 0n });
  // The observer's ACKEPOCH reaches the leader while discovery still waits for a quorum.
  cluster.elect(1, [2, 3, 4]);
  const traced = (pattern: RegExp): boolean => cluster.trace.some((line) => pattern.test(line));
  const step = (held: readonly string[]): void => {
    for (const sid of cluster.nodes.keys()) {
      cluster.process(sid);
      cluster.persist(sid);
    }
    for (const [from, to] of cluster.busyLinks()) if (!held.includes(`${from}->${to}`)) while (cluster.deliver(from, to));
  };
  for (let round = 0; round < 50 && !traced(/LEADERINFO/); round += 1) step([]);
  // The followers' ACKEPOCHs wait: the observer's reaches the leader first.
  for (let round = 0; round < 50 && !traced(/deliver 4->1 ACKEPOCH/); round += 1) step(['2->1', '3->1']);
  assert.ok(traced(/deliver 4->1 ACKEPOCH/), 'the observer acked the epoch in discovery');
  assert.equal(cluster.node(1).role, 'LEADING', 'an observer ahead does not stop the leader');
  stabilize(cluster);
  assert.deepEqual(cluster.checker.violations, []);
  assert.equal(cluster.node(1).role, 'LEADING', 'the leader established without the observer');
  assert.equal(cluster.node(4).role, 'LOOKING', 'the observer was dropped');
  // Rejoining the established leader, the observer is truncated to the quorum's history.
  cluster.join(4, 1);
  stabilize(cluster);
  assert.deepEqual(cluster.checker.violations, []);
  assert.ok(cluster.trace.some((line) => /1->4 TRUNC/.test(line)), 'the leader sent the observer a TRUNC');
  const logOf = (sid: number): string[] => cluster.describeLog(sid).map((line) => line.replace(/^\d+ /, ''));
  assert.deepEqual(logOf(4), logOf(2), 'the observer holds the quorum\'s history, not its orphan');
});

// Goal: an ACK is cumulative: a learner logs its stream's proposals in order and acks once they
// are durable, so its ACK of the newest proposal of a write acknowledges the older ones (the
// server's peer link sends only the last ACK of a turn to a leader that says cumulative_acks).
test('leader: one ACK of the newest proposal acknowledges the older ones, and commits them with the leader\'s own', () => {
  const cluster = new Cluster({ voters: [1, 2, 3] });
  cluster.elect(1, [2, 3]);
  stabilize(cluster);
  const leader = cluster.node(1).machine;
  assert.ok(leader instanceof Leader);
  const zxids = ['a', 'b', 'c'].map((data) => {
    const result = leader.propose(encodeText(data));
    assert.ok(result.ok);
    return result.zxid;
  });
  const ready = leader.ready();
  // The leader's own write is durable: its self-ack goes back in, as the Driver does.
  for (const out of ready.messagesAfterPersist) if (out.to === 1) leader.step(1, out.msg);
  leader.advance(ready);
  assert.deepEqual(leader.hasReady() ? leader.ready().committed : [], [], 'no quorum yet');
  leader.step(2, { type: 'ACK', zxid: zxids[2] as bigint }, cluster.streamOf(2));
  const next = leader.ready();
  assert.deepEqual(next.committed.map((txn) => txn.zxid), zxids, 'all three commit');
  const commits = next.messages.filter((out) => out.to === 2 && out.msg.type === 'COMMIT');
  assert.equal(commits.length, 3);
});

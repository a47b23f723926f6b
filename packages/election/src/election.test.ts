// Goal: the edges of the Election machine's surface: bad input is ignored
// and reported (never asserted), misuse by the caller is asserted, and the
// answer rule of a decided server. Method: tables driven by one loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError, hierarchicalQuorum, majorityQuorum } from '@corral/base';
import { answerPeerWhileDecided } from './answer.js';
import { Election } from './election.js';
import { TestCluster } from './test-cluster.js';
import type { Notification } from './types.js';

const verifier = majorityQuorum({ voters: [1, 2, 3], observers: [4] });
const position = { lastLoggedZxid: 5n, currentEpoch: 1n };
const vote: Notification = { sid: 2, state: 'LOOKING', leader: 2, zxid: 5n, electionEpoch: 1n, peerEpoch: 1n, configVersion: 0n };

test('step ignores and reports notifications it cannot use', () => {
  const cases: { name: string; n: Notification; want: string }[] = [
    { name: 'unknown sender', n: { ...vote, sid: 9 }, want: 'ignored-unknown-sender' },
    { name: 'our own sid', n: { ...vote, sid: 1 }, want: 'ignored-own' },
    { name: 'negative round', n: { ...vote, electionEpoch: -1n }, want: 'ignored-malformed' },
    { name: 'unknown state', n: { ...vote, state: 'BOGUS' as Notification['state'] }, want: 'ignored-malformed' },
    { name: 'fractional sid', n: { ...vote, sid: 1.5 }, want: 'ignored-malformed' },
    { name: 'leader not a voter', n: { ...vote, leader: 4 }, want: 'ignored-non-voter-leader' },
    { name: 'decided observer', n: { ...vote, sid: 4, state: 'OBSERVING' }, want: 'ignored-non-voter' },
    { name: 'LOOKING observer', n: { ...vote, sid: 4, leader: -1 }, want: 'answered' },
    { name: 'a good vote', n: vote, want: 'finalize-wait' },
  ];
  for (const c of cases) {
    const election = new Election({ sid: 1, verifier, ...position });
    assert.equal(election.step(c.n), c.want, c.name);
  }
});

test('misuse by the caller is asserted', () => {
  const cases: { name: string; run: () => void }[] = [
    { name: 'not a member', run: () => new Election({ sid: 7, verifier, ...position }) },
    { name: 'limits out of order', run: () => new Election({ sid: 1, verifier, ...position, limits: { notificationIntervalTicksMin: 9, notificationIntervalTicksMax: 3 } }) },
    { name: 'zero finalize wait', run: () => new Election({ sid: 1, verifier, ...position, limits: { finalizeWaitTicks: 0 } }) },
    { name: 'too many members', run: () => new Election({ sid: 1, verifier, ...position, limits: { membersMax: 3 } }) },
    { name: 'negative zxid', run: () => new Election({ sid: 1, verifier, lastLoggedZxid: -1n, currentEpoch: 0n }) },
    {
      name: 'advance with a stale Ready',
      run: () => {
        const election = new Election({ sid: 1, verifier, ...position });
        const stale = election.ready();
        election.ready();
        election.advance(stale);
      },
    },
  ];
  for (const c of cases) assert.throws(c.run, AssertionError, c.name);
});

test('advance keeps a vote queued after ready()', () => {
  const election = new Election({ sid: 1, verifier, ...position });
  const ready = election.ready();
  assert.equal(ready.messages.length, 2);
  election.step({ ...vote, zxid: 9n });
  election.advance(ready);
  assert.ok(election.hasReady(), 'the newer vote for 2 still has to go out');
  assert.deepEqual(
    election.ready().messages.map((m) => [m.to, m.notification.zxid]),
    [[2, 9n], [3, 9n]],
  );
});

test('answerPeerWhileDecided answers LOOKING peers only, and only from voters', () => {
  const decided = { leader: 3, zxid: 5n, peerEpoch: 1n, electionEpoch: 2n };
  const cases = [
    { name: 'LOOKING voter', self: 1, from: vote, want: true },
    { name: 'LOOKING observer', self: 1, from: { ...vote, sid: 4 }, want: true },
    { name: 'FOLLOWING voter', self: 1, from: { ...vote, state: 'FOLLOWING' as const }, want: false },
    { name: 'OBSERVING observer', self: 1, from: { ...vote, sid: 4, state: 'OBSERVING' as const }, want: false },
    { name: 'we observe', self: 4, from: vote, want: false },
    { name: 'ourselves', self: 2, from: vote, want: false },
  ];
  for (const c of cases) {
    const state = c.self === 4 ? ('OBSERVING' as const) : ('FOLLOWING' as const);
    const answer = answerPeerWhileDecided({ sid: c.self, state, vote: decided, verifier }, c.from);
    assert.equal(answer !== null, c.want, c.name);
    if (answer !== null) {
      assert.equal(answer.to, c.from.sid);
      assert.deepEqual(answer.notification, { sid: c.self, state, ...decided, configVersion: 0n });
    }
  }
});

test('hierarchical quorum: a weight-0 participant never leads, and one group alone never elects', () => {
  // Two groups of three; server 6 weighs 0 and has the best log.
  const hierarchical = hierarchicalQuorum({
    groups: new Map([
      [1, [1, 2, 3]],
      [2, [4, 5, 6]],
    ]),
    weights: new Map([[6, 0]]),
  });
  const cluster = new TestCluster();
  cluster.addNodes({ voterCount: 6, zxids: [1n, 2n, 3n, 1n, 2n, 9n], epochs: [1n, 1n, 1n, 1n, 1n, 1n], verifier: hierarchical });
  // Group 2 cut off: group 1 alone is a majority in one group of two, not a quorum.
  cluster.cut([1, 2, 3], [4, 5, 6]);
  for (let i = 0; i < 20; i++) {
    cluster.stabilize();
    for (const sid of cluster.sids()) cluster.tick(sid, 1);
  }
  assert.ok(cluster.sids().every((sid) => cluster.node(sid).status().state === 'LOOKING'), 'no side elects');
  cluster.heal();
  for (let i = 0; i < 40; i++) {
    cluster.stabilize();
    for (const sid of cluster.sids()) cluster.tick(sid, 1);
  }
  for (const sid of cluster.sids()) {
    const status = cluster.node(sid).status();
    assert.equal(status.vote.leader, 3, `server ${sid} follows 3, the best log of weight > 0`);
    assert.equal(status.state, sid === 3 ? 'LEADING' : 'FOLLOWING');
  }
});

test('a peer resending a worse vote does not keep us from resending ours (tools/sim livelock)', () => {
  // Server 1 holds the best vote; its first notifications were lost. Server 3
  // keeps resending its worse vote of the same round more often than 1's
  // resend interval. Before the fix every such notification restarted 1's
  // resend wait, so 1 never resent and the round never ended.
  const voters = majorityQuorum({ voters: [1, 2, 3] });
  const limits = { notificationIntervalTicksMin: 4, notificationIntervalTicksMax: 4 };
  const election = new Election({ sid: 1, verifier: voters, limits, lastLoggedZxid: 9n, currentEpoch: 1n });
  election.advance(election.ready());
  const worse: Notification = { sid: 3, state: 'LOOKING', leader: 3, zxid: 1n, electionEpoch: 1n, peerEpoch: 0n, configVersion: 0n };
  let resent = false;
  for (let tick = 0; tick < 8 && !resent; tick++) {
    election.step(worse);
    election.tick();
    resent = election.hasReady() && election.ready().messages.some((m) => m.to === 3 && m.notification.leader === 1);
  }
  assert.ok(resent, 'server 1 resends its vote within its resend interval');
});

test('a restarted server joins a leader whose followers hold votes of different peer epochs (tools/sim seed 549)', () => {
  // Five voters; the leader 5 and follower 3 hold the vote of round 3 (peerEpoch 4), follower 2 one
  // of round 2 (peerEpoch 2, a split decision ZAB accepted). ZooKeeper's agreement (leader and
  // peerEpoch) finds only two matching decided votes; naming the leader, three do.
  const five = majorityQuorum({ voters: [1, 2, 3, 4, 5], observers: [] });
  const election = new Election({ sid: 1, verifier: five, lastLoggedZxid: 0n, currentEpoch: 0n });
  election.startElection({ lastLoggedZxid: 0n, currentEpoch: 0n });
  const led: Notification = { sid: 5, state: 'LEADING', leader: 5, zxid: 0x400000002n, electionEpoch: 3n, peerEpoch: 4n, configVersion: 0n };
  assert.equal(election.step(led), 'recorded');
  assert.equal(election.step({ ...led, sid: 3, state: 'FOLLOWING' }), 'recorded');
  assert.equal(election.step({ ...led, sid: 2, state: 'FOLLOWING', zxid: 0x200000002n, electionEpoch: 2n, peerEpoch: 2n }), 'decided');
  assert.deepEqual(election.ready().result, { leader: 5, zxid: 0x400000002n, peerEpoch: 4n, electionEpoch: 3n, state: 'FOLLOWING' });
});

test('decided peers naming a leader that does not itself say LEADING are not followed', () => {
  const five = majorityQuorum({ voters: [1, 2, 3, 4, 5], observers: [] });
  const election = new Election({ sid: 1, verifier: five, lastLoggedZxid: 0n, currentEpoch: 0n });
  const follows: Notification = { sid: 2, state: 'FOLLOWING', leader: 5, zxid: 0x400000002n, electionEpoch: 3n, peerEpoch: 4n, configVersion: 0n };
  assert.equal(election.step(follows), 'recorded');
  assert.equal(election.step({ ...follows, sid: 3, peerEpoch: 2n }), 'recorded');
  assert.equal(election.step({ ...follows, sid: 4, peerEpoch: 3n }), 'recorded');
});

// Goal: properties of fast leader election over random small ensembles.
// Method: fast-check picks the ensemble (3-5 voters, 0-1 observer, random
// log positions) and the schedule; a TestCluster runs the real machines.
//
// What FLE guarantees, and so what is asserted (testdata/split-decision.txt
// shows why more cannot be): FLE alone does not keep two servers from
// deciding different leaders in one round when a better vote arrives after
// someone's finalize wait; ZooKeeper relies on ZAB (a leader needs a quorum
// of followers) to undo such decisions. So:
// 1. Agreement when the network is timely: all start together, every message
//    arrives within finalizeWaitTicks (in random order per step, possibly
//    duplicated, never lost). Then every voter decides the best vote's server
//    in round 1, and it leads.
// 2. Liveness after chaos: any mix of loss, duplication, reordering and ticks,
//    then messages flow fairly and the server applies ZAB's rule (a follower
//    whose leader does not lead, or a leader without a quorum of followers,
//    starts a new round). Within a tick budget every voter then follows one
//    LEADING server with the same vote (leader and peer epoch; rounds may
//    differ: a server that decided in an older round, or joined through
//    out-of-election votes, keeps its round, as in ZooKeeper); observers
//    observe it.
// 3. The vote order equals a lexicographic comparison of
//    (peerEpoch, zxid, sid), written independently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { majorityQuorum } from '@corral/base';
import type { ServerId } from '@corral/base';
import { TestCluster, testLimits } from './test-cluster.js';
import { voteBeats } from './vote-order.js';
import type { VoteKey } from './types.js';

const finalizeWaitTicks = testLimits.finalizeWaitTicks ?? 2;
/** ELECTION_PROPERTY_RUNS=5000 for a longer soak; failures print fast-check's seed and path. */
const numRuns = Number(process.env['ELECTION_PROPERTY_RUNS'] ?? '150');

const ensembleArb = fc
  .record({ voterCount: fc.integer({ min: 3, max: 5 }), observerCount: fc.integer({ min: 0, max: 1 }) })
  .chain(({ voterCount, observerCount }) =>
    fc.record({
      voterCount: fc.constant(voterCount),
      observerCount: fc.constant(observerCount),
      zxids: fc.array(fc.bigInt({ min: 0n, max: 4n }), { minLength: voterCount + observerCount, maxLength: voterCount + observerCount }),
      epochs: fc.array(fc.bigInt({ min: 0n, max: 2n }), { minLength: voterCount + observerCount, maxLength: voterCount + observerCount }),
    }),
  );

type Ensemble = { voterCount: number; observerCount: number; zxids: bigint[]; epochs: bigint[] };

function bestVoter(e: Ensemble): ServerId {
  let best: VoteKey | null = null;
  for (let sid = 1; sid <= e.voterCount; sid++) {
    const key = { leader: sid, zxid: e.zxids[sid - 1] ?? 0n, peerEpoch: e.epochs[sid - 1] ?? 0n };
    if (best === null || lexicographicBeats(key, best)) best = key;
  }
  assert.ok(best !== null);
  return best.leader;
}

/** The alternative implementation: compare the tuples as arrays. */
function lexicographicBeats(a: VoteKey, b: VoteKey): boolean {
  const left = [a.peerEpoch, a.zxid, BigInt(a.leader)];
  const right = [b.peerEpoch, b.zxid, BigInt(b.leader)];
  for (let i = 0; i < left.length; i++) {
    const x = left[i] ?? 0n;
    const y = right[i] ?? 0n;
    if (x !== y) return x > y;
  }
  return false;
}

function newCluster(e: Ensemble): TestCluster {
  const cluster = new TestCluster();
  cluster.addNodes(e);
  return cluster;
}

const linkName = (from: ServerId, to: ServerId): string => `${from}->${to}`;

test('timely network: every voter decides the best vote in round 1', () => {
  const scheduleArb = fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 400, maxLength: 400 });
  fc.assert(
    fc.property(ensembleArb, scheduleArb, fc.integer({ min: 1, max: finalizeWaitTicks }), (e, coins, delayMax) => {
      const cluster = newCluster(e);
      let coin = 0;
      const flip = (percent: number): boolean => (coins[coin++ % coins.length] ?? 0) < percent;
      const pendingSince = new Map<string, number>();
      for (let step = 0; step < 60; step++) {
        for (const sid of cluster.sids()) cluster.processReady(sid);
        for (const [from, to] of cluster.queuedLinks()) {
          const name = linkName(from, to);
          const since = pendingSince.get(name) ?? step;
          pendingSince.set(name, since);
          if (flip(20)) cluster.duplicate(from, to);
          // A message may wait, but never past delayMax - 1 steps: it then
          // arrives before the tick that could end a finalize wait begun
          // when it was sent.
          if (step - since >= delayMax - 1 || flip(50)) {
            cluster.deliver(from, to);
            pendingSince.delete(name);
          }
        }
        for (const sid of cluster.sids()) cluster.tick(sid, 1);
      }
      for (const sid of cluster.sids()) cluster.processReady(sid);
      const best = bestVoter(e);
      for (let sid = 1; sid <= e.voterCount; sid++) {
        const decided = cluster.decisions.get(sid) ?? [];
        assert.equal(decided.length, 1, `voter ${sid} decides once`);
        assert.equal(decided[0]?.leader, best, `voter ${sid} follows the best vote`);
        assert.equal(decided[0]?.electionEpoch, 1n);
        assert.equal(decided[0]?.state, sid === best ? 'LEADING' : 'FOLLOWING');
      }
    }),
    { numRuns },
  );
});

const chaosOpArb = fc.oneof(
  fc.record({ op: fc.constant('deliver' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('dup' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('tick' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('ready' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('look' as const), pick: fc.nat() }),
);

/** The server's side of ZAB that undoes a wrong decision: go back to LOOKING. */
function applyServerRule(cluster: TestCluster, e: Ensemble): void {
  const verifier = majorityQuorum({ voters: Array.from({ length: e.voterCount }, (_, i) => i + 1) });
  for (const sid of cluster.sids()) {
    const status = cluster.node(sid).status();
    const position = { lastLoggedZxid: e.zxids[sid - 1] ?? 0n, currentEpoch: e.epochs[sid - 1] ?? 0n };
    if (status.state === 'FOLLOWING' || status.state === 'OBSERVING') {
      if (cluster.node(status.vote.leader).status().state !== 'LEADING') cluster.look(sid, position);
    } else if (status.state === 'LEADING') {
      const followers = new Set([sid]);
      for (const other of cluster.sids()) {
        const s = cluster.node(other).status();
        if (s.state === 'FOLLOWING' && s.vote.leader === sid) followers.add(other);
      }
      if (!verifier.containsQuorum(followers)) cluster.look(sid, position);
    }
  }
}

function settled(cluster: TestCluster, e: Ensemble): boolean {
  const leaders = cluster.sids().filter((sid) => cluster.node(sid).status().state === 'LEADING');
  if (leaders.length !== 1) return false;
  const leader = cluster.node(leaders[0] ?? 0).status();
  return cluster.sids().every((sid) => {
    const s = cluster.node(sid).status();
    const want = sid === leaders[0] ? 'LEADING' : sid <= e.voterCount ? 'FOLLOWING' : 'OBSERVING';
    return s.state === want && s.vote.leader === leaders[0] && s.vote.peerEpoch === leader.vote.peerEpoch;
  });
}

type ChaosOp = { op: 'deliver' | 'drop' | 'dup' | 'tick' | 'ready' | 'look'; pick: number };

/** Runs the ops on a new cluster; returns it and the trace of everything that happened. */
function runChaos(e: Ensemble, ops: readonly ChaosOp[]): { cluster: TestCluster; trace: string[] } {
  const cluster = newCluster(e);
  const sids = cluster.sids();
  const trace: string[] = [];
  for (const { op, pick } of ops) {
    const sid = sids[pick % sids.length] ?? 1;
    const links = cluster.queuedLinks();
    const link = links[pick % Math.max(links.length, 1)];
    if (op === 'tick') trace.push(...cluster.tick(sid, 1));
    else if (op === 'ready') trace.push(...cluster.processReady(sid));
    else if (op === 'look') trace.push(...cluster.look(sid, { lastLoggedZxid: e.zxids[sid - 1] ?? 0n, currentEpoch: e.epochs[sid - 1] ?? 0n }));
    else if (link !== undefined && op === 'deliver') trace.push(...cluster.deliver(link[0], link[1], 1));
    else if (link !== undefined && op === 'drop') trace.push(...cluster.drop(link[0], link[1]));
    else if (link !== undefined && op === 'dup') trace.push(...cluster.duplicate(link[0], link[1]));
  }
  trace.push(...cluster.stabilize(), ...cluster.status());
  return { cluster, trace };
}

test('determinism: the same inputs give the same trace', () => {
  fc.assert(
    fc.property(ensembleArb, fc.array(chaosOpArb, { maxLength: 300 }), (e, ops) => {
      assert.deepEqual(runChaos(e, ops).trace, runChaos(e, ops).trace);
    }),
    { numRuns: 50 },
  );
});

test('after loss, duplication and reordering, fair delivery elects one leader everyone follows', () => {
  fc.assert(
    fc.property(ensembleArb, fc.array(chaosOpArb, { maxLength: 300 }), (e, ops) => {
      const { cluster } = runChaos(e, ops);
      const sids = cluster.sids();
      const tickBudget = 400;
      for (let step = 0; step < tickBudget; step++) {
        cluster.stabilize();
        if (step % 10 === 9) applyServerRule(cluster, e);
        if (settled(cluster, e)) return;
        for (const sid of sids) cluster.tick(sid, 1);
      }
      assert.fail(`not settled after ${tickBudget} ticks: ${cluster.status().join('; ')}`);
    }),
    { numRuns },
  );
});

const voteKeyArb = fc.record({
  leader: fc.integer({ min: 1, max: 5 }),
  zxid: fc.bigInt({ min: 0n, max: 3n }),
  peerEpoch: fc.bigInt({ min: 0n, max: 2n }),
});

test('vote order equals the lexicographic order of (peerEpoch, zxid, sid)', () => {
  const verifier = majorityQuorum({ voters: [1, 2, 3, 4, 5] });
  fc.assert(
    fc.property(voteKeyArb, voteKeyArb, (a, b) => {
      assert.equal(voteBeats(a, b, verifier), lexicographicBeats(a, b));
    }),
    { numRuns: 2000 },
  );
});

test('a candidate of weight 0 never beats anyone', () => {
  const verifier = majorityQuorum({ voters: [1, 2, 3], observers: [4, 5] });
  fc.assert(
    fc.property(voteKeyArb, voteKeyArb, (a, b) => {
      if (a.leader >= 4) assert.equal(voteBeats(a, b, verifier), false);
    }),
  );
});

// Goal: under random interleavings of client requests, message deliveries
// (FIFO per server pair), ticks and slow disks, three Replicas end with the
// same tree at the same zxid, every request of every session is answered
// exactly once and in the order it was sent (with short timeouts: a prefix
// of them, then the session is closed on every server and its connection
// closed), and a seed replays to the same trace. With crashes, restarts and
// leader changes (syncs by DIFF, TRUNC and SNAP, DIFFs read from disk,
// snapshots with and without log purges, short sessions that expire)
// the servers still end equal and every session's replies are an in-order
// prefix of what it sent. Method: seeded runs of TestEnsemble over
// broadcast's real Leader/Learner. The PRNG is broadcast's harness Prng;
// REPLICA_RANDOM_SEED=<n> replays one seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAclUnsafe } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import type { ClientOutput } from './outputs.js';
import { Prng } from '@corral/broadcast/testing';
import { TestEnsemble } from './testing/index.js';

/** The seeded PRNG broadcast's harness uses (never Math.random), as a `below(n)` function. */
function prng(seed: number): (below: number) => number {
  const random = new Prng(seed);
  return (below) => random.below(below);
}

const paths = ['/a', '/a/b', '/b', '/c', '/a/c'];
const data = new Uint8Array([7]);

function randomRequest(next: (below: number) => number): ClientRequest {
  const path = paths[next(paths.length)] ?? '/a';
  switch (next(10)) {
    case 0: return { type: OpCode.create, path, data, acl: openAclUnsafe, flags: next(4) };
    case 1: return { type: OpCode.create2, path, data, acl: openAclUnsafe, flags: 0 };
    case 2: return { type: OpCode.setData, path, data, version: next(3) - 1 };
    case 3: return { type: OpCode.delete, path, version: -1 };
    case 4: return { type: OpCode.getData, path, watch: next(2) === 0 };
    case 5: return { type: OpCode.exists, path, watch: next(2) === 0 };
    case 6: return { type: OpCode.getChildren, path, watch: next(2) === 0 };
    case 7: return { type: OpCode.sync, path };
    case 8: return { type: OpCode.check, path, version: next(2) - 1 };
    default: return {
      type: OpCode.multi,
      ops: [{ type: OpCode.create, path, data, acl: openAclUnsafe, flags: 0 }, { type: OpCode.setData, path, data, version: -1 }],
    };
  }
}

/** One seeded run; returns the trace of every client output, for replay comparison. */
function runSeed(seed: number, timeoutMs = 60_000): string {
  const next = prng(seed);
  const sids = [1, 2, 3];
  const ensemble = TestEnsemble.started(sids);
  const sessions: { id: bigint; sid: number; sent: number[] }[] = [];
  for (let origin = 1; origin <= 4; origin += 1) {
    const sid = sids[next(3)] ?? 1;
    const id = ensemble.server(sid).replica.connect(origin, timeoutMs, [], 1_000_000);
    assert.notEqual(id, null);
    sessions.push({ id: id as bigint, sid, sent: [] });
  }
  ensemble.run();
  let nowMs = 1_000_000;
  for (let step = 0; step < 300; step += 1) {
    const roll = next(100);
    if (roll < 40) {
      const session = sessions[next(sessions.length)];
      assert(session !== undefined);
      const cxid = session.sent.length + 1;
      session.sent.push(cxid);
      ensemble.server(session.sid).replica.submit(session.id, cxid, randomRequest(next), [], nowMs);
    } else if (roll < 48) {
      const server = ensemble.server(sids[next(3)] ?? 1);
      if (server.holdDisk || server.held !== null) ensemble.releaseDisk(server.sid);
      else server.holdDisk = true;
    } else if (roll < 55) {
      nowMs += 100;
      for (const sid of sids) ensemble.server(sid).replica.tick(nowMs);
    } else {
      ensemble.stepOnce(next);
    }
  }
  for (const sid of sids) ensemble.releaseDisk(sid);
  ensemble.run();

  const zxids = sids.map((sid) => ensemble.server(sid).replica.dataTree.lastProcessedZxid);
  const digests = sids.map((sid) => ensemble.server(sid).replica.dataTree.digest());
  assert.equal(new Set(zxids).size, 1, `seed ${seed}: every server at the same zxid ${zxids.join(' ')}`);
  assert.equal(new Set(digests).size, 1, `seed ${seed}: equal digests`);
  const outputs = new Map<number, ClientOutput[]>(sids.map((sid) => [sid, ensemble.takeOutputs(sid)]));
  for (const session of sessions) {
    const mine = (outputs.get(session.sid) ?? []).filter((out) => 'sessionId' in out && out.sessionId === session.id);
    const closed = mine.some((out) => out.kind === 'close');
    const cxids = mine.flatMap((out) => (out.kind === 'reply' ? [out.cxid] : []));
    const what = `seed ${seed}: session ${session.id}`;
    if (!closed) assert.deepEqual(cxids, session.sent, `${what} answered once each, in order`);
    else assert.deepEqual(cxids, session.sent.slice(0, cxids.length), `${what} answered in order until it closed`);
    for (const sid of sids) assert.equal(ensemble.server(sid).replica.dataTree.sessions().has(session.id), !closed, `${what} replicated state`);
  }
  return JSON.stringify([...outputs], (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value instanceof Uint8Array ? [...value] : value));
}

/**
 * One seeded run with faults: servers crash (losing unsynced writes) and
 * restart, disks stall, the oracle elects whenever a quorum is LOOKING, and
 * small limits make leaders snapshot, purge and SNAP. Then everything heals.
 */
function runFaultySeed(seed: number): string {
  const next = prng(seed);
  // Swarm: the seed also picks the ensemble (3, 4 or 5 voters, with or without an observer).
  const voters = [1, 2, 3, 4, 5].slice(0, 3 + (seed % 3));
  const observers = seed % 5 === 0 ? [] : [6];
  const sids = [...voters, ...observers];
  const ensemble = TestEnsemble.started(voters, {
    observers, limits: { pendingProposalsMax: 3, windowTxnsMax: 12, syncLimitTicks: 6, initLimitTicks: 12 }, snapshotEvery: 5,
    logRetention: seed % 2 === 0 ? 'keep' : 'purge',
  });
  // Every third seed has short sessions: expiry (closeSession txns) across leader changes.
  const timeoutMs = seed % 3 === 0 ? 600 : 60_000;
  const sessions: { id: bigint; sid: number; sent: number[] }[] = [];
  let origin = 0;
  let nowMs = 1_000_000;
  const trace: string[] = [];
  for (let step = 0; step < 2000; step += 1) {
    const roll = next(100);
    const server = ensemble.server(sids[next(sids.length)] ?? 1);
    if (roll < 25) {
      if (server.crashed || server.replica.role === 'looking') continue;
      const mine = sessions.filter((session) => session.sid === server.sid && server.replica.role !== 'looking');
      const session = mine[next(mine.length + 1)];
      if (session === undefined) {
        origin += 1;
        const id = server.replica.connect(origin, timeoutMs, [], nowMs);
        if (id !== null) sessions.push({ id, sid: server.sid, sent: [] });
        continue;
      }
      // A request before `connected` has no session here yet (the Driver would not send it).
      if (!server.outputs.some((out) => out.kind === 'connected' && out.sessionId === session.id)) continue;
      const cxid = session.sent.length + 1;
      session.sent.push(cxid);
      server.replica.submit(session.id, cxid, randomRequest(next), [], nowMs);
    } else if (roll < 29) {
      if (server.crashed) {
        ensemble.restart(server.sid);
        trace.push(`${step} restart ${server.sid}`);
      } else if (next(3) === 0) {
        ensemble.crash(server.sid);
        trace.push(`${step} crash ${server.sid}`);
      }
    } else if (roll < 35) {
      if (server.holdDisk || server.held !== null) ensemble.releaseDisk(server.sid);
      else if (!server.crashed) server.holdDisk = true;
    } else if (roll < 42) {
      nowMs += 100;
      ensemble.tick(nowMs);
    } else {
      ensemble.electIfPossible();
      ensemble.stepOnce(next);
    }
  }
  // Heal: every server up, disks free, time moves until one leader serves everyone.
  for (const sid of sids) {
    const server = ensemble.server(sid);
    if (server.crashed) ensemble.restart(sid);
    ensemble.releaseDisk(sid);
  }
  for (let round = 0; round < 200; round += 1) {
    ensemble.run();
    ensemble.electIfPossible();
    ensemble.run();
    const roles = sids.map((sid) => ensemble.server(sid).replica.role);
    if (roles.filter((role) => role === 'leading').length === 1 && !roles.includes('looking')) break;
    nowMs += 100;
    ensemble.tick(nowMs);
  }
  // One more write through the leader commits everything every server holds.
  const leader = sids.find((sid) => ensemble.server(sid).replica.role === 'leading');
  assert(leader !== undefined, `seed ${seed}: a leader after healing`);
  const last = ensemble.server(leader).replica.connect(10_000, 60_000, [], nowMs);
  assert.notEqual(last, null, `seed ${seed}: the healed leader serves`);
  ensemble.run();
  const zxids = sids.map((sid) => ensemble.server(sid).replica.dataTree.lastProcessedZxid);
  const digests = sids.map((sid) => ensemble.server(sid).replica.dataTree.digest());
  assert.equal(new Set(zxids).size, 1, `seed ${seed}: every server at the same zxid ${zxids.join(' ')}`);
  assert.equal(new Set(digests).size, 1, `seed ${seed}: equal digests`);
  for (const session of sessions) {
    const mine = ensemble.server(session.sid).outputs.filter((out) => 'sessionId' in out && out.sessionId === session.id);
    const cxids = mine.flatMap((out) => (out.kind === 'reply' ? [out.cxid] : []));
    assert.deepEqual(cxids, session.sent.slice(0, cxids.length), `seed ${seed}: session ${session.id} answered in order, each once`);
  }
  trace.push(...digests.map(String));
  return trace.join('\n');
}

/** REPLICA_RANDOM_SEED=<n> replays one seed; REPLICA_RANDOM_SEEDS=<count> soaks seeds 1..count. */
const only = process.env['REPLICA_RANDOM_SEED'];
const count = Number(process.env['REPLICA_RANDOM_SEEDS'] ?? 40);
const seeds = only === undefined ? Array.from({ length: count }, (_, index) => index + 1) : [Number(only)];

test(`random runs of three replicas: equal trees, every request answered once in order (${seeds.length} seeds)`, () => {
  for (const seed of seeds) runSeed(seed);
});

test(`random runs with 300 ms sessions: those that go silent expire on every server, through the log (${seeds.length} seeds)`, () => {
  for (const seed of seeds) runSeed(seed, 300);
});

test('a seed replays to the same trace', () => {
  assert.equal(runSeed(12345), runSeed(12345));
});

test(`random runs of 3–5 voters and an observer with crashes, restarts and leader changes: equal trees, replies in order (${seeds.length} seeds)`, () => {
  for (const seed of seeds) runFaultySeed(seed);
});

test('a faulty seed replays to the same trace', () => {
  assert.equal(runFaultySeed(4242), runFaultySeed(4242));
});

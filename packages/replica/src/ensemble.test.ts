// Goal: Replicas of a three-server ensemble answer their own clients whether
// they lead or follow: a follower forwards writes, the leader preps and
// proposes, every server applies the same txns in the same order, and only
// the server holding the session replies. Sessions on a follower stay alive
// through touch batches and expire through the leader's closeSession on
// every server; a reconnect to another follower goes through REVALIDATE.
// Method: TestEnsemble over FakeLeader/FakeLearner. WAITS FOR h/broadcast:
// the fakes have no discovery, sync or timeouts; rerun these tests over the
// real Leader/Learner once broadcast is on main.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { EventType, openAclUnsafe } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import type { ClientOutput } from './outputs.js';
import { FakeLeader, FakeLearner, TestEnsemble, testSessionPassword } from './testing/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const create = (path: string, flags = 0): ClientRequest => ({ type: OpCode.create, path, data: bytes('x'), acl: openAclUnsafe, flags });

function three(): TestEnsemble {
  const ensemble = new TestEnsemble();
  for (const sid of [1, 2, 3]) ensemble.add(sid);
  ensemble.lead(1, new FakeLeader({ sid: 1, voters: [1, 2, 3], epoch: 1, lastZxid: 0n }));
  ensemble.follow(2, new FakeLearner({ sid: 2, leaderSid: 1 }));
  ensemble.follow(3, new FakeLearner({ sid: 3, leaderSid: 1 }));
  ensemble.run();
  return ensemble;
}

const summary = (outputs: readonly ClientOutput[]): string[] => outputs.map((out) => {
  switch (out.kind) {
    case 'reply': return `reply ${out.origin} ${out.cxid} ${out.err}`;
    case 'event': return `event ${out.origin} ${out.type} ${out.path}`;
    default: return `${out.kind} ${out.origin}`;
  }
});

function connectOn(ensemble: TestEnsemble, sid: number, origin: number, timeoutMs = 30_000): bigint {
  const sessionId = ensemble.server(sid).replica.connect(origin, timeoutMs, [], 1_000_000);
  assert.notEqual(sessionId, null);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(sid)), [`connected ${origin}`]);
  return sessionId as bigint;
}

test('ensemble: roles are announced once established', () => {
  const ensemble = three();
  assert.deepEqual([1, 2, 3].map((sid) => ensemble.server(sid).roles.map((role) => role.role)), [['leading'], ['following'], ['following']]);
});

test('ensemble: a follower forwards the write; every server applies it; only the session\'s server replies', () => {
  const ensemble = three();
  const sessionId = connectOn(ensemble, 2, 7);
  for (const sid of [1, 3]) assert.deepEqual(ensemble.takeOutputs(sid), []);
  ensemble.server(2).replica.submit(sessionId, 1, create('/e', 1), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(2)), [`reply 7 1 ${ZkCode.OK}`]);
  for (const sid of [1, 3]) assert.deepEqual(ensemble.takeOutputs(sid), []);
  const digests = [1, 2, 3].map((sid) => ensemble.server(sid).replica.dataTree.digest());
  assert.equal(new Set(digests).size, 1);
  for (const sid of [1, 2, 3]) {
    const tree = ensemble.server(sid).replica.dataTree;
    assert.equal(tree.getNode('/e')?.ephemeralOwner, sessionId);
    assert.equal(tree.lastProcessedZxid, (1n << 32n) | 2n);
  }
});

test('ensemble: no reply before a quorum has the txn durable', () => {
  const ensemble = three();
  const sessionId = connectOn(ensemble, 1, 7);
  ensemble.server(2).holdDisk = true;
  ensemble.server(3).holdDisk = true;
  ensemble.server(1).replica.submit(sessionId, 1, create('/a'), [], 1_000_000);
  ensemble.run();
  // Only the leader has it durable (its self-ack): one of three.
  assert.deepEqual(ensemble.takeOutputs(1), []);
  assert.equal(ensemble.server(1).replica.dataTree.getNode('/a'), undefined);
  ensemble.releaseDisk(2);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(1)), [`reply 7 1 ${ZkCode.OK}`]);
  // Server 3 applies it once its own (held) Ready is done: a learner's commits come in its next Ready.
  assert.equal(ensemble.server(3).replica.dataTree.getNode('/a'), undefined);
  ensemble.releaseDisk(3);
  ensemble.run();
  assert.notEqual(ensemble.server(3).replica.dataTree.getNode('/a'), undefined);
});

test('ensemble: a watch set on one follower fires for a write through another', () => {
  const ensemble = three();
  const watcher = connectOn(ensemble, 3, 7);
  const writer = connectOn(ensemble, 2, 8);
  ensemble.server(3).replica.submit(watcher, 1, { type: OpCode.exists, path: '/w', watch: true }, [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`reply 7 1 ${ZkCode.NONODE}`]);
  ensemble.server(2).replica.submit(writer, 1, create('/w'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`event 7 ${EventType.NodeCreated} /w`]);
  assert.deepEqual(summary(ensemble.takeOutputs(2)), [`reply 8 1 ${ZkCode.OK}`]);
});

test('ensemble: touches relayed by a follower keep its session alive; silence expires it on every server', () => {
  const ensemble = three();
  const sessionId = connectOn(ensemble, 2, 7, 1000);
  ensemble.server(2).replica.submit(sessionId, 1, create('/e', 1), [], 1_000_000);
  ensemble.run();
  ensemble.takeOutputs(2);
  let nowMs = 1_000_000;
  const tickAll = (): void => {
    nowMs += 100;
    for (const sid of [1, 2, 3]) ensemble.server(sid).replica.tick(nowMs);
    ensemble.run();
  };
  for (let tick = 0; tick < 30; tick += 1) {
    ensemble.server(2).replica.submit(sessionId, -2, { type: OpCode.ping }, [], nowMs);
    tickAll();
  }
  assert.equal(ensemble.server(1).replica.dataTree.sessions().has(sessionId), true);
  for (let tick = 0; tick < 12; tick += 1) tickAll();
  for (const sid of [1, 2, 3]) {
    assert.equal(ensemble.server(sid).replica.dataTree.sessions().has(sessionId), false);
    assert.equal(ensemble.server(sid).replica.dataTree.getNode('/e'), undefined);
  }
  assert.deepEqual(summary(ensemble.takeOutputs(2)).filter((line) => !line.startsWith('reply')), ['close 7']);
});

test('ensemble: a reconnect to another follower is checked by the leader (REVALIDATE)', () => {
  const ensemble = three();
  const sessionId = connectOn(ensemble, 2, 7);
  const follower = ensemble.server(3).replica;
  follower.reconnect(9, sessionId, new Uint8Array(16), 30_000, [], 1_000_000);
  follower.reconnect(8, sessionId, testSessionPassword(sessionId), 30_000, [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['refused 9', 'connected 8']);
  follower.submit(sessionId, 1, create('/r'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`reply 8 1 ${ZkCode.OK}`]);
});

test('ensemble: a malformed REQUEST payload is dropped by the leader, which carries on', () => {
  const ensemble = three();
  ensemble.server(1).replica.step(2, { type: 'REQUEST', payload: new Uint8Array([0, 0, 0, 9]) });
  ensemble.run();
  const sessionId = connectOn(ensemble, 2, 7);
  ensemble.server(2).replica.submit(sessionId, 1, create('/ok'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(2)), [`reply 7 1 ${ZkCode.OK}`]);
});

test('ensemble: a sync on a follower goes through the leader and holds the reads behind it', () => {
  const ensemble = three();
  const sessionId = connectOn(ensemble, 2, 7);
  const follower = ensemble.server(2).replica;
  follower.submit(sessionId, 1, { type: OpCode.sync, path: '/' }, [], 1_000_000);
  follower.submit(sessionId, 2, { type: OpCode.exists, path: '/', watch: false }, [], 1_000_000);
  assert.deepEqual(ensemble.takeOutputs(2), []);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(2)), [`reply 7 1 ${ZkCode.OK}`, `reply 7 2 ${ZkCode.OK}`]);
});

test('ensemble: after a leader change sessions survive, a reconnect is revalidated by the new leader, and zxids move to the new epoch', () => {
  const ensemble = new TestEnsemble();
  for (const sid of [1, 2, 3]) ensemble.add(sid);
  const first = new FakeLeader({ sid: 1, voters: [1, 2, 3], epoch: 1, lastZxid: 0n });
  ensemble.lead(1, first);
  ensemble.follow(2, new FakeLearner({ sid: 2, leaderSid: 1 }));
  ensemble.follow(3, new FakeLearner({ sid: 3, leaderSid: 1 }));
  ensemble.run();
  const sessionId = connectOn(ensemble, 3, 7);
  ensemble.server(3).replica.submit(sessionId, 1, create('/e', 1), [], 1_000_000);
  ensemble.run();
  ensemble.takeOutputs(3);
  first.stop('no quorum');
  for (const sid of [2, 3]) ensemble.server(sid).replica.leaderLost();
  ensemble.run();
  assert.deepEqual([1, 2, 3].map((sid) => ensemble.server(sid).replica.role), ['looking', 'looking', 'looking']);
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['close 7']);
  const last = ensemble.server(2).replica.dataTree.lastProcessedZxid;
  ensemble.lead(2, new FakeLeader({ sid: 2, voters: [1, 2, 3], epoch: 2, lastZxid: last }));
  ensemble.follow(1, new FakeLearner({ sid: 1, leaderSid: 2 }));
  ensemble.follow(3, new FakeLearner({ sid: 3, leaderSid: 2 }));
  ensemble.run();
  for (const sid of [1, 2, 3]) assert.equal(ensemble.server(sid).replica.dataTree.sessions().has(sessionId), true);
  ensemble.server(1).replica.reconnect(8, sessionId, testSessionPassword(sessionId), 30_000, [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(1)), ['connected 8']);
  ensemble.server(1).replica.submit(sessionId, 2, create('/f'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(1)), [`reply 8 2 ${ZkCode.OK}`]);
  for (const sid of [1, 2, 3]) assert.equal(ensemble.server(sid).replica.dataTree.getNode('/f')?.czxid, (2n << 32n) | 1n);
});

test('ensemble: an observer forwards writes and applies what INFORM carries, without acking', () => {
  const ensemble = new TestEnsemble();
  for (const sid of [1, 2, 3, 4]) ensemble.add(sid);
  ensemble.lead(1, new FakeLeader({ sid: 1, voters: [1, 2, 3], observers: [4], epoch: 1, lastZxid: 0n }));
  ensemble.follow(2, new FakeLearner({ sid: 2, leaderSid: 1 }));
  ensemble.follow(3, new FakeLearner({ sid: 3, leaderSid: 1 }));
  ensemble.follow(4, new FakeLearner({ sid: 4, leaderSid: 1, observer: true }), true);
  ensemble.run();
  assert.deepEqual(ensemble.server(4).roles.map((role) => role.role), ['observing']);
  const sessionId = connectOn(ensemble, 4, 7);
  ensemble.server(4).replica.submit(sessionId, 1, create('/o'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(4)), [`reply 7 1 ${ZkCode.OK}`]);
  assert.equal(new Set([1, 2, 3, 4].map((sid) => ensemble.server(sid).replica.dataTree.digest())).size, 1);
});

test('ensemble: the leader deletes an empty container through the log, on every server', () => {
  const ensemble = three();
  const sessionId = connectOn(ensemble, 2, 7);
  ensemble.server(2).replica.submit(sessionId, 1, { type: OpCode.createContainer, path: '/c', data: null, acl: openAclUnsafe, flags: 4 }, [], 1_000_000);
  ensemble.run();
  assert.equal(ensemble.server(2).replica.proposeDeleteContainer('/c'), false, 'only the leader proposes');
  assert.equal(ensemble.server(1).replica.proposeDeleteContainer('/c'), true);
  assert.equal(ensemble.server(1).replica.proposeDeleteContainer('/c'), false, 'a change to it is already on its way');
  ensemble.run();
  for (const sid of [1, 2, 3]) assert.equal(ensemble.server(sid).replica.dataTree.getNode('/c'), undefined);
});

// Goal: Replicas of a three-server ensemble answer their own clients whether
// they lead or follow: a follower forwards writes, the leader preps and
// proposes, every server applies the same txns in the same order, and only
// the server holding the session replies. Sessions on a follower stay alive
// through touch batches and expire through the leader's closeSession on
// every server; a reconnect to another follower goes through REVALIDATE.
// A server that restarts syncs by DIFF, or by SNAP filled from the leader
// Replica's tree when the leader's log no longer reaches back.
// Method: TestEnsemble over broadcast's real Leader/Learner (discovery,
// sync, stream numbers, self-acks, timeouts in ticks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { EventType, openAclUnsafe } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import type { ClientOutput } from './outputs.js';
import { TestEnsemble, testSessionPassword } from './testing/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const create = (path: string, flags = 0): ClientRequest => ({ type: OpCode.create, path, data: bytes('x'), acl: openAclUnsafe, flags });

function three(): TestEnsemble {
  return TestEnsemble.started([1, 2, 3]);
}

const replies = (outputs: readonly ClientOutput[]): ClientOutput[] => outputs.filter((out) => out.kind === 'reply');

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
  const ensemble = three();
  const sessionId = connectOn(ensemble, 3, 7);
  ensemble.server(3).replica.submit(sessionId, 1, create('/e', 1), [], 1_000_000);
  ensemble.run();
  ensemble.takeOutputs(3);
  ensemble.crash(1);
  ensemble.run();
  assert.deepEqual([2, 3].map((sid) => ensemble.server(sid).replica.role), ['looking', 'looking']);
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['close 7']);
  // The oracle elects the most up-to-date voter, ties to the higher sid: 3.
  assert.equal(ensemble.electIfPossible(), true);
  ensemble.run();
  assert.deepEqual([2, 3].map((sid) => ensemble.server(sid).replica.role), ['following', 'leading']);
  for (const sid of [2, 3]) assert.equal(ensemble.server(sid).replica.dataTree.sessions().has(sessionId), true);
  ensemble.server(2).replica.reconnect(8, sessionId, testSessionPassword(sessionId), 30_000, [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(2)), ['connected 8']);
  ensemble.server(2).replica.submit(sessionId, 2, create('/f'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(2)), [`reply 8 2 ${ZkCode.OK}`]);
  // The old leader restarts from its disk (no snapshot: an empty tree) and catches up by DIFF.
  ensemble.restart(1);
  assert.equal(ensemble.electIfPossible(), true);
  ensemble.run();
  assert.deepEqual(ensemble.server(3).syncs, ['sent DIFF to 2', 'sent DIFF to 1']);
  for (const sid of [1, 2, 3]) assert.equal(ensemble.server(sid).replica.dataTree.getNode('/f')?.czxid, (2n << 32n) | 1n);
  assert.equal(new Set([1, 2, 3].map((sid) => ensemble.server(sid).replica.dataTree.digest())).size, 1);
});

test('ensemble: a follower that restarts behind the leader\'s window syncs by SNAP, filled from the leader\'s tree', () => {
  const ensemble = TestEnsemble.started([1, 2, 3], { limits: { pendingProposalsMax: 2, windowTxnsMax: 4 }, snapshotEvery: 3 });
  const sessionId = connectOn(ensemble, 1, 7);
  ensemble.server(1).replica.submit(sessionId, 1, create('/before'), [], 1_000_000);
  ensemble.run();
  ensemble.crash(3);
  ensemble.run();
  for (let cxid = 2; cxid < 12; cxid += 1) ensemble.server(1).replica.submit(sessionId, cxid, create(`/n${cxid}`), [], 1_000_000);
  ensemble.run();
  assert.equal(replies(ensemble.takeOutputs(1)).length, 11);
  ensemble.restart(3);
  assert.equal(ensemble.electIfPossible(), true);
  ensemble.run();
  assert.deepEqual(ensemble.server(1).syncs.at(-1), 'sent SNAP to 3');
  assert.deepEqual(ensemble.server(3).syncs, ['installed SNAP']);
  assert.equal(ensemble.server(3).replica.role, 'following');
  assert.equal(new Set([1, 2, 3].map((sid) => ensemble.server(sid).replica.dataTree.digest())).size, 1);
  // It serves from the installed tree and keeps up with new writes.
  const reader = connectOn(ensemble, 3, 8);
  ensemble.server(3).replica.submit(reader, 1, create('/after'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`reply 8 1 ${ZkCode.OK}`]);
  assert.equal(new Set([1, 2, 3].map((sid) => ensemble.server(sid).replica.dataTree.digest())).size, 1);
  // What it made durable is a snapshot and a log that a restart rebuilds the same tree from.
  ensemble.crash(3);
  ensemble.restart(3);
  assert.equal(ensemble.electIfPossible(), true);
  ensemble.run();
  assert.equal(ensemble.server(3).replica.dataTree.digest(), ensemble.server(1).replica.dataTree.digest());
});

test('ensemble: an observer forwards writes and applies what INFORM carries, without acking', () => {
  const ensemble = TestEnsemble.started([1, 2, 3], { observers: [4] });
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

test('ensemble: an observer\'s snapshot can be ahead of its durable log; it restarts from the snapshot', () => {
  const ensemble = TestEnsemble.started([1, 2, 3], { observers: [4], snapshotEvery: 1, logRetention: 'keep' });
  const sessionId = connectOn(ensemble, 1, 7);
  const observer = ensemble.server(4);
  observer.holdDisk = true;
  ensemble.server(1).replica.submit(sessionId, 1, create('/o'), [], 1_000_000);
  ensemble.run();
  // INFORM is appended and applied in one Ready: the tree (and a snapshot of it) has /o, the durable log does not.
  const zxid = ensemble.server(1).replica.dataTree.lastProcessedZxid;
  assert.notEqual(observer.replica.dataTree.getNode('/o'), undefined);
  assert.equal(observer.durable.snapshotZxid, zxid);
  assert.equal(observer.durable.log.some((txn) => txn.zxid === zxid), false);
  ensemble.crash(4);
  ensemble.restart(4);
  assert.equal(observer.replica.dataTree.lastProcessedZxid, zxid);
  assert.equal(ensemble.electIfPossible(), true);
  ensemble.run();
  assert.equal(observer.replica.role, 'observing');
  ensemble.server(1).replica.submit(sessionId, 2, create('/p'), [], 1_000_000);
  ensemble.run();
  assert.equal(new Set([1, 2, 3, 4].map((sid) => ensemble.server(sid).replica.dataTree.digest())).size, 1);
});

test('ensemble: a leader whose followers are gone does not answer a sync (ZOOKEEPER-1675)', () => {
  // The leader still believes it leads (no tick yet), as a paused or partitioned one does; before
  // leadership rounds it answered the sync at once, from a tree a new leader may have outrun.
  const ensemble = three();
  const sessionId = connectOn(ensemble, 1, 7);
  ensemble.crash(2);
  ensemble.crash(3);
  assert.equal(ensemble.server(1).replica.role, 'leading');
  ensemble.server(1).replica.submit(sessionId, 1, { type: OpCode.sync, path: '/' }, [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(1)), []);
});

test('ensemble: a sync is answered once a quorum echoed the leadership round started after it', () => {
  const ensemble = three();
  const onLeader = connectOn(ensemble, 1, 7);
  const onFollower = connectOn(ensemble, 3, 8);
  ensemble.crash(2);
  ensemble.server(1).replica.submit(onLeader, 1, { type: OpCode.sync, path: '/' }, [], 1_000_000);
  ensemble.server(3).replica.submit(onFollower, 1, { type: OpCode.sync, path: '/' }, [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(1)), [`reply 7 1 ${ZkCode.OK}`]);
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`reply 8 1 ${ZkCode.OK}`]);
});

// Goal: a client that moves to a follower which has not yet applied its session's creation keeps
// its session: whether a session lives is the leader's to say (ZooKeeper's
// Learner.validateSession), not the lagging follower's tree (found by the in-process ensemble test
// under CI load, where the follower answered "expired").
test('ensemble: a reconnect to a follower whose tree lacks the session yet is revalidated by the leader', () => {
  const ensemble = three();
  ensemble.server(3).holdDisk = true;
  const sessionId = connectOn(ensemble, 2, 7);
  const lagging = ensemble.server(3).replica;
  assert.equal(lagging.dataTree.sessions().has(sessionId), false, 'the follower has not applied the session yet');
  lagging.reconnect(8, sessionId, testSessionPassword(sessionId), 30_000, [], 1_000_000);
  ensemble.run();
  ensemble.releaseDisk(3);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['connected 8']);
  lagging.submit(sessionId, 1, create('/moved'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`reply 8 1 ${ZkCode.OK}`]);
});

// Goal: the Replica end to end through broadcast's real Leader: standalone (an
// ensemble of one) goes submit → persist → commit → apply → reply, and
// nothing is answered before its txn is durable; Final keeps per-session
// FIFO order and fires a watch event before the reply that reads the change;
// sessions are created and expired only through txns. Method: TestEnsemble,
// a tiny in-memory Driver over the real machines whose disk can be held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { EventType, openAclUnsafe } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import type { ClientOutput, ReplyOutput } from './outputs.js';
import { TestEnsemble, testSessionPassword } from './testing/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const create = (path: string, flags = 0, data = 'x'): ClientRequest => ({ type: OpCode.create, path, data: bytes(data), acl: openAclUnsafe, flags });
const getData = (path: string, watch = false): ClientRequest => ({ type: OpCode.getData, path, watch });
const setData = (path: string, data: string): ClientRequest => ({ type: OpCode.setData, path, data: bytes(data), version: -1 });

function standalone(): TestEnsemble {
  return TestEnsemble.started([1]);
}

function connect(ensemble: TestEnsemble, sid: number, origin: number, timeoutMs = 30_000): bigint {
  const sessionId = ensemble.server(sid).replica.connect(origin, timeoutMs, [], 1_000_000);
  assert.notEqual(sessionId, null);
  ensemble.run();
  const outputs = ensemble.takeOutputs(sid);
  assert.deepEqual(outputs.map((out) => out.kind), ['connected']);
  return sessionId as bigint;
}

function replies(outputs: readonly ClientOutput[]): ReplyOutput[] {
  return outputs.filter((out): out is ReplyOutput => out.kind === 'reply');
}

test('standalone: the role is announced once established', () => {
  const ensemble = standalone();
  assert.deepEqual(ensemble.server(1).roles.map((role) => role.role), ['leading']);
});

test('standalone: submit create → persist → commit → apply → reply', () => {
  const ensemble = standalone();
  const server = ensemble.server(1);
  const sessionId = connect(ensemble, 1, 7);
  assert.equal(server.replica.dataTree.sessions().get(sessionId), 30_000);
  server.holdDisk = true;
  server.replica.submit(sessionId, 1, create('/a'), [], 1_000_010);
  ensemble.run();
  // Appended, not durable: no commit, no apply, no reply.
  assert.equal(server.volatile.log.length, 2);
  assert.equal(server.replica.dataTree.getNode('/a'), undefined);
  assert.deepEqual(ensemble.takeOutputs(1), []);
  ensemble.releaseDisk(1);
  ensemble.run();
  const out = ensemble.takeOutputs(1);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], {
    kind: 'reply', sessionId, origin: 7, cxid: 1, type: OpCode.create, zxid: (1n << 32n) | 2n, err: ZkCode.OK,
    response: { type: OpCode.create, path: '/a' }, receivedAtMs: 1_000_010,
  });
  assert.equal(server.replica.dataTree.getNode('/a')?.czxid, (1n << 32n) | 2n);
});

test('standalone: an error txn keeps the zxid sequence and answers in turn', () => {
  const ensemble = standalone();
  const sessionId = connect(ensemble, 1, 7);
  const replica = ensemble.server(1).replica;
  replica.submit(sessionId, 1, create('/a/b'), [], 1_000_000);
  replica.submit(sessionId, 2, create('/a'), [], 1_000_000);
  ensemble.run();
  const out = replies(ensemble.takeOutputs(1));
  assert.deepEqual(out.map((reply) => [reply.cxid, reply.err]), [[1, ZkCode.NONODE], [2, ZkCode.OK]]);
  assert.equal(replica.dataTree.lastProcessedZxid, (1n << 32n) | 3n);
});

test('final: a read waits behind its session\'s pending write, not behind other sessions', () => {
  const ensemble = standalone();
  const a = connect(ensemble, 1, 7);
  const b = connect(ensemble, 1, 8);
  const server = ensemble.server(1);
  server.holdDisk = true;
  server.replica.submit(a, 1, create('/a', 0, 'v1'), [], 1_000_000);
  server.replica.submit(a, 2, getData('/a'), [], 1_000_000);
  server.replica.submit(b, 1, getData('/a'), [], 1_000_000);
  ensemble.run();
  // b's read has nothing ahead of it: answered at once, from the applied tree.
  assert.deepEqual(replies(ensemble.takeOutputs(1)).map((reply) => [reply.sessionId, reply.cxid, reply.err]), [[b, 1, ZkCode.NONODE]]);
  ensemble.releaseDisk(1);
  ensemble.run();
  const out = replies(ensemble.takeOutputs(1));
  assert.deepEqual(out.map((reply) => [reply.sessionId, reply.cxid, reply.err]), [[a, 1, ZkCode.OK], [a, 2, ZkCode.OK]]);
  assert.deepEqual(out[1]?.response, { type: OpCode.getData, data: bytes('v1'), stat: server.replica.dataTree.getNode('/a')?.stat });
});

test('final: the watch event comes before the replies of the write that fired it and of any read that sees it', () => {
  const ensemble = standalone();
  const watcher = connect(ensemble, 1, 7);
  const writer = connect(ensemble, 1, 8);
  const server = ensemble.server(1);
  server.replica.submit(writer, 1, create('/a', 0, 'v1'), [], 1_000_000);
  ensemble.run();
  server.replica.submit(watcher, 1, getData('/a', true), [], 1_000_000);
  ensemble.run();
  ensemble.takeOutputs(1);
  server.holdDisk = true;
  server.replica.submit(writer, 2, setData('/a', 'v2'), [], 1_000_000);
  server.replica.submit(writer, 3, getData('/a'), [], 1_000_000);
  ensemble.run();
  ensemble.releaseDisk(1);
  ensemble.run();
  server.replica.submit(watcher, 2, getData('/a'), [], 1_000_000);
  ensemble.run();
  const out = ensemble.takeOutputs(1).map((o) => (o.kind === 'event' ? `event ${o.sessionId === watcher ? 'watcher' : 'writer'} ${o.type} ${o.path}`
    : o.kind === 'reply' ? `reply ${o.sessionId === watcher ? 'watcher' : 'writer'} ${o.cxid}` : o.kind));
  assert.deepEqual(out, [`event watcher ${EventType.NodeDataChanged} /a`, 'reply writer 2', 'reply writer 3', 'reply watcher 2']);
});

test('final: a write from a closed connection is applied but not answered, and reads behind it do not run', () => {
  const ensemble = standalone();
  const sessionId = connect(ensemble, 1, 7);
  const server = ensemble.server(1);
  server.holdDisk = true;
  server.replica.submit(sessionId, 1, create('/a'), [], 1_000_000);
  server.replica.submit(sessionId, 2, getData('/a', true), [], 1_000_000);
  ensemble.run();
  server.replica.attach(sessionId, 9, []);
  ensemble.releaseDisk(1);
  ensemble.run();
  assert.deepEqual(ensemble.takeOutputs(1).map((o) => [o.kind, o.kind === 'close' ? o.origin : null]), [['close', 7]]);
  assert.notEqual(server.replica.dataTree.getNode('/a'), undefined);
});

test('sessions: a client closeSession is a txn: ephemerals go on apply, then the reply, then the connection closes', () => {
  const ensemble = standalone();
  const sessionId = connect(ensemble, 1, 7);
  const server = ensemble.server(1);
  server.replica.submit(sessionId, 1, create('/e', 1), [], 1_000_000);
  ensemble.run();
  ensemble.takeOutputs(1);
  server.holdDisk = true;
  server.replica.submit(sessionId, 2, { type: OpCode.closeSession }, [], 1_000_000);
  ensemble.run();
  assert.notEqual(server.replica.dataTree.getNode('/e'), undefined);
  assert.equal(server.replica.dataTree.sessions().has(sessionId), true);
  ensemble.releaseDisk(1);
  ensemble.run();
  assert.equal(server.replica.dataTree.getNode('/e'), undefined);
  assert.equal(server.replica.dataTree.sessions().has(sessionId), false);
  assert.deepEqual(ensemble.takeOutputs(1).map((o) => o.kind), ['reply', 'close']);
});

test('sessions: the leader expires a silent session only through a closeSession txn', () => {
  const ensemble = standalone();
  const sessionId = connect(ensemble, 1, 7, 1000);
  const server = ensemble.server(1);
  server.replica.submit(sessionId, 1, create('/e', 1), [], 1_000_000);
  ensemble.run();
  ensemble.takeOutputs(1);
  // Touched at tick 0 with 1000 ms at 100 ms per tick: expires at tick 11.
  for (let tick = 1; tick <= 10; tick += 1) server.replica.tick(1_000_000 + tick * 100);
  ensemble.run();
  assert.equal(server.volatile.log.length, 2);
  server.holdDisk = true;
  server.replica.tick(1_001_100);
  ensemble.run();
  // Proposed, not committed: the session and its ephemeral are still there, and it takes no more writes.
  assert.equal(server.volatile.log.length, 3);
  assert.equal(server.replica.dataTree.sessions().has(sessionId), true);
  assert.notEqual(server.replica.dataTree.getNode('/e'), undefined);
  server.replica.submit(sessionId, 2, create('/f'), [], 1_001_100);
  ensemble.run();
  assert.deepEqual(replies(ensemble.takeOutputs(1)).map((reply) => reply.err), [ZkCode.SESSIONEXPIRED]);
  ensemble.releaseDisk(1);
  ensemble.run();
  assert.equal(server.replica.dataTree.sessions().has(sessionId), false);
  assert.equal(server.replica.dataTree.getNode('/e'), undefined);
  assert.deepEqual(ensemble.takeOutputs(1).map((o) => (o.kind === 'close' ? o.reason : o.kind)), ['session expired']);
});

test('sessions: activity pushes the deadline out', () => {
  const ensemble = standalone();
  const sessionId = connect(ensemble, 1, 7, 1000);
  const server = ensemble.server(1);
  for (let tick = 1; tick <= 30; tick += 1) {
    server.replica.submit(sessionId, -2, { type: OpCode.ping }, [], 1_000_000 + tick * 100);
    server.replica.tick(1_000_000 + tick * 100);
  }
  ensemble.run();
  assert.equal(server.replica.dataTree.sessions().has(sessionId), true);
  assert.equal(replies(ensemble.takeOutputs(1)).length, 30);
});

test('sessions: a reconnect with the right password is accepted, a wrong one refused', () => {
  const ensemble = standalone();
  const sessionId = connect(ensemble, 1, 7);
  const replica = ensemble.server(1).replica;
  replica.reconnect(8, sessionId, new Uint8Array(16), 30_000, [], 1_000_000);
  replica.reconnect(9, sessionId, testSessionPassword(sessionId), 30_000, [], 1_000_000);
  ensemble.run();
  assert.deepEqual(ensemble.takeOutputs(1).map((o) => [o.kind, o.origin]), [['refused', 8], ['close', 7], ['connected', 9]]);
});

test('role: when broadcast stops, local connections close and the role is LOOKING', () => {
  // A leader of three whose followers crash: silent for syncLimit ticks, it stops.
  const ensemble = TestEnsemble.started([1, 2, 3]);
  const sessionId = connect(ensemble, 1, 7);
  ensemble.crash(2);
  ensemble.crash(3);
  for (let tick = 1; tick <= ensemble.limits.syncLimitTicks + 1; tick += 1) {
    ensemble.tick(1_000_000 + tick * 100);
    ensemble.run();
  }
  assert.deepEqual(ensemble.server(1).roles.map((role) => role.role), ['leading', 'looking']);
  assert.deepEqual(ensemble.takeOutputs(1).map((o) => o.kind), ['close']);
  assert.equal(ensemble.server(1).replica.role, 'looking');
  // Not serving: a new connection is refused; the replicated session lives on for the next leader.
  assert.equal(ensemble.server(1).replica.connect(8, 30_000, [], 1_000_000), null);
  assert.equal(ensemble.server(1).replica.dataTree.sessions().has(sessionId), true);
});

test('sync: answered once the txns proposed before it are applied; reads behind it see them', () => {
  const ensemble = standalone();
  const syncer = connect(ensemble, 1, 7);
  const writer = connect(ensemble, 1, 8);
  const server = ensemble.server(1);
  server.holdDisk = true;
  server.replica.submit(writer, 1, create('/x'), [], 1_000_000);
  ensemble.run();
  server.replica.submit(syncer, 1, { type: OpCode.sync, path: '/x' }, [], 1_000_000);
  server.replica.submit(syncer, 2, getData('/x'), [], 1_000_000);
  ensemble.run();
  assert.deepEqual(ensemble.takeOutputs(1), []);
  ensemble.releaseDisk(1);
  ensemble.run();
  const out = replies(ensemble.takeOutputs(1));
  assert.deepEqual(out.map((reply) => [reply.sessionId === syncer ? 'syncer' : 'writer', reply.cxid, reply.err]), [['writer', 1, ZkCode.OK], ['syncer', 1, ZkCode.OK], ['syncer', 2, ZkCode.OK]]);
  assert.deepEqual(out[1]?.response, { type: OpCode.sync, path: '/x' });
});

test('final: a connection that shares the session is answered in the session\'s FIFO order', () => {
  const ensemble = standalone();
  const sessionId = connect(ensemble, 1, 7);
  const server = ensemble.server(1);
  server.holdDisk = true;
  server.replica.submit(sessionId, 1, create('/a'), [], 1_000_000);
  server.replica.submit(sessionId, 2, getData('/a'), [], 1_000_000, 40);
  ensemble.run();
  ensemble.releaseDisk(1);
  ensemble.run();
  assert.deepEqual(replies(ensemble.takeOutputs(1)).map((reply) => [reply.origin, reply.cxid, reply.err]), [[7, 1, ZkCode.OK], [40, 2, ZkCode.OK]]);
});

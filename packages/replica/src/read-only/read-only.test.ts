// Goal: a server cut off from its quorum serves read-only clients as
// ZooKeeper's ReadOnlyZooKeeperServer does: only clients that asked for
// read-only are taken (the ConnectResponse says readOnly), reads come from its
// tree, every write and sync is answered NOTREADONLY, sessions made there are
// local (never in the replicated table) and expire there and may reconnect
// there, a session of the replicated table is refused without an answer
// (ReadOnlyZooKeeperServer.validateSession), and when a role starts again every
// read-only connection is closed so clients come back read-write.
// Method: TestEnsemble (three Replicas over broadcast's real machines), two
// servers crashed; the Driver's grace period is the test's call to serveReadOnly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { openAclUnsafe } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import type { ClientOutput } from '../outputs.js';
import { TestEnsemble, testSessionPassword } from '../testing/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const create = (path: string): ClientRequest => ({ type: OpCode.create, path, data: bytes('v1'), acl: openAclUnsafe, flags: 0 });
const getData = (path: string): ClientRequest => ({ type: OpCode.getData, path, watch: false });
const nowMs = 1_000_000;

const summary = (outputs: readonly ClientOutput[]): string[] => outputs.map((out) => {
  switch (out.kind) {
    case 'reply': return `reply ${out.origin} ${out.cxid} ${out.err}`;
    case 'connected': return `connected ${out.origin}${out.readOnly ? ' ro' : ''}`;
    case 'refused': return `refused ${out.origin}${out.expired ? ' expired' : ''}`;
    default: return `${out.kind} ${out.origin}`;
  }
});

/** Three servers, /e written through a session on 3, then 1 and 2 crash: 3 is LOOKING and cannot elect. */
function isolatedThird(): { ensemble: TestEnsemble; globalSession: bigint } {
  const ensemble = TestEnsemble.started([1, 2, 3]);
  const replica = ensemble.server(3).replica;
  const globalSession = replica.connect(7, 30_000, [], nowMs) as bigint;
  ensemble.run();
  replica.submit(globalSession, 1, create('/e'), [], nowMs);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['connected 7', `reply 7 1 ${ZkCode.OK}`]);
  ensemble.crash(1);
  ensemble.crash(2);
  ensemble.run();
  assert.equal(ensemble.server(3).replica.role, 'looking');
  assert.equal(ensemble.electIfPossible(), false);
  ensemble.takeOutputs(3);
  return { ensemble, globalSession };
}

test('read-only: a LOOKING server takes only read-only clients, reads from its tree, answers writes and sync NOTREADONLY', () => {
  const { ensemble } = isolatedThird();
  const replica = ensemble.server(3).replica;
  // Before the grace period it serves nobody.
  assert.equal(replica.connect(8, 30_000, [], nowMs, true), null);
  replica.serveReadOnly();
  assert.equal(replica.readOnly, true);
  assert.equal(replica.connect(9, 30_000, [], nowMs, false), null);
  const session = replica.connect(10, 30_000, [], nowMs, true);
  assert.notEqual(session, null);
  const sessionId = session as bigint;
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['refused 8', 'refused 9', 'connected 10 ro']);
  // Local: never in the replicated table.
  assert.equal(replica.dataTree.sessions().has(sessionId), false);
  assert.equal(replica.hasSession(sessionId), true);
  const zxid = replica.dataTree.lastProcessedZxid;
  const requests: ClientRequest[] = [
    getData('/e'), create('/f'), { type: OpCode.setData, path: '/e', data: bytes('v2'), version: -1 }, { type: OpCode.delete, path: '/e', version: -1 },
    { type: OpCode.sync, path: '/' }, { type: OpCode.multi, ops: [{ type: OpCode.check, path: '/e', version: 0 }] },
    { type: OpCode.exists, path: '/e', watch: false }, { type: OpCode.getChildren2, path: '/', watch: false },
  ];
  requests.forEach((request, index) => replica.submit(sessionId, index + 1, request, [], nowMs));
  ensemble.run();
  const out = ensemble.takeOutputs(3);
  const NRO = ZkCode.NOTREADONLY;
  assert.deepEqual(summary(out), [1, 2, 3, 4, 5, 6, 7, 8].map((cxid) => `reply 10 ${cxid} ${[2, 3, 4, 5, 6].includes(cxid) ? NRO : ZkCode.OK}`));
  const first = out[0];
  assert(first?.kind === 'reply' && first.response?.type === OpCode.getData);
  assert.equal(new TextDecoder().decode(first.response.data), 'v1');
  for (const reply of out) assert(reply.kind === 'reply' && reply.zxid === zxid);
  // Nothing changed, nothing was proposed.
  assert.equal(replica.dataTree.lastProcessedZxid, zxid);
  assert.equal(replica.dataTree.getNode('/f'), undefined);
});

test('read-only: a session of the replicated table is refused; one made here reconnects, expires here; closeSession closes locally', () => {
  const { ensemble, globalSession } = isolatedThird();
  const replica = ensemble.server(3).replica;
  replica.serveReadOnly();
  replica.reconnect(11, globalSession, testSessionPassword(globalSession), 30_000, [], nowMs, false);
  replica.reconnect(12, globalSession, testSessionPassword(globalSession), 30_000, [], nowMs, true);
  replica.reconnect(13, 0x77n, testSessionPassword(0x77n), 30_000, [], nowMs, true);
  const quiet = replica.connect(14, 400, [], nowMs, true) as bigint;
  const closing = replica.connect(15, 30_000, [], nowMs, true) as bigint;
  replica.reconnect(16, closing, testSessionPassword(closing), 30_000, [], nowMs, true);
  replica.reconnect(17, closing, testSessionPassword(quiet), 30_000, [], nowMs, true);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [
    'refused 11', 'refused 12', 'refused 13 expired', 'connected 14 ro', 'connected 15 ro', 'close 15', 'connected 16 ro', 'refused 17 expired',
  ]);
  replica.submit(closing, 1, { type: OpCode.closeSession }, [], nowMs);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`reply 16 1 ${ZkCode.OK}`, 'close 16']);
  assert.equal(replica.hasSession(closing), false);
  // 400 ms at 100 ms a tick: gone within five ticks; the global session is not expired here.
  for (let tick = 1; tick <= 5; tick += 1) ensemble.tick(nowMs + tick * 100);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['close 14']);
  assert.equal(replica.hasSession(quiet), false);
  assert.equal(replica.hasSession(globalSession), true);
});

test('read-only: when a quorum is back and a role starts, read-only connections close and clients connect read-write', () => {
  const { ensemble, globalSession } = isolatedThird();
  const replica = ensemble.server(3).replica;
  replica.serveReadOnly();
  const local = replica.connect(10, 30_000, [], nowMs, true) as bigint;
  const other = replica.connect(12, 30_000, [], nowMs, true) as bigint;
  ensemble.run();
  ensemble.takeOutputs(3);
  ensemble.restart(1);
  ensemble.restart(2);
  assert.equal(ensemble.electIfPossible(), true);
  ensemble.run();
  assert.equal(replica.readOnly, false);
  assert.notEqual(replica.role, 'looking');
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['close 10', 'close 12']);
  assert.equal(replica.hasSession(local), false);
  assert.equal(replica.hasSession(other), false);
  // The global session is alive on the quorum: it reconnects read-write; a new client gets a global session.
  replica.reconnect(16, globalSession, testSessionPassword(globalSession), 30_000, [], nowMs, true);
  const fresh = replica.connect(17, 30_000, [], nowMs, true) as bigint;
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), ['connected 16', 'connected 17']);
  replica.submit(fresh, 1, create('/f'), [], nowMs);
  ensemble.run();
  assert.deepEqual(summary(ensemble.takeOutputs(3)), [`reply 17 1 ${ZkCode.OK}`]);
  assert.equal(new Set([1, 2, 3].map((sid) => ensemble.server(sid).replica.dataTree.digest())).size, 1);
});

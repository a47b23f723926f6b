// Goal: the gRPC client API end to end on a real server: unary calls with
// ZooKeeper's codes in the status, compare-and-set versions, multi naming
// its failing op; a session stream with watches delivered before the data
// they announce, resumption keeping ephemerals, and one session space shared
// with the jute port; Lock (mutual exclusion, growing fencing tokens, release
// on session close and on cancel, and an Acquire racing the container check that
// reaps its emptied directory); Election (campaign, observe, proclaim,
// resign); health and reflection. Method: an in-process server on random
// ports in 40000-49999 with a temp data dir, driven by @grpc/grpc-js clients.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import { ZkCode } from '@corral/base';
import { OpCode } from '@corral/wire';
import { parseZooCfg } from '../../config/zoo-cfg.js';
import { createLogger } from '../../logger.js';
import { CorralServer } from '../../server.js';
import { RawClient } from '../../testing/raw-client.js';
import { StreamSession, call, openSession, rejection, stubsFor, zkCodeOf, type Stubs } from '../../testing/grpc-test-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(extra = ''): Promise<{ server: CorralServer; stubs: Stubs }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'corral-grpc-test-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  for (let attempt = 0; ; attempt += 1) {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const grpcPort = 40000 + Math.floor(Math.random() * 10000);
    const config = parseZooCfg(`tickTime=100\ndataDir=${dataDir}\nclientPort=${port}\ngrpcPort=${grpcPort}\n${extra}`);
    try {
      const server = await CorralServer.start(config, createLogger({ quiet: true }));
      cleanups.push(() => server.close({ force: true }));
      return { server, stubs: stubsFor(`127.0.0.1:${server.grpcPort ?? 0}`, cleanups) };
    } catch (error) {
      if (attempt > 10 || (error as { code?: string }).code !== 'EADDRINUSE' && !/EADDRINUSE|No address added/.test(String(error))) throw error;
    }
  }
}

test('grpc: unary create, get, CAS set and delete carry ZooKeeper codes', async () => {
  const { stubs } = await startServer();
  const created = await call<{ path: string; stat: { version: number; czxid: string } }>(stubs.corral, 'Create', { path: '/a', data: Buffer.from('x') });
  assert.equal(created.path, '/a');
  assert.equal(created.stat.version, 0);
  const got = await call<{ data: Buffer; stat: { version: number } }>(stubs.corral, 'GetData', { path: '/a' });
  assert.equal(got.data.toString(), 'x');
  const set = await call<{ stat: { version: number } }>(stubs.corral, 'SetData', { path: '/a', data: Buffer.from('y'), version: 0 });
  assert.equal(set.stat.version, 1);
  const stale = await rejection(call(stubs.corral, 'SetData', { path: '/a', data: Buffer.from('z'), version: 0 }));
  assert.equal(stale.code, 10 /* ABORTED */);
  assert.equal(zkCodeOf(stale), ZkCode.BADVERSION);
  const exists = await rejection(call(stubs.corral, 'Create', { path: '/a' }));
  assert.equal(exists.code, 6 /* ALREADY_EXISTS */);
  const missing = await rejection(call(stubs.corral, 'GetData', { path: '/nope' }));
  assert.equal(missing.code, 5 /* NOT_FOUND */);
  assert.equal(missing.metadata.get('corral-zk-name')[0], 'NONODE');
  assert.ok((missing.metadata.get('corral-error-bin')[0] as Buffer).length > 0);
  assert.deepEqual(await call(stubs.corral, 'Exists', { path: '/nope' }), { exists: false, stat: null });
  const seq = await call<{ path: string }>(stubs.corral, 'Create', { path: '/a/s-', mode: 2 });
  assert.equal(seq.path, '/a/s-0000000000');
  const children = await call<{ children: string[] }>(stubs.corral, 'GetChildren', { path: '/a' });
  assert.deepEqual(children.children, ['s-0000000000']);
  assert.equal((await call<{ totalNumber: number }>(stubs.corral, 'GetAllChildrenNumber', { path: '/' })).totalNumber >= 3, true);
  const ephemeral = await rejection(call(stubs.corral, 'Create', { path: '/e', mode: 1 }));
  assert.equal(zkCodeOf(ephemeral), ZkCode.EPHEMERALONLOCALSESSION);
  await call(stubs.corral, 'Delete', { path: '/a/s-0000000000', version: 0 });
  const acl = await call<{ acl: { perms: number; id: { scheme: string } }[] }>(stubs.corral, 'GetACL', { path: '/a' });
  assert.equal(acl.acl[0]?.id.scheme, 'world');
  assert.equal((await call<{ path: string }>(stubs.corral, 'Sync', { path: '/a' })).path, '/a');
  // Absent data is null data (ZooKeeper keeps it apart from empty): GetData then has no data field.
  await call(stubs.corral, 'Create', { path: '/null' });
  await call(stubs.corral, 'Create', { path: '/empty', data: Buffer.alloc(0) });
  assert.equal((await call<{ _data?: string }>(stubs.corral, 'GetData', { path: '/null' }))._data, undefined);
  assert.equal((await call<{ _data?: string }>(stubs.corral, 'GetData', { path: '/empty' }))._data, 'data');
  const bad = await rejection(call(stubs.corral, 'Create', { path: 'relative' }));
  assert.equal(bad.code, 3 /* INVALID_ARGUMENT */);
});

test('grpc: multi is atomic and names its failing op; multiRead answers per op', async () => {
  const { stubs } = await startServer();
  await call(stubs.corral, 'Create', { path: '/m' });
  const failed = await rejection(call(stubs.corral, 'Multi', { ops: [{ create: { path: '/m/a' } }, { check: { path: '/m', version: 7 } }] }));
  assert.equal(zkCodeOf(failed), ZkCode.BADVERSION);
  assert.equal(failed.code, 10);
  assert.deepEqual(await call(stubs.corral, 'Exists', { path: '/m/a' }), { exists: false, stat: null });
  const ok = await call<{ results: Record<string, unknown>[] }>(stubs.corral, 'Multi', { ops: [{ create: { path: '/m/a' } }, { setData: { path: '/m', data: Buffer.from('v') } }] });
  assert.equal(ok.results.length, 2);
  const reads = await call<{ results: { result: string; error?: { zkCode: number } }[] }>(stubs.corral, 'MultiRead', { ops: [{ getData: { path: '/m' } }, { getChildren: { path: '/missing' } }] });
  assert.deepEqual(reads.results.map((r) => r.result), ['getData', 'error']);
  assert.equal(reads.results[1]?.error?.zkCode, ZkCode.NONODE);
});

test('grpc: a session stream gets a watch event before the reply that reads the change', async () => {
  const { stubs } = await startServer();
  const { s } = await openSession(stubs, cleanups);
  assert.equal((await s.request('create', { path: '/w', data: Buffer.from('1') }))['code'], 0);
  assert.equal((await s.request('getData', { path: '/w', watch: true }))['code'], 0);
  await call(stubs.corral, 'SetData', { path: '/w', data: Buffer.from('2') });
  const from = s.messages.length;
  const reread = await s.request('getData', { path: '/w' });
  assert.equal((reread['getData'] as { data: Buffer }).data.toString(), '2');
  const eventIndex = s.messages.findIndex((m, i) => i >= 0 && m['kind'] === 'event');
  const replyIndex = s.messages.findIndex((m, i) => i >= from && m['kind'] === 'reply');
  assert.ok(eventIndex >= 0 && eventIndex < replyIndex, 'the event came before the reply');
  assert.deepEqual(s.messages[eventIndex]?.['event'], { type: 3, path: '/w' });
  // A call that names no operation is answered MARSHALLINGERROR in its turn; the stream stays open.
  const noOp = s.messages.length;
  s.stream.write({ call: { id: 999 } });
  const refused = await s.next('reply', noOp);
  assert.deepEqual([(refused['reply'] as { id: number; code: number }).id, (refused['reply'] as { code: number }).code], [999, ZkCode.MARSHALLINGERROR]);
  const missing = await s.request('getData', { path: '/none' });
  assert.equal(missing['code'], ZkCode.NONODE);
  assert.equal(missing['codeName'], 'NONODE');
});

test('grpc: hundreds of calls in flight on one stream are all answered, in request order', async () => {
  // The stream hands grpc-js replies queued behind a write in progress as a batch (_writev):
  // none may be lost, reordered or answered twice.
  const { stubs } = await startServer();
  const { s } = await openSession(stubs, cleanups);
  assert.equal((await s.request('create', { path: '/p', data: Buffer.from('x') }))['code'], 0);
  const from = s.messages.length;
  const count = 600;
  for (let id = 1000; id < 1000 + count; id += 1) {
    if (id % 3 === 0) s.stream.write({ call: { id, setData: { path: '/p', data: Buffer.from(String(id)) } } });
    else s.stream.write({ call: { id, [id % 3 === 1 ? 'getData' : 'exists']: { path: id % 5 === 0 ? '/none' : '/p' } } });
  }
  for (;;) {
    if (s.messages.length - from >= count) break;
    await new Promise<void>((resolve) => s.waiters.push(resolve));
  }
  const replies = s.messages.slice(from).map((m) => m['reply'] as { id: number; code: number; exists?: { exists: boolean } });
  assert.deepEqual(replies.map((r) => r.id), Array.from({ length: count }, (_, i) => 1000 + i));
  for (const r of replies) {
    const expected = r.id % 5 === 0 && r.id % 3 === 1 ? ZkCode.NONODE : ZkCode.OK;
    assert.equal(r.code, expected, `call ${r.id}`);
    if (r.id % 3 === 2) assert.equal(r.exists?.exists, r.id % 5 !== 0, `exists ${r.id}`);
  }
});

test('grpc: CallBatch calls are answered in order, packed into ResponseBatch only for a client that accepts batches', async () => {
  const { stubs } = await startServer();
  const stream = (stubs.corral as unknown as { Session: () => ClientDuplexStream<object, Record<string, unknown>> }).Session();
  const s = new StreamSession(stream);
  cleanups.push(() => {
    stream.cancel();
  });
  stream.write({ open: { timeoutMs: 4000, acceptBatches: true } });
  assert.equal(((await s.next('opened'))['opened'] as { batches: boolean }).batches, true);
  /** Every response in arrival order, batches unpacked. */
  const flat = (): Record<string, unknown>[] => s.messages.flatMap((m) => m['kind'] === 'batch' ? (m['batch'] as { responses: Record<string, unknown>[] }).responses : [m]);
  const count = 600;
  const calls = Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    if (id === 1) return { id, create: { path: '/b', data: Buffer.from('x') } };
    if (id === 2) return { id, getData: { path: '/b', watch: true } };
    // One call the hand-written decoder leaves to proto-loader, so that path sees batches too.
    if (id === 300) return { id, sync: { path: '/b' } };
    if (id % 3 === 0) return { id, setData: { path: '/b', data: Buffer.from(String(id)) } };
    return { id, [id % 3 === 1 ? 'getData' : 'exists']: { path: id % 5 === 0 ? '/none' : '/b' } };
  });
  for (let i = 0; i < count; i += 50) stream.write({ calls: { calls: calls.slice(i, i + 50) } });
  stream.write({ call: { id: count + 1, exists: { path: '/b' } } });
  while (flat().filter((m) => m['kind'] === 'reply').length < count + 1) await new Promise<void>((resolve) => s.waiters.push(resolve));
  const responses = flat();
  assert.ok(s.messages.some((m) => m['kind'] === 'batch' && (m['batch'] as { responses: unknown[] }).responses.length > 1), 'some replies came packed');
  assert.ok(responses.every((m) => m['kind'] !== 'batch'), 'batches are not nested');
  const replies = responses.filter((m) => m['kind'] === 'reply').map((m) => m['reply'] as { id: number; code: number });
  assert.deepEqual(replies.map((r) => r.id), Array.from({ length: count + 1 }, (_, i) => i + 1));
  for (const r of replies) {
    const expected = r.id > 3 && r.id % 5 === 0 && r.id % 3 === 1 ? ZkCode.NONODE : ZkCode.OK;
    assert.equal(r.code, expected, `call ${r.id}`);
  }
  // The watch set by call 2 fires at the first setData (call 3), before that call's reply.
  const eventAt = responses.findIndex((m) => m['kind'] === 'event');
  const reply3At = responses.findIndex((m) => m['kind'] === 'reply' && (m['reply'] as { id: number }).id === 3);
  assert.ok(eventAt >= 0 && eventAt < reply3At, 'the event came before the reply of the write that fired it');
  // A client that does not accept batches gets one message per response, calls batched or not.
  const { s: plain } = await openSession(stubs, cleanups);
  plain.stream.write({ calls: { calls: [{ id: 1, exists: { path: '/b' } }, { id: 2, getData: { path: '/b' } }] } });
  await plain.next('reply', 1);
  while (plain.messages.filter((m) => m['kind'] === 'reply').length < 2) await new Promise<void>((resolve) => plain.waiters.push(resolve));
  assert.deepEqual(plain.messages.map((m) => m['kind']), ['opened', 'reply', 'reply']);
});

test('grpc: a resumed stream keeps the session and its ephemerals; jute sees them, and jute writes fire gRPC watches', async () => {
  const { server, stubs } = await startServer();
  const first = await openSession(stubs, cleanups);
  assert.equal((await first.s.request('create', { path: '/eph', mode: 1 }))['code'], 0);
  first.s.stream.cancel();
  const second = await openSession(stubs, cleanups, { sessionId: first.sessionId, password: first.password });
  assert.equal(second.sessionId, first.sessionId);
  const jute = await RawClient.open(server.port);
  cleanups.push(() => jute.close());
  const stat = await jute.request({ type: OpCode.exists, path: '/eph', watch: false });
  assert.ok(stat.response?.type === OpCode.exists);
  assert.equal(stat.response.stat.ephemeralOwner.toString(), first.sessionId);
  assert.equal((await second.s.request('exists', { path: '/j', watch: true }))['code'], 0);
  await jute.request({ type: OpCode.create2, path: '/j', data: Buffer.from(''), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 });
  assert.deepEqual((await second.s.next('event'))['event'], { type: 1, path: '/j' });
  const wrong = await openSession(stubs, cleanups, { sessionId: first.sessionId, password: Buffer.alloc(16) }).catch(() => null);
  assert.equal(wrong, null);
  second.s.stream.write({ close: {} });
  await second.s.next('closed');
  const gone = await jute.request({ type: OpCode.exists, path: '/eph', watch: false });
  assert.equal(gone.header.err, ZkCode.NONODE);
});

test('grpc: a resumed stream keeps its watches, and a change made while it was away fires at once', async () => {
  const { stubs } = await startServer();
  await call(stubs.corral, 'Create', { path: '/rw', data: Buffer.from('0') });
  await call(stubs.corral, 'Create', { path: '/rp' });
  const first = await openSession(stubs, cleanups);
  assert.equal((await first.s.request('getData', { path: '/rw', watch: true }))['code'], 0);
  assert.equal((await first.s.request('exists', { path: '/rx', watch: true }))['code'], 0);
  assert.equal((await first.s.request('addWatch', { path: '/rp', mode: 0 }))['code'], 0);
  first.s.stream.cancel();
  await first.s.ended;
  // Changed while no stream is attached: the one-shot data watch must still fire after the resume.
  await call(stubs.corral, 'SetData', { path: '/rw', data: Buffer.from('1') });
  const second = await openSession(stubs, cleanups, { sessionId: first.sessionId, password: first.password });
  assert.deepEqual((await second.s.next('event'))['event'], { type: 3, path: '/rw' });
  // The exists watch and the persistent watch were re-registered.
  await call(stubs.corral, 'Create', { path: '/rx' });
  await call(stubs.corral, 'SetData', { path: '/rp', data: Buffer.from('p') });
  for (;;) {
    const events = second.s.messages.filter((m) => m['kind'] === 'event').map((m) => m['event']);
    if (events.length >= 3) {
      assert.deepEqual(events, [{ type: 3, path: '/rw' }, { type: 1, path: '/rx' }, { type: 3, path: '/rp' }]);
      break;
    }
    await second.s.next('event', second.s.messages.length);
  }
});

test('grpc: setWatches in a Call re-registers watches and fires those that missed a change', async () => {
  const { stubs } = await startServer();
  const created = await call<{ zxid: string }>(stubs.corral, 'Create', { path: '/sw', data: Buffer.from('0') });
  await call(stubs.corral, 'SetData', { path: '/sw', data: Buffer.from('1') });
  const { s } = await openSession(stubs, cleanups);
  const reply = await s.request('setWatches', { relativeZxid: created.zxid, dataWatches: ['/sw'], existWatches: ['/later'] });
  assert.equal(reply['code'], 0);
  assert.deepEqual((await s.next('event'))['event'], { type: 3, path: '/sw' });
  await call(stubs.corral, 'Create', { path: '/later' });
  assert.deepEqual((await s.next('event', s.messages.findIndex((m) => m['kind'] === 'event') + 1))['event'], { type: 1, path: '/later' });
});

test('grpc: Lock gives mutual exclusion, growing fencing tokens, and releases on close and on cancel', async () => {
  const { stubs } = await startServer();
  const a = await openSession(stubs, cleanups);
  const b = await openSession(stubs, cleanups);
  const refA = { sessionId: a.sessionId, password: a.password };
  const refB = { sessionId: b.sessionId, password: b.password };
  const first = await call<{ key: string; fencingToken: string }>(stubs.lock, 'Acquire', { session: refA, name: '/locks/x' });
  let bHolds = false;
  const second = call<{ key: string; fencingToken: string }>(stubs.lock, 'Acquire', { session: refB, name: '/locks/x' }).then((r) => {
    bHolds = true;
    return r;
  });
  // B waits while A holds; a third acquisition with a short deadline gives up and leaves nothing behind.
  const timedOut = await rejection(call(stubs.lock, 'Acquire', { session: refA, name: '/locks/x' }, 300));
  assert.equal(timedOut.code, 4 /* DEADLINE_EXCEEDED */);
  assert.equal(bHolds, false);
  a.s.stream.write({ close: {} });
  const granted = await second;
  assert.ok(BigInt(granted.fencingToken) > BigInt(first.fencingToken));
  const children = await call<{ children: string[] }>(stubs.corral, 'GetChildren', { path: '/locks/x' });
  assert.deepEqual(children.children, [granted.key.slice('/locks/x/'.length)]);
  await call(stubs.lock, 'Unlock', { session: refB, key: granted.key });
  const third = await call<{ fencingToken: string }>(stubs.lock, 'Acquire', { session: refB, name: '/locks/x' });
  assert.ok(BigInt(third.fencingToken) > BigInt(granted.fencingToken));
  const noSession = await rejection(call(stubs.lock, 'Acquire', { name: '/locks/x' }));
  assert.equal(zkCodeOf(noSession), ZkCode.SESSIONEXPIRED);
});

test('grpc: Election campaign, leader, observe, proclaim and resign', async () => {
  const { stubs } = await startServer();
  const a = await openSession(stubs, cleanups);
  const b = await openSession(stubs, cleanups);
  const refA = { sessionId: a.sessionId, password: a.password };
  const refB = { sessionId: b.sessionId, password: b.password };
  assert.equal((await call<{ hasLeader: boolean }>(stubs.election, 'Leader', { name: '/e' })).hasLeader, false);
  const observed: { hasLeader: boolean; value: Buffer }[] = [];
  const observer = (stubs.election as unknown as { Observe: (r: object) => NodeJS.EventEmitter & { cancel(): void } }).Observe({ name: '/e' });
  cleanups.push(() => observer.cancel());
  observer.on('error', () => undefined);
  observer.on('data', (m: { hasLeader: boolean; value: Buffer }) => observed.push(m));
  const leaderA = await call<{ leader: { key: string; name: string } }>(stubs.election, 'Campaign', { session: refA, name: '/e', value: Buffer.from('a') });
  const bCampaign = call<{ leader: { key: string } }>(stubs.election, 'Campaign', { session: refB, name: '/e', value: Buffer.from('b') });
  const leader = await call<{ hasLeader: boolean; value: Buffer }>(stubs.election, 'Leader', { name: '/e' });
  assert.equal(leader.value.toString(), 'a');
  await call(stubs.election, 'Proclaim', { session: refA, leader: leaderA.leader, value: Buffer.from('a2') });
  assert.equal((await call<{ value: Buffer }>(stubs.election, 'Leader', { name: '/e' })).value.toString(), 'a2');
  const notLeader = await rejection(call(stubs.election, 'Proclaim', { session: refB, leader: leaderA.leader, value: Buffer.from('x') }));
  assert.equal(notLeader.code, 3);
  await call(stubs.election, 'Resign', { session: refA, leader: leaderA.leader });
  const leaderB = await bCampaign;
  assert.notEqual(leaderB.leader.key, leaderA.leader.key);
  while (!observed.some((m) => m.value?.toString() === 'b')) await new Promise((resolve) => setImmediate(resolve));
  const values = observed.map((m) => (m.hasLeader ? m.value.toString() : '-'));
  assert.deepEqual(values.filter((v, i) => values.indexOf(v) === i), ['-', 'a', 'a2', 'b']);
});

test('grpc: session streams per client address are bounded by maxClientCnxns (RESOURCE_EXHAUSTED)', async () => {
  const { stubs } = await startServer('maxClientCnxns=2\n');
  await openSession(stubs, cleanups);
  await openSession(stubs, cleanups);
  const third = (stubs.corral as unknown as { Session: () => ClientDuplexStream<object, Record<string, unknown>> }).Session();
  cleanups.push(() => third.cancel());
  const error = await new Promise<ServiceError>((resolve) => third.on('error', resolve));
  assert.equal(error.code, 8 /* RESOURCE_EXHAUSTED */);
});

test('grpc: health reports SERVING for the server and its services, NOT_FOUND for others', async () => {
  const { stubs } = await startServer();
  assert.equal((await call<{ status: number }>(stubs.health, 'Check', { service: '' })).status, 1);
  assert.equal((await call<{ status: number }>(stubs.health, 'Check', { service: 'corral.v1.Corral' })).status, 1);
  assert.equal((await rejection(call(stubs.health, 'Check', { service: 'nope' }))).code, 5);
});

test('grpc: Lock acquired again and again while the empty lock directory is reaped as a container', async () => {
  // Every Unlock leaves the directory (a container that had children) empty: the container
  // check, every few ms here, deletes it while the next Acquire may already count on it.
  const { stubs } = await startServer('znode.container.checkIntervalMs=1');
  const a = await openSession(stubs, cleanups);
  const refA = { sessionId: a.sessionId, password: a.password };
  for (let round = 0; round < 100; round += 1) {
    const held = await call<{ key: string }>(stubs.lock, 'Acquire', { session: refA, name: '/reaped/locks' });
    await call(stubs.lock, 'Unlock', { session: refA, key: held.key });
  }
});

// Goal: the gRPC client API on every ensemble member (issue 10), sharing one
// session space with the jute port: a unary write on a follower is forwarded
// and readable everywhere over both protocols, a follower's Session stream
// gets the watch event of a jute write on the leader, the server-side Lock
// excludes across members, and after the leader stops a survivor's health goes
// NOT_SERVING then SERVING and its gRPC calls work again, while a member
// without a quorum answers UNAVAILABLE; a follower synced by SNAP (a new
// tree) answers the recipes from the tree it serves. Method: three CorralServers in this
// process with grpcPort each (testing/test-ensemble.ts), @grpc/grpc-js stubs
// and raw jute clients; waits are on conditions.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { ZkCode } from '@corral/base';
import { OpCode } from '@corral/wire';
import { call, openSession, rejection, stubsFor, zkCodeOf, type Stubs } from './testing/grpc-test-client.js';
import { TestEnsemble, until } from './testing/test-ensemble.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const servingStatus = { SERVING: 1, NOT_SERVING: 2 } as const;

async function grpcEnsemble(extra = ''): Promise<{ ensemble: TestEnsemble; leader: number; stubs: (sid: number) => Stubs }> {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3, grpc: true, extra });
  const leader = await ensemble.settled();
  const made = new Map<number, Stubs>();
  const stubs = (sid: number): Stubs => {
    let found = made.get(sid);
    if (found === undefined) {
      found = stubsFor(`127.0.0.1:${ensemble.member(sid).grpcPort ?? 0}`, cleanups);
      made.set(sid, found);
    }
    return found;
  };
  return { ensemble, leader, stubs };
}

/** GetData over gRPC, null for NONODE. */
async function grpcData(stubs: Stubs, path: string): Promise<string | null> {
  try {
    return (await call<{ data: Buffer }>(stubs.corral, 'GetData', { path })).data.toString();
  } catch (error) {
    if (zkCodeOf(error as Parameters<typeof zkCodeOf>[0]) === ZkCode.NONODE) return null;
    throw error;
  }
}

test('ensemble grpc: a unary Create on a follower is readable over gRPC on another member and over jute', async () => {
  const { ensemble, leader, stubs } = await grpcEnsemble();
  const [follower, other] = [1, 2, 3].filter((sid) => sid !== leader) as [number, number];
  const created = await call<{ path: string }>(stubs(follower).corral, 'Create', { path: '/via-grpc', data: Buffer.from('v1') });
  assert.equal(created.path, '/via-grpc');
  // Read-your-writes on the member that forwarded it.
  assert.equal(await grpcData(stubs(follower), '/via-grpc'), 'v1');
  for (const sid of [other, leader]) await until(`/via-grpc on ${sid} over gRPC`, async () => (await grpcData(stubs(sid), '/via-grpc')) === 'v1');
  const jute = await ensemble.client(other, cleanups);
  await until('/via-grpc over jute', async () => {
    const reply = await jute.request({ type: OpCode.getData, path: '/via-grpc', watch: false });
    return reply.header.err === ZkCode.OK && reply.response?.type === OpCode.getData && Buffer.from(reply.response.data ?? []).toString() === 'v1';
  });
});

test('ensemble grpc: a Session stream on a follower gets the watch event of a jute write on the leader', async () => {
  const { ensemble, leader, stubs } = await grpcEnsemble();
  const follower = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  const { s } = await openSession(stubs(follower), cleanups);
  assert.equal((await s.request('create', { path: '/watched', data: Buffer.from('1') }))['code'], 0);
  assert.equal((await s.request('getData', { path: '/watched', watch: true }))['code'], 0);
  const writer = await ensemble.client(leader, cleanups);
  assert.equal((await writer.request({ type: OpCode.setData, path: '/watched', data: Buffer.from('2'), version: -1 })).header.err, ZkCode.OK);
  const event = (await s.next('event'))['event'] as { type: number; path: string };
  assert.equal(event.path, '/watched');
  assert.equal(event.type, 3 /* NodeDataChanged */);
});

test('ensemble grpc: a Lock held through a follower excludes a client of another member until it is released', async () => {
  const { leader, stubs } = await grpcEnsemble();
  const follower = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  const other = [1, 2, 3].find((sid) => sid !== follower) ?? 0;
  const a = await openSession(stubs(follower), cleanups);
  const b = await openSession(stubs(other), cleanups);
  const held = await call<{ key: string; fencingToken: string }>(stubs(follower).lock, 'Acquire', {
    session: { sessionId: a.sessionId, password: a.password }, name: '/locks/orders',
  });
  let second: { key: string; fencingToken: string } | null = null;
  const waiting = call<{ key: string; fencingToken: string }>(stubs(other).lock, 'Acquire', {
    session: { sessionId: b.sessionId, password: b.password }, name: '/locks/orders',
  }).then((result) => (second = result));
  // B's queue node is in the tree of B's member: B is queued behind A, and has not been granted the lock.
  await until('two entries in the lock queue', async () => {
    const listed = await call<{ children: string[] }>(stubs(other).corral, 'GetChildren', { path: '/locks/orders' });
    return listed.children.length === 2;
  });
  assert.equal(second, null);
  await call(stubs(follower).lock, 'Unlock', { session: { sessionId: a.sessionId, password: a.password }, key: held.key });
  const granted = await waiting;
  assert.notEqual(granted.key, held.key);
  assert.ok(BigInt(granted.fencingToken) > BigInt(held.fencingToken));
});

test('ensemble grpc: after the leader stops, a survivor goes NOT_SERVING then SERVING and serves gRPC again; without a quorum it answers UNAVAILABLE', async () => {
  const { ensemble, leader, stubs } = await grpcEnsemble();
  const survivor = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  await call(stubs(survivor).corral, 'Create', { path: '/before', data: Buffer.from('x') });
  const statuses: number[] = [];
  const watch = (stubs(survivor).health as unknown as { Watch(request: object): ClientReadableStream<{ status: number }> }).Watch({ service: '' });
  watch.on('data', (message: { status: number }) => statuses.push(message.status));
  watch.on('error', () => undefined);
  cleanups.push(() => watch.cancel());
  await until('health SERVING', () => statuses.at(-1) === servingStatus.SERVING);
  await ensemble.stopMember(leader);
  await until('health NOT_SERVING then SERVING', () => statuses.includes(servingStatus.NOT_SERVING) && statuses.at(-1) === servingStatus.SERVING);
  assert.equal((await call<{ status: number }>(stubs(survivor).health, 'Check', { service: 'corral.v1.Corral' })).status, servingStatus.SERVING);
  // The anonymous sessions of the old role were closed with it: new ones are opened under the new leader.
  await call(stubs(survivor).corral, 'Create', { path: '/after', data: Buffer.from('y') });
  assert.equal(await grpcData(stubs(survivor), '/before'), 'x');
  assert.equal(await grpcData(stubs(survivor), '/after'), 'y');
  const { s } = await openSession(stubs(survivor), cleanups);
  assert.equal((await s.request('exists', { path: '/after' }))['code'], 0);
  // Alone, the last member cannot serve: UNAVAILABLE, so clients go elsewhere.
  await ensemble.stopMember([1, 2, 3].find((sid) => sid !== leader && sid !== survivor) ?? 0);
  await until('health NOT_SERVING', () => statuses.at(-1) === servingStatus.NOT_SERVING);
  const refused = await rejection(call(stubs(survivor).corral, 'GetData', { path: '/after' }));
  assert.equal(refused.code, 14 /* UNAVAILABLE */);
  assert.equal(zkCodeOf(refused), ZkCode.CONNECTIONLOSS);
  const stream = await openSession(stubs(survivor), cleanups).then(() => null, (error: unknown) => error);
  assert.ok(stream instanceof Error);
});

test('ensemble grpc: a follower synced by SNAP answers Election and Lock from the tree it serves now', async () => {
  const { ensemble, leader, stubs } = await grpcEnsemble('snapCount=10\nautopurge.purgeInterval=1\ncommitLogCount=20');
  const follower = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  await ensemble.stopMember(follower);
  const boss = await openSession(stubs(leader), cleanups);
  // The campaign and the lock must outlive the SNAP sync however slow this machine is.
  boss.s.keepAlive();
  const ref = { sessionId: boss.sessionId, password: boss.password };
  const campaign = await call<{ leader: { key: string } }>(stubs(leader).election, 'Campaign', { session: ref, name: '/elect/x', value: Buffer.from('boss') });
  const lock = await call<{ key: string }>(stubs(leader).lock, 'Acquire', { session: ref, name: '/locks/snap' });
  for (let index = 0; index < 80; index += 1) await call(stubs(leader).corral, 'Create', { path: `/s${index}` });
  await until('the leader purged its log', () => ensemble.member(leader).log.items.filter((line) => line.message === 'snapshot written').length >= 6);
  await ensemble.startMember(follower);
  await until('the follower serving again', () => ensemble.member(follower).server?.mode === 'follower');
  assert.equal(ensemble.lastSync(follower), 'SNAP');
  // The front was started before the SNAP replaced the member's tree: it reads the new one.
  const seen = await call<{ hasLeader: boolean; leader: { key: string }; value: Buffer }>(stubs(follower).election, 'Leader', { name: '/elect/x' });
  assert.equal(seen.hasLeader, true);
  assert.equal(seen.leader.key, campaign.leader.key);
  assert.equal(seen.value.toString(), 'boss');
  // A lock waiter on the SNAP-synced member is woken by the holder's release on the leader.
  const waiter = await openSession(stubs(follower), cleanups);
  waiter.s.keepAlive();
  const waiting = call<{ key: string }>(stubs(follower).lock, 'Acquire', { session: { sessionId: waiter.sessionId, password: waiter.password }, name: '/locks/snap' });
  await until('two entries in the lock queue', async () => (await call<{ children: string[] }>(stubs(follower).corral, 'GetChildren', { path: '/locks/snap' })).children.length === 2);
  await call(stubs(leader).lock, 'Unlock', { session: ref, key: lock.key });
  assert.notEqual((await waiting).key, lock.key);
});

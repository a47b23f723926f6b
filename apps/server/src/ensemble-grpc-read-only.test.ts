// Goal: the gRPC front of a member cut off from its quorum with
// `readonlymode.enabled=true` behaves as its jute port (ensemble-read-only.test.ts):
// a Session stream opened with read_only gets a read-only session (opened.read_only)
// that reads its tree and gets NOTREADONLY for writes and sync; a stream without
// it is refused (UNAVAILABLE); unary reads answer from the tree and unary writes
// fail with UNAVAILABLE and ZooKeeper's NOTREADONLY in the trailers; health says
// NOT_SERVING for the services and SERVING for corral.v1.ReadOnly. When the
// quorum is back the read-only stream ends, and a stream that accepts read-only
// gets a read-write session. Method: three CorralServers with grpcPort in this
// process (testing/test-ensemble.ts), @grpc/grpc-js stubs; waits on conditions.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { fourLetterWord } from './testing/four-letter-word.js';
import { call, openSession, rejection, stubsFor, zkCodeOf } from './testing/grpc-test-client.js';
import { TestEnsemble, until } from './testing/test-ensemble.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const servingStatus = { SERVING: 1, NOT_SERVING: 2 } as const;
const unavailable = 14;

test('ensemble grpc: a member cut off from its quorum serves read-only streams and unary reads, and refuses writes with NOTREADONLY', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3, grpc: true, extra: 'readonlymode.enabled=true' });
  const leader = await ensemble.settled();
  const [survivor, other] = [1, 2, 3].filter((sid) => sid !== leader) as [number, number];
  const stubs = stubsFor(`127.0.0.1:${ensemble.member(survivor).grpcPort ?? 0}`, cleanups);
  const health = async (service: string): Promise<number> => (await call<{ status: number }>(stubs.health, 'Check', { service })).status;
  await call(stubs.corral, 'Create', { path: '/ro', data: Buffer.from('before') });
  assert.equal(await health('corral.v1.ReadOnly'), servingStatus.SERVING, 'a read-write member serves read-only clients too');
  await ensemble.stopMember(leader);
  await ensemble.stopMember(other);
  await until('the survivor read-only', async () => (await fourLetterWord(ensemble.member(survivor).clientPort, 'isro')) === 'ro');
  await until('health corral.v1.ReadOnly SERVING', async () => (await health('corral.v1.ReadOnly')) === servingStatus.SERVING);
  for (const service of ['', 'corral.v1.Corral', 'corral.v1.Lock']) assert.equal(await health(service), servingStatus.NOT_SERVING, service);

  // A stream that did not ask for read-only is refused, as a jute client without the flag.
  const refused = await openSession(stubs, cleanups).then(() => null, (error: unknown) => error);
  assert.ok(refused instanceof Error);
  const { s, readOnly } = await openSession(stubs, cleanups, { readOnly: true });
  assert.equal(readOnly, true);
  const read = await s.request('getData', { path: '/ro' });
  assert.equal(read['code'], 0);
  assert.equal(Buffer.from((read['getData'] as { data: Buffer }).data).toString(), 'before');
  for (const [op, body] of [['create', { path: '/ro/x' }], ['setData', { path: '/ro', data: Buffer.from('x'), version: -1 }], ['sync', { path: '/' }]] as const) {
    const reply = await s.request(op, body);
    assert.deepEqual([reply['code'], reply['codeName']], [ZkCode.NOTREADONLY, 'NOTREADONLY'], op);
  }

  // Unary calls: reads from this tree, writes NOTREADONLY (UNAVAILABLE: try another member).
  assert.equal((await call<{ data: Buffer }>(stubs.corral, 'GetData', { path: '/ro' })).data.toString(), 'before');
  const write = await rejection(call(stubs.corral, 'Create', { path: '/ro/unary', data: Buffer.from('x') }));
  assert.deepEqual([write.code, zkCodeOf(write)], [unavailable, ZkCode.NOTREADONLY]);

  // The quorum is back: read-only sessions end; a stream that accepts read-only gets a read-write one.
  await ensemble.startMember(leader);
  await ensemble.startMember(other);
  const ended = await s.ended;
  assert.equal(ended?.code, unavailable);
  await until('health SERVING', async () => (await health('corral.v1.Corral')) === servingStatus.SERVING);
  const again = await openSession(stubs, cleanups, { readOnly: true });
  assert.equal(again.readOnly, false);
  assert.equal((await again.s.request('create', { path: '/ro/after' }))['code'], 0);
  await call(stubs.corral, 'Create', { path: '/ro/unary-after', data: Buffer.from('y') });
});

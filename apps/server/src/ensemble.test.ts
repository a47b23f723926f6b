// Goal: `corral server` with server.N lines and dataDir/myid runs as a real
// ensemble member (issue 9): three servers elect a leader, a write through a
// follower is readable on every server, a session's ephemeral is visible
// everywhere. Method: three CorralServers in this process on 127.0.0.1
// (testing/test-ensemble.ts), raw jute clients; waits are on conditions.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { OpCode } from '@corral/wire';
import { fourLetterWord } from './testing/four-letter-word.js';
import { RawClient } from './testing/raw-client.js';
import { createRequest as create, dataOf, TestEnsemble, until } from './testing/test-ensemble.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Waits until `path` reads `data` through `client` (a follower applies a commit a moment after the leader). */
async function readsEventually(client: RawClient, path: string, data: string | null): Promise<void> {
  await until(`${path} = ${data}`, async () => (await dataOf(client, path)) === data);
}

test('ensemble: three servers elect one leader; a write through a follower is readable everywhere', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
  const leader = await ensemble.settled();
  const follower = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  const writer = await ensemble.client(follower, cleanups);
  assert.equal((await writer.request(create('/via-follower', 'v1'))).header.err, ZkCode.OK);
  // Read-your-writes on the server that forwarded it.
  assert.equal(await dataOf(writer, '/via-follower'), 'v1');
  for (const sid of [1, 2, 3]) await readsEventually(await ensemble.client(sid, cleanups), '/via-follower', 'v1');
});

test('ensemble: a session\'s ephemeral is visible on every server and goes with the session', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
  await ensemble.settled();
  const owner = await ensemble.client(2, cleanups);
  assert.equal((await owner.request(create('/eph', 'mine', 1))).header.err, ZkCode.OK);
  const readers = await Promise.all([1, 3].map((sid) => ensemble.client(sid, cleanups)));
  for (const reader of readers) await readsEventually(reader, '/eph', 'mine');
  assert.equal((await owner.request({ type: OpCode.closeSession })).header.err, ZkCode.OK);
  for (const reader of readers) await readsEventually(reader, '/eph', null);
});

test('ensemble: an observer serves reads and forwards writes; it does not count towards a quorum', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 2, observers: 1 });
  const leader = await ensemble.settled();
  assert.equal(ensemble.member(3).server?.mode, 'observer');
  // The four-letter words read the roles from the Driver's EnsembleReport.
  assert.match(await fourLetterWord(ensemble.member(3).clientPort, 'srvr'), /Mode: observer/);
  const mntr = await fourLetterWord(ensemble.member(leader).clientPort, 'mntr');
  assert.match(mntr, /zk_peer_state\tleading - broadcast/);
  assert.match(mntr, /zk_synced_followers\t1\n/);
  assert.match(mntr, /zk_synced_observers\t1\n/);
  assert.match(mntr, /zk_quorum_size\t2\n/);
  const observer = await ensemble.client(3, cleanups);
  assert.equal((await observer.request(create('/from-observer', 'o'))).header.err, ZkCode.OK);
  assert.equal(await dataOf(observer, '/from-observer'), 'o');
  for (const sid of [1, 2]) await readsEventually(await ensemble.client(sid, cleanups), '/from-observer', 'o');
  // Two voters need both: with one voter gone, the other voter and the observer are not a quorum.
  // (No finite wait proves "never"; this one only fails if the observer's vote were counted.)
  const voter = leader === 1 ? 2 : 1;
  await ensemble.stopMember(voter);
  await until('the rest looking', () => [...ensemble.modes().values()].every((mode) => mode === 'looking'));
  const decided = (): number => ensemble.member(leader).log.items.filter((line) => line.message === 'election decided').length
    + ensemble.member(3).log.items.filter((line) => line.message === 'election decided').length;
  const before = decided();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(decided(), before, 'no election decided without a quorum of voters');
  assert.deepEqual([...ensemble.modes().values()], ['looking', 'looking']);
});

test('ensemble: a client reconnecting to another server keeps its session and ephemeral', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
  await ensemble.settled();
  const first = await ensemble.client(1, cleanups);
  assert.equal((await first.request(create('/mine', 'e', 1))).header.err, ZkCode.OK);
  const session = first.session;
  assert.ok(session !== null);
  first.close();
  const moved = await ensemble.client(2, cleanups, { sessionId: session.sessionId, passwd: session.passwd, timeoutMs: session.timeOut });
  assert.equal(moved.session?.sessionId, session.sessionId, 'the same session, revalidated by the leader');
  const owner = await moved.request({ type: OpCode.getData, path: '/mine', watch: false });
  assert.equal(owner.header.err, ZkCode.OK);
  assert.ok(owner.response?.type === OpCode.getData);
  assert.equal(owner.response.stat.ephemeralOwner, session.sessionId);
  // A wrong password is a dead session to the client (timeout 0).
  const wrong = await ensemble.client(3, cleanups, { sessionId: session.sessionId, passwd: new Uint8Array(16), timeoutMs: session.timeOut });
  assert.equal(wrong.session?.timeOut, 0);
  assert.equal((await moved.request({ type: OpCode.closeSession })).header.err, ZkCode.OK);
  await readsEventually(await ensemble.client(3, cleanups), '/mine', null);
});

test('ensemble: a client that has seen a later zxid than this server is refused', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
  await ensemble.settled();
  const writer = await ensemble.client(1, cleanups);
  const written = (await writer.request(create('/seen', 's'))).header.zxid;
  // ZooKeeper: "Refusing session request ... as it has seen zxid ... client must try another server".
  await assert.rejects(RawClient.open(ensemble.member(2).clientPort, { lastZxidSeen: written + (1n << 40n) }), /closed the connection/);
  // Once server 2 has applied the write, a client that saw it connects there.
  await readsEventually(await ensemble.client(2, cleanups), '/seen', 's');
  const caughtUp = await RawClient.open(ensemble.member(2).clientPort, { lastZxidSeen: written });
  caughtUp.close();
});

test('ensemble: a watch set on a follower fires for a write through another server', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
  const leader = await ensemble.settled();
  const follower = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  const watcher = await ensemble.client(follower, cleanups);
  const writer = await ensemble.client(leader, cleanups);
  assert.equal((await writer.request(create('/watched', 'a'))).header.err, ZkCode.OK);
  await readsEventually(watcher, '/watched', 'a');
  assert.equal((await watcher.request({ type: OpCode.getData, path: '/watched', watch: true })).header.err, ZkCode.OK);
  assert.equal((await writer.request({ type: OpCode.setData, path: '/watched', data: Buffer.from('b'), version: -1 })).header.err, ZkCode.OK);
  const [event] = await watcher.waitForEvents(1);
  assert.equal(event?.path, '/watched');
  assert.equal(await dataOf(watcher, '/watched'), 'b', 'the event comes before the data it announces');
});

test('ensemble: a session whose client vanished from a follower is expired by the leader; its ephemeral goes everywhere', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
  const leader = await ensemble.settled();
  const follower = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  // tickTime=100: the smallest session timeout is 200 ms.
  const owner = await ensemble.client(follower, cleanups, { timeoutMs: 200 });
  assert.equal((await owner.request(create('/short-lived', 's', 1))).header.err, ZkCode.OK);
  const reader = await ensemble.client(leader, cleanups);
  await readsEventually(reader, '/short-lived', 's');
  owner.close();
  for (const sid of [1, 2, 3]) await readsEventually(await ensemble.client(sid, cleanups), '/short-lived', null);
});

test('ensemble: every member restarts; they elect again from disk and serve every acknowledged write', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3, extra: 'snapCount=20' });
  await ensemble.settled();
  const writer = await ensemble.client(2, cleanups);
  for (let index = 0; index < 30; index += 1) assert.equal((await writer.request(create(`/r${index}`, String(index)))).header.err, ZkCode.OK);
  writer.close();
  await ensemble.closeAll();
  await Promise.all([1, 2, 3].map((sid) => ensemble.startMember(sid)));
  await ensemble.settled();
  for (const sid of [1, 2, 3]) {
    const reader = await ensemble.client(sid, cleanups);
    await readsEventually(reader, '/r29', '29');
    for (let index = 0; index < 30; index += 1) assert.equal(await dataOf(reader, `/r${index}`), String(index));
  }
});

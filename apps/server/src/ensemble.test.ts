// Goal: `corral server` with server.N lines and dataDir/myid runs as a real
// ensemble member (issue 9): three servers elect a leader, a write through a
// follower is readable on every server, a session's ephemeral is visible
// everywhere. Method: three CorralServers in this process on 127.0.0.1
// (testing/test-ensemble.ts), raw jute clients; waits are on conditions.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { OpCode, type CreateRequest } from '@corral/wire';
import type { RawClient } from './testing/raw-client.js';
import { TestEnsemble, until } from './testing/test-ensemble.js';

const open = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const create = (path: string, data = '', flags = 0): CreateRequest => ({ type: OpCode.create2, path, data: Buffer.from(data), acl: [open], flags });

async function dataOf(client: RawClient, path: string): Promise<string | null> {
  const reply = await client.request({ type: OpCode.getData, path, watch: false });
  if (reply.header.err === ZkCode.NONODE) return null;
  assert.equal(reply.header.err, ZkCode.OK);
  assert.ok(reply.response?.type === OpCode.getData);
  return Buffer.from(reply.response.data ?? []).toString();
}

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

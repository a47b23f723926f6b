// Goal: the replica core (the Driver) serves the standalone server
// end to end over real sockets: writes are answered after they are durable
// and committed through broadcast's Leader, reads in order behind them, and a
// restart recovers the tree from snapshot + log without replaying
// uncommitted records (the Leader re-commits the log above the snapshot).
// A data dir from before the replica core (no epoch files) is taken over.
// Method: a real server on a random port with a temp data dir, a raw jute client.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ZkCode } from '@corral/base';
import { OpCode, type CreateRequest } from '@corral/wire';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer } from '../testing/test-server.js';

const open = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const create = (path: string, data = '', flags = 0): CreateRequest => ({ type: OpCode.create2, path, data: Buffer.from(data), acl: [open], flags });

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.open(port);
  cleanups.push(() => c.close());
  return c;
}

test('replica core: writes, reads and errors in order; zxids carry the leader epoch', async () => {
  const { server, dataDir } = await startTestServer(cleanups);
  const c = await client(server.port);
  const replies = await Promise.all([
    c.request(create('/a', 'x')),
    c.request({ type: OpCode.getData, path: '/a', watch: false }),
    c.request(create('/a')),
    c.request({ type: OpCode.setData, path: '/a', data: Buffer.from('y'), version: 0 }),
  ]);
  assert.deepEqual(replies.map((reply) => reply.header.err), [ZkCode.OK, ZkCode.OK, ZkCode.NODEEXISTS, ZkCode.OK]);
  const got = replies[1]?.response;
  assert.ok(got?.type === OpCode.getData);
  assert.equal(Buffer.from(got.data ?? []).toString(), 'x');
  // The epochs broadcast asked for are durable before the leader served (each start is a new
  // epoch: a start retried on another port counts too), and the zxids carry the current one.
  const epoch = BigInt(readFileSync(join(dataDir, 'currentEpoch'), 'utf8'));
  assert.ok(epoch >= 1n);
  assert.equal((replies[3]?.header.zxid ?? 0n) >> 32n, epoch);
  assert.equal(readFileSync(join(dataDir, 'acceptedEpoch'), 'utf8'), String(epoch));
});

test('replica core: a restart re-commits the log above the snapshot, then a new epoch', async () => {
  const first = await startTestServer(cleanups, { extra: 'snapCount=4' });
  const c = await client(first.server.port);
  for (let index = 0; index < 12; index += 1) assert.equal((await c.request(create(`/n${index}`, String(index)))).header.err, ZkCode.OK);
  c.close();
  await first.server.close();
  const second = await startTestServer(cleanups, { dataDir: first.dataDir, extra: 'snapCount=4' });
  const d = await client(second.server.port);
  for (let index = 0; index < 12; index += 1) {
    const got = await d.request({ type: OpCode.getData, path: `/n${index}`, watch: false });
    assert.ok(got.response?.type === OpCode.getData, `/n${index} survived`);
    assert.equal(Buffer.from(got.response.data ?? []).toString(), String(index));
  }
  const next = await d.request(create('/after'));
  assert.equal(next.header.zxid >> 32n, BigInt(readFileSync(join(first.dataDir, 'currentEpoch'), 'utf8')));
  assert.ok(next.header.zxid >> 32n >= 2n);
});

test('replica core: closing a session removes its ephemerals through a txn', async () => {
  const { server } = await startTestServer(cleanups);
  const owner = await client(server.port);
  const watcher = await client(server.port);
  assert.equal((await owner.request(create('/e', '', 1))).header.err, ZkCode.OK);
  assert.equal((await watcher.request({ type: OpCode.exists, path: '/e', watch: true })).header.err, ZkCode.OK);
  assert.equal((await owner.request({ type: OpCode.closeSession })).header.err, ZkCode.OK);
  assert.equal((await watcher.request({ type: OpCode.exists, path: '/e', watch: false })).header.err, ZkCode.NONODE);
  assert.deepEqual(watcher.events.map((event) => event.path), ['/e']);
});

test('replica core: a data dir without epoch files (written before this core) is taken over, and stays readable after a restart', async () => {
  const first = await startTestServer(cleanups, { extra: 'snapCount=4' });
  const c = await client(first.server.port);
  for (let index = 0; index < 10; index += 1) assert.equal((await c.request(create(`/p${index}`, String(index)))).header.err, ZkCode.OK);
  c.close();
  await first.server.close();
  // What the RequestPipeline left: a log whose records are all committed, snapshots, no epochs.
  for (const name of ['acceptedEpoch', 'currentEpoch']) rmSync(join(first.dataDir, name));
  for (let restart = 0; restart < 2; restart += 1) {
    const next = await startTestServer(cleanups, { dataDir: first.dataDir, extra: 'snapCount=4' });
    const d = await client(next.server.port);
    for (let index = 0; index < 10; index += 1) {
      const got = await d.request({ type: OpCode.getData, path: `/p${index}`, watch: false });
      assert.ok(got.response?.type === OpCode.getData, `/p${index} survived`);
    }
    assert.equal((await d.request(create(`/r${restart}`))).header.err, ZkCode.OK);
    d.close();
    await next.server.close();
  }
});

// Goal: a real ZooKeeper client rides an ensemble's failover (issue 9): kazoo,
// given all three servers, keeps its session and ephemeral when the server it
// is connected to stops — it reconnects to another, which asks the leader to
// revalidate the session — and writes again; closing the session removes the
// ephemeral everywhere. Method: three in-process CorralServers, kazoo in
// /usr/bin/python3 driven over stdin/stdout; skipped when kazoo is missing.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { ZkCode } from '@corral/base';
import { OpCode } from '@corral/wire';
import { TestEnsemble, until } from './testing/test-ensemble.js';

const python = '/usr/bin/python3';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const script = `
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=15, randomize_hosts=False, connection_retry={'max_tries': -1, 'delay': 0.05, 'max_delay': 0.5})
zk.start(timeout=60)
zk.create('/kz-eph', b'x', ephemeral=True)
session = zk.client_id[0]
print('created', flush=True)
sys.stdin.readline()
data, stat = zk.retry(zk.get, '/kz-eph')
assert stat.ephemeralOwner == session, (stat.ephemeralOwner, session)
assert zk.client_id[0] == session
zk.retry(zk.create, '/kz-after', b'y')
zk.stop()
zk.close()
print('done', flush=True)
`;

const kazooMissing = spawnSync(python, ['-c', 'import kazoo'], { encoding: 'utf8' }).status !== 0;

test('ensemble: kazoo keeps its session and ephemeral across the loss of its server', { skip: kazooMissing ? 'kazoo is not installed' : false }, async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
  const leader = await ensemble.settled();
  const follower = [1, 2, 3].find((sid) => sid !== leader) ?? 0;
  // The follower first: kazoo connects there and moves on down the list.
  const order = [follower, ...[1, 2, 3].filter((sid) => sid !== follower)];
  const hosts = order.map((sid) => `127.0.0.1:${ensemble.member(sid).clientPort}`).join(',');
  const child = spawn(python, ['-c', script, hosts], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until('kazoo created its ephemeral', () => out.includes('created') || child.exitCode !== null);
  assert.ok(out.includes('created'), err);
  await ensemble.stopMember(follower);
  child.stdin.write('\n');
  assert.equal(await exited, 0, err);
  assert.ok(out.includes('done'));
  const survivor = order[1] ?? 0;
  const reader = await ensemble.client(survivor, cleanups);
  assert.equal((await reader.request({ type: OpCode.exists, path: '/kz-after', watch: false })).header.err, ZkCode.OK);
  await until('the ephemeral gone with the session', async () => (await reader.request({ type: OpCode.exists, path: '/kz-eph', watch: false })).header.err === ZkCode.NONODE);
});

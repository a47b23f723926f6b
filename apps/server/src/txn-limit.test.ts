// Goal: no txn a client can cause exceeds the log's record limit, so no
// request can make the log fail and the server exit (issue 7 item 3).
// End to end over the client port with the raw jute client: a session with
// 3,300 ephemerals of 1 KB names closes (its close txn used to list them
// all); a session adds many 4 KB digest identities and writes "auth" ACLs
// expanded over them. Refused requests get BADARGUMENTS, the server stays
// up and restarts from its data.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZkCode } from '@corral/base';
import { OpCode, Xid, type ACL, type ClientRequest, type CreateRequest } from '@corral/wire';
import { parseZooCfg } from './config/zoo-cfg.js';
import { createLogger } from './logger.js';
import { authIdsPerSessionMax } from './net/limits.js';
import { CorralServer } from './server.js';
import { RawClient } from './testing/raw-client.js';

const open: ACL = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(dataDir: string): Promise<CorralServer> {
  for (let attempt = 0; ; attempt += 1) {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const config = parseZooCfg(`tickTime=100\ndataDir=${dataDir}\nclientPort=${port}\n`);
    try {
      const server = await CorralServer.start(config, createLogger({ quiet: true }));
      cleanups.push(() => server.close({ force: true }));
      return server;
    } catch (error) {
      if (attempt > 10 || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-txn-limit-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.open(port);
  cleanups.push(() => c.close());
  return c;
}

const create = (path: string, options: { acl?: ACL[]; flags?: number; data?: Uint8Array } = {}): CreateRequest =>
  ({ type: OpCode.create2, path, data: options.data ?? new Uint8Array(0), acl: options.acl ?? [open], flags: options.flags ?? 0 });

async function addAuth(c: RawClient, user: string): Promise<number> {
  const reply = await c.request({ type: OpCode.auth, authType: 0, scheme: 'digest', auth: Buffer.from(`${user}:secret`) }, Xid.auth);
  return reply.header.err;
}

test('a session with 3,300 ephemerals of 1 KB names closes, and the server stays up across a restart', async () => {
  const dataDir = tempDir();
  const server = await startServer(dataDir);
  const owner = await client(server.port);
  assert.equal((await owner.request(create('/e'))).header.err, ZkCode.OK);
  const prefix = `/e/${'n'.repeat(1000)}`;
  const replies = await Promise.all(Array.from({ length: 3300 }, (_, index) => owner.request(create(`${prefix}${index}`, { flags: 1 }))));
  assert.ok(replies.every((reply) => reply.header.err === ZkCode.OK));
  assert.equal((await owner.request({ type: OpCode.closeSession })).header.err, ZkCode.OK);
  const other = await client(server.port);
  const children = await other.request({ type: OpCode.getChildren, path: '/e', watch: false });
  assert.deepEqual(children.response?.type === OpCode.getChildren ? children.response.children : null, []);
  await server.close();
  const restarted = await startServer(dataDir);
  const after = await client(restarted.port);
  const stat = await after.request({ type: OpCode.exists, path: '/e', watch: false });
  assert.equal(stat.header.err, ZkCode.OK);
  assert.equal(stat.response?.type === OpCode.exists ? stat.response.stat.numChildren : -1, 0);
});

test('auth identities are bounded, and "auth" ACLs that would not fit the log are refused with BADARGUMENTS', async () => {
  const dataDir = tempDir();
  const server = await startServer(dataDir);
  const c = await client(server.port);
  // Identities of about 4 KB each (digest id = user + ":" + 28 characters).
  const user = (index: number): string => `${String(index).padStart(4, '0')}${'u'.repeat(3_990)}`;
  for (let index = 0; index < authIdsPerSessionMax; index += 1) assert.equal(await addAuth(c, user(index)), ZkCode.OK);
  const auth = (perms: number): ACL => ({ perms, id: { scheme: 'auth', id: '' } });

  // One "auth" entry expands to every identity (~128 KB): fits.
  assert.equal((await c.request(create('/a', { acl: [auth(31)] }))).header.err, ZkCode.OK);
  // Thirty distinct entries expand to ~3.9 MB, over the ~3 MB record limit: refused before prep.
  const many = Array.from({ length: 30 }, (_, perms) => auth(perms + 1));
  assert.equal((await c.request(create('/b', { acl: many }))).header.err, ZkCode.BADARGUMENTS);
  // Twenty entries (~2.6 MB) plus 700 KB of data: only the prepared txn is too large.
  const twenty = many.slice(0, 20);
  assert.equal((await c.request(create('/c', { acl: twenty, data: new Uint8Array(700_000) }))).header.err, ZkCode.BADARGUMENTS);
  // Prep's view forgot the refused create: the same path, and siblings, still work.
  assert.equal((await c.request(create('/c', { acl: twenty }))).header.err, ZkCode.OK);
  assert.equal((await c.request(create('/c/child', { flags: 2 }))).header.err, ZkCode.OK);
  // A multi whose ops are each fine but together too large: every op answered, nothing created.
  const ops: ClientRequest[] = Array.from({ length: 40 }, (_, index) => create(`/m${index}`, { acl: [auth(31)] }));
  const multi = await c.request({ type: OpCode.multi, ops });
  assert.equal(multi.header.err, ZkCode.OK);
  const results = multi.response?.type === OpCode.multi ? multi.response.results : [];
  assert.deepEqual(results.map((result) => (result.type === OpCode.error ? result.err : 0)),
    [ZkCode.BADARGUMENTS, ...Array.from({ length: 39 }, () => ZkCode.RUNTIMEINCONSISTENCY)]);
  assert.equal((await c.request({ type: OpCode.exists, path: '/m0', watch: false })).header.err, ZkCode.NONODE);

  // One identity more than the limit: AUTHFAILED, and the connection closes, as for any refused auth.
  assert.equal(await addAuth(c, user(authIdsPerSessionMax)), ZkCode.AUTHFAILED);
  await c.closed;
  // An identity too long for any ACL entry is refused the same way.
  const d = await client(server.port);
  assert.equal(await addAuth(d, 'v'.repeat(5000)), ZkCode.AUTHFAILED);

  // Everything logged reads back: the server restarts on its data.
  await server.close();
  const restarted = await startServer(dataDir);
  const e = await client(restarted.port);
  assert.equal((await e.request({ type: OpCode.exists, path: '/c/child0000000000', watch: false })).header.err, ZkCode.OK);
});

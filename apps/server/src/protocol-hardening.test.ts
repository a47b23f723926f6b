// Goal: the requests of issue 7 that broke the server's promises, over the
// client port, each answered as Apache ZooKeeper 3.8 answers it (probed with
// a raw jute client): opcodes only the server may produce are refused, a
// createTTL that kills Apache is refused and the server restarts cleanly,
// and the smaller protocol differences (multi op kinds, container flags in a
// multi, path "" as the root, a null getEphemerals prefix, trailing bytes).
// Method: a real server on a random port, RawClient, hand-built frames where
// no codec would write the bytes.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { OpCode, type ACL, type ClientRequest } from '@corral/wire';
import { RawClient } from './testing/raw-client.js';
import { startTestServer } from './testing/test-server.js';

const open: ACL = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function client(port: number): Promise<RawClient> {
  const c = await RawClient.open(port);
  cleanups.push(() => c.close());
  return c;
}

const int = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
};
const jute = (text: string): Buffer => Buffer.concat([int(Buffer.byteLength(text)), Buffer.from(text)]);
const exists = (path: string): ClientRequest => ({ type: OpCode.exists, path, watch: false });

test('a client deleteContainer is BADARGUMENTS and the node stays, even where delete would be NOAUTH', async () => {
  const { server } = await startTestServer(cleanups);
  const c = await client(server.port);
  const data = new Uint8Array(0);
  assert.equal((await c.request({ type: OpCode.create, path: '/prot', data, acl: [open], flags: 0 })).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.create, path: '/prot/p', data, acl: [open], flags: 0 })).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.create, path: '/prot/c', data, acl: [open], flags: 4 })).header.err, ZkCode.OK);
  // Deleting a child needs DELETE on the parent, which now only a digest user has.
  const onlyDigest: ACL = { perms: 31, id: { scheme: 'digest', id: 'owner:hash' } };
  assert.equal((await c.request({ type: OpCode.setACL, path: '/prot', acl: [onlyDigest], version: -1 })).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.delete, path: '/prot/p', version: -1 })).header.err, ZkCode.NOAUTH);
  for (const path of ['/prot/p', '/prot/c']) {
    assert.equal((await c.request({ type: OpCode.deleteContainer, path, version: -1 })).header.err, ZkCode.BADARGUMENTS);
    assert.equal((await c.request(exists(path))).header.err, ZkCode.OK, `${path} survives`);
  }
});

test('createSession and error opcodes from a client are UNIMPLEMENTED and create nothing', async () => {
  const { server } = await startTestServer(cleanups);
  for (const type of [OpCode.createSession, OpCode.error, OpCode.notification]) {
    const c = await client(server.port);
    const reply = await c.requestFrame(type, int(30_000), OpCode.ping);
    assert.equal(reply.header.err, ZkCode.UNIMPLEMENTED, `opcode ${type}`);
    await c.closed;
  }
  const c = await client(server.port);
  const children = await c.request({ type: OpCode.getChildren, path: '/', watch: false });
  assert.deepEqual(children.response, { type: OpCode.getChildren, children: ['zookeeper'] });
});

test('createTTL with a non-TTL mode and TTL -9 is BADARGUMENTS, and the server restarts from its log', async () => {
  const { server, dataDir } = await startTestServer(cleanups, { extra: 'extendedTypesEnabled=true' });
  const c = await client(server.port);
  for (const flags of [0, 1, 4]) {
    const reply = await c.request({ type: OpCode.createTTL, path: '/t', data: new Uint8Array(0), acl: [open], flags, ttl: -9n });
    assert.equal(reply.header.err, ZkCode.BADARGUMENTS, `flags ${flags}`);
  }
  assert.equal((await c.request({ type: OpCode.create, path: '/after', data: new Uint8Array(0), acl: [open], flags: 0 })).header.err, ZkCode.OK);
  c.close();
  await server.close();
  const restarted = await startTestServer(cleanups, { dataDir, extra: 'extendedTypesEnabled=true' });
  const again = await client(restarted.server.port);
  assert.equal((await again.request(exists('/after'))).header.err, ZkCode.OK);
  assert.equal((await again.request(exists('/t'))).header.err, ZkCode.NONODE);
});

test('a multi create op takes its kind from its flags: container flags make a container (create2 result)', async () => {
  const { server } = await startTestServer(cleanups);
  const c = await client(server.port);
  const data = new Uint8Array(0);
  const reply = await c.request({
    type: OpCode.multi,
    ops: [
      { type: OpCode.create, path: '/container', data, acl: [open], flags: 4 },
      { type: OpCode.createContainer, path: '/persistent', data, acl: [open], flags: 0 },
    ],
  });
  assert.equal(reply.header.err, ZkCode.OK);
  assert.ok(reply.response?.type === OpCode.multi);
  // ZooKeeper reports createContainer (and createTTL) results as create2, a plain create as create.
  assert.deepEqual(reply.response.results.map((result) => result.type), [OpCode.create2, OpCode.create]);
});

test('a multi holding a read, or a multiRead holding a write, is refused whole with MARSHALLINGERROR', async () => {
  const { server } = await startTestServer(cleanups);
  const c = await client(server.port);
  const create: ClientRequest = { type: OpCode.create, path: '/m', data: new Uint8Array(0), acl: [open], flags: 0 };
  const read: ClientRequest = { type: OpCode.getData, path: '/', watch: false };
  for (const request of [
    { type: OpCode.multi, ops: [create, read] },
    { type: OpCode.multi, ops: [read] },
    { type: OpCode.multiRead, ops: [read, create] },
    { type: OpCode.multiRead, ops: [{ type: OpCode.check, path: '/', version: -1 }] },
  ] as const) {
    assert.equal((await c.request(request)).header.err, ZkCode.MARSHALLINGERROR);
  }
  assert.equal((await c.request(exists('/m'))).header.err, ZkCode.NONODE);
});

test('path "" is the root for exists, getData, getChildren, getACL and getAllChildrenNumber', async () => {
  const { server } = await startTestServer(cleanups);
  const c = await client(server.port);
  const requestsOf = (path: string): ClientRequest[] => [
    exists(path), { type: OpCode.getData, path, watch: false }, { type: OpCode.getChildren, path, watch: false },
    { type: OpCode.getChildren2, path, watch: false }, { type: OpCode.getACL, path }, { type: OpCode.getAllChildrenNumber, path },
  ];
  const roots = requestsOf('/');
  for (const [index, request] of requestsOf('').entries()) {
    const root = await c.request(roots[index] ?? request);
    const empty = await c.request(request);
    assert.equal(empty.header.err, ZkCode.OK, `opcode ${request.type}`);
    assert.deepEqual(empty.response, root.response, `opcode ${request.type}`);
  }
});

test('getEphemerals with a null prefix lists every ephemeral of the session', async () => {
  const { server } = await startTestServer(cleanups);
  const c = await client(server.port);
  for (const path of ['/e1', '/e2']) {
    assert.equal((await c.request({ type: OpCode.create, path, data: new Uint8Array(0), acl: [open], flags: 1 })).header.err, ZkCode.OK);
  }
  const reply = await c.requestFrame(OpCode.getEphemerals, int(-1));
  assert.equal(reply.header.err, ZkCode.OK);
  assert.ok(reply.response?.type === OpCode.getEphemerals);
  assert.deepEqual([...reply.response.ephemerals].sort(), ['/e1', '/e2']);
});

test('bytes after a request body are ignored', async () => {
  const { server } = await startTestServer(cleanups);
  const c = await client(server.port);
  const garbage = Buffer.from('trailing');
  const body = Buffer.concat([jute('/x'), int(-1), int(1), int(31), jute('world'), jute('anyone'), int(0), garbage]);
  assert.equal((await c.requestFrame(OpCode.create, body)).header.err, ZkCode.OK);
  const read = await c.requestFrame(OpCode.exists, Buffer.concat([jute('/x'), Buffer.from([0]), garbage]));
  assert.equal(read.header.err, ZkCode.OK);
});

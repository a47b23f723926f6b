// Goal: ZkClient against a real Corral server (apps/server's CLI as a child
// on a random port): every operation's result and error code, chroot, watches
// as callbacks and iterators, reconnect through a severed proxy with watches
// re-registered, failover past a server that refuses, session expiry, abort,
// and close() leaving no handle behind. Method: one server for the file; a
// proxy per test where a connection must be cut.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ZkCode, ZkError } from '@corral/base';
import { CreateMode, EventType } from '@corral/wire';
import { ZkClient } from './client.js';
import { outstandingRequestsMax } from './limits.js';
import { MultiError } from './multi-results.js';
import { startCorralServer, type TestServer } from './testing/corral-server.js';
import { expireSession } from './testing/harness.js';
import { startProxy } from './testing/tcp-proxy.js';
import type { WatchEvent } from './watch-registry.js';

let server: TestServer;
const open: ZkClient[] = [];
before(async () => {
  server = await startCorralServer();
});
after(async () => {
  for (const client of open) await client.close();
  await server.stop();
});

async function client(connectString = server.connectString, sessionTimeoutMs = 4000): Promise<ZkClient> {
  const c = await ZkClient.connect(connectString, { sessionTimeoutMs });
  open.push(c);
  return c;
}

function nextEvent(): { watcher: (event: WatchEvent) => void; event: Promise<WatchEvent> } {
  let resolve!: (event: WatchEvent) => void;
  const event = new Promise<WatchEvent>((r) => (resolve = r));
  return { watcher: resolve, event };
}

async function rejectsWith(promise: Promise<unknown>, code: ZkCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ZkError && error.code === code);
}

test('create, get, set and delete give results and ZooKeeper codes', async () => {
  const c = await client();
  assert.equal(await c.create('/ops', 'x'), '/ops');
  await rejectsWith(c.create('/ops'), ZkCode.NODEEXISTS);
  await rejectsWith(c.create('/missing/child'), ZkCode.NONODE);
  const { data, stat } = await c.getData('/ops');
  assert.equal(Buffer.from(data ?? []).toString(), 'x');
  assert.equal(stat.version, 0);
  assert.equal((await c.setData('/ops', 'y', { version: 0 })).version, 1);
  await rejectsWith(c.setData('/ops', 'z', { version: 0 }), ZkCode.BADVERSION);
  const created = await c.create2('/ops/seq-', '', { mode: CreateMode.PERSISTENT_SEQUENTIAL });
  assert.match(created.path, /^\/ops\/seq-\d{10}$/);
  assert.ok(created.stat.czxid > 0n);
  await c.create('/ops/eph', '', { mode: CreateMode.EPHEMERAL });
  await c.create('/ops/ttl', '', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 60_000 });
  await c.create('/ops/container', '', { mode: CreateMode.CONTAINER });
  assert.deepEqual((await c.getChildren('/ops')).sort(), ['container', 'eph', created.path.slice(5), 'ttl'].sort());
  assert.equal((await c.getChildren2('/ops')).stat.numChildren, 4);
  assert.equal(await c.getAllChildrenNumber('/ops'), 4);
  assert.deepEqual(await c.getEphemerals('/ops'), ['/ops/eph']);
  assert.equal((await c.getACL('/ops')).acl[0]?.id.scheme, 'world');
  assert.equal((await c.setACL('/ops', [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], { version: 0 })).aversion, 1);
  await c.sync('/ops');
  assert.equal((await c.whoAmI())[0]?.authScheme, 'ip');
  await rejectsWith(c.delete('/ops'), ZkCode.NOTEMPTY);
  await c.delete('/ops/eph', { version: 0 });
  assert.equal(await c.exists('/ops/eph'), null);
});

test('null data stays null, apart from empty, through create, setData and multiRead', async () => {
  const c = await client();
  await c.create('/null-data', null);
  assert.equal((await c.getData('/null-data')).data, null);
  await c.setData('/null-data', '');
  assert.deepEqual((await c.getData('/null-data')).data, new Uint8Array(0));
  await c.setData('/null-data', null);
  const [read] = await c.multiRead([{ type: 'getData', path: '/null-data' }]);
  assert.equal(read?.type === 'getData' ? read.data : 'missing', null);
});

test('a transaction applies all ops or none and reports the failing op', async () => {
  const c = await client();
  const results = await c.transaction().create('/tx', 'a').create('/tx/1').setData('/tx', 'b', 0).check('/tx', 1).commit();
  assert.deepEqual(results.map((r) => r.type), ['create', 'create', 'setData', 'check']);
  await assert.rejects(c.transaction().create('/tx/2').delete('/tx/none').commit(), (error: unknown) => {
    return error instanceof MultiError && error.code === ZkCode.NONODE && error.failedIndex === 1;
  });
  assert.equal(await c.exists('/tx/2'), null);
  const read = await c.multiRead([{ type: 'getData', path: '/tx' }, { type: 'getChildren', path: '/tx' }, { type: 'getData', path: '/nope' }]);
  assert.equal(read[0]?.type === 'getData' && Buffer.from(read[0].data ?? []).toString(), 'b');
  assert.deepEqual(read[1]?.type === 'getChildren' && read[1].children, ['1']);
  assert.equal(read[2]?.type === 'error' && read[2].error.code, ZkCode.NONODE);
});

test('a chroot is prefixed to requests and stripped from replies and events', async () => {
  const root = await client();
  await root.create('/chroot');
  const c = await client(`${server.connectString}/chroot`);
  assert.equal(await c.create('/a', '', { mode: CreateMode.PERSISTENT_SEQUENTIAL }), '/a0000000000');
  assert.ok(await root.exists('/chroot/a0000000000'));
  const { watcher, event } = nextEvent();
  await c.getChildren('/', { watch: watcher });
  await root.create('/chroot/b');
  assert.deepEqual(await event, { type: EventType.NodeChildrenChanged, path: '/', zxid: (await event).zxid });
});

test('one-shot watches fire once; exists watches a missing node; an iterator sees a subtree', async () => {
  const c = await client();
  const writer = await client();
  const created = nextEvent();
  assert.equal(await c.exists('/w', { watch: created.watcher }), null);
  await writer.create('/w');
  assert.equal((await created.event).type, EventType.NodeCreated);
  const changed = nextEvent();
  await c.getData('/w', { watch: changed.watcher });
  await writer.setData('/w', '1');
  await writer.setData('/w', '2');
  assert.equal((await changed.event).type, EventType.NodeDataChanged);
});

test('async iterator: persistent recursive events in order, ended by return()', async () => {
  const c = await client();
  const writer = await client();
  await writer.create('/it');
  const iterator = c.watch('/it');
  const collected: string[] = [];
  const reading = (async () => {
    for await (const event of iterator) {
      collected.push(`${event.type}:${event.path}`);
      if (collected.length === 3) break;
    }
  })();
  // addWatch is sent on the first next(); a sync after it orders the writes behind it.
  await new Promise((resolve) => setImmediate(resolve));
  await c.sync('/it');
  await writer.create('/it/a');
  await writer.setData('/it/a', 'x');
  await writer.delete('/it/a');
  await reading;
  assert.deepEqual(collected, [`${EventType.NodeCreated}:/it/a`, `${EventType.NodeDataChanged}:/it/a`, `${EventType.NodeDeleted}:/it/a`]);
});

test('a severed connection reconnects with the same session and watches re-registered', async () => {
  const proxy = await startProxy(server.port);
  const c = await client(proxy.connectString);
  const writer = await client();
  await writer.create('/rc');
  const sessionId = c.sessionId;
  const changed = nextEvent();
  await c.getData('/rc', { watch: changed.watcher });
  const persistent: WatchEvent[] = [];
  await c.addWatch('/rc', (event) => persistent.push(event));
  const states: string[] = [];
  c.on('state', (state: string) => states.push(state));
  const reconnected = new Promise((resolve) => c.once('reconnected', resolve));
  const inFlight = c.getData('/rc');
  proxy.sever();
  await inFlight.catch((error: unknown) => assert.ok(error instanceof ZkError && error.code === ZkCode.CONNECTIONLOSS));
  await reconnected;
  assert.equal(c.sessionId, sessionId);
  assert.deepEqual(states, ['suspended', 'connected']);
  await writer.setData('/rc', 'after');
  assert.equal((await changed.event).type, EventType.NodeDataChanged);
  await c.sync('/rc');
  assert.equal(persistent.length, 1);
  await c.close();
  await proxy.close();
});

test('requests made while suspended are sent after the reconnect, in order', async () => {
  const proxy = await startProxy(server.port);
  const c = await client(proxy.connectString);
  await c.create('/fifo');
  proxy.blackhole({ refuse: true });
  await new Promise((resolve) => c.once('suspended', resolve));
  const writes = [1, 2, 3].map((n) => c.setData('/fifo', String(n)));
  proxy.heal();
  const stats = await Promise.all(writes);
  assert.deepEqual(stats.map((s) => s.version), [1, 2, 3]);
  await c.close();
  await proxy.close();
});

test('failover skips a server that closes the handshake (as one behind lastZxidSeen does)', async () => {
  const refusing = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const port = (refusing.address() as { port: number }).port;
  const c = await client(`127.0.0.1:${port},${server.connectString}`);
  assert.equal(c.state, 'connected');
  await c.close();
  await new Promise((resolve) => refusing.close(resolve));
});

test('a session closed elsewhere is reported expired; calls then fail with SESSIONEXPIRED', async () => {
  const proxy = await startProxy(server.port);
  const c = await client(proxy.connectString);
  await expireSession(c, proxy, server.connectString);
  assert.equal(c.state, 'expired');
  await rejectsWith(c.exists('/'), ZkCode.SESSIONEXPIRED);
  await proxy.close();
});

test('an aborted call rejects with the signal reason; a pre-aborted one is never sent', async () => {
  const c = await client();
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(c.create('/never', '', { signal: controller.signal }), /stop/);
  assert.equal(await c.exists('/never'), null);
  const late = new AbortController();
  const pending = c.getData('/');
  const aborted = c.sync('/', { signal: late.signal });
  late.abort(new Error('late'));
  await assert.rejects(aborted, /late/);
  await pending;
  assert.ok(await c.exists('/'));
});

test('addAuth grants digest access, also after a reconnect', async () => {
  const proxy = await startProxy(server.port);
  const c = await client(proxy.connectString);
  await c.addAuth('digest', 'alice:secret');
  await c.create('/authed', 'x', { acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }] });
  const other = await client();
  await rejectsWith(other.getData('/authed'), ZkCode.NOAUTH);
  const reconnected = new Promise((resolve) => c.once('reconnected', resolve));
  proxy.sever();
  await reconnected;
  assert.equal(Buffer.from((await c.getData('/authed')).data ?? []).toString(), 'x');
  assert.deepEqual((await c.whoAmI()).map((i) => i.authScheme).sort(), ['digest', 'ip']);
  await c.close();
  await proxy.close();
});

test('more calls than outstandingRequestsMax are queued and answered in call order', async () => {
  const c = await client();
  const order: number[] = [];
  const calls = Array.from({ length: outstandingRequestsMax * 2 + 17 }, (_, index) => c.exists('/').then(() => order.push(index)));
  await Promise.all(calls);
  assert.deepEqual(order, Array.from({ length: calls.length }, (_, index) => index));
});

test('a server behind lastZxidSeen refuses the session; the client keeps it and returns to an up-to-date server', async () => {
  // Two independent servers: `behind` has none of this session's writes, as a lagging follower would.
  const behindServer = await startCorralServer();
  const ahead = await startProxy(server.port);
  const behind = await startProxy(behindServer.port);
  behind.blackhole({ refuse: true });
  const c = await client(`${ahead.connectString},${behind.connectString}`);
  const sessionId = c.sessionId;
  for (let index = 0; index < 5; index++) await c.create(`/behind-${index}-`, '', { mode: CreateMode.PERSISTENT_SEQUENTIAL });
  assert.ok(c.lastZxidSeen > 0n);
  const suspended = new Promise((resolve) => c.once('suspended', resolve));
  const refusedBefore = behind.connections;
  behind.heal();
  ahead.blackhole({ refuse: true });
  await suspended;
  const expiredEvents: unknown[] = [];
  c.on('expired', (event: unknown) => expiredEvents.push(event));
  // Two handshakes reached the lagging server and were refused, not answered "expired".
  await behind.waitForConnections(refusedBefore + 2);
  assert.equal(c.state, 'suspended');
  const reconnected = new Promise((resolve) => c.once('reconnected', resolve));
  ahead.heal();
  await reconnected;
  assert.equal(c.sessionId, sessionId);
  assert.deepEqual(expiredEvents, []);
  assert.ok((await c.getChildren('/')).some((name) => name.startsWith('behind-0-')));
  await c.close();
  await ahead.close();
  await behind.close();
  await behindServer.stop();
});

test('refused credentials reject addAuth with AUTHFAILED and are not replayed after the reconnect', async () => {
  const c = await client();
  await rejectsWith(c.addAuth('no-such-scheme', 'x'), ZkCode.AUTHFAILED);
  // ZooKeeper closes the connection after AUTHFAILED; the session carries on without the entry.
  assert.ok((await c.whoAmI()).every((info) => info.authScheme !== 'no-such-scheme'));
});

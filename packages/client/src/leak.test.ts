// Goal: close() releases everything a client owns — socket, ping and backoff
// timers, listeners — also when it closes mid-reconnect. Method: its own
// file (so its own process): count active handles by kind before and after,
// and count live timers by wrapping the global timer functions, since unref'd
// timers do not show in process.getActiveResourcesInfo().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient } from './client.js';
import { startCorralServer, type TestServer } from './testing/corral-server.js';
import { startProxy } from './testing/tcp-proxy.js';

const live = new Set<unknown>();
const realSetTimeout = globalThis.setTimeout;
const realSetInterval = globalThis.setInterval;
const realClearTimeout = globalThis.clearTimeout;
const realClearInterval = globalThis.clearInterval;
globalThis.setTimeout = ((fn: () => void, ms?: number) => {
  const timer = realSetTimeout(() => {
    live.delete(timer);
    fn();
  }, ms);
  live.add(timer);
  return timer;
}) as typeof setTimeout;
globalThis.setInterval = ((fn: () => void, ms?: number) => {
  const timer = realSetInterval(fn, ms);
  live.add(timer);
  return timer;
});
globalThis.clearTimeout = ((timer: NodeJS.Timeout) => {
  live.delete(timer);
  realClearTimeout(timer);
}) as typeof clearTimeout;
globalThis.clearInterval = ((timer: NodeJS.Timeout) => {
  live.delete(timer);
  realClearInterval(timer);
}) as typeof clearInterval;

let server: TestServer;
before(async () => {
  server = await startCorralServer();
});
after(() => server.stop());

function sockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

test('close() of a connected client leaves no socket, timer or listener', async () => {
  const socketsBefore = sockets();
  const timersBefore = live.size;
  const c = await ZkClient.connect(server.connectString, { sessionTimeoutMs: 4000 });
  c.on('state', () => undefined);
  await c.addWatch('/', () => undefined);
  assert.equal(sockets(), socketsBefore + 1);
  assert.ok(live.size > timersBefore);
  await Promise.all([c.close(), c.close()]);
  await c.close();
  await new Promise((resolve) => realSetTimeout(resolve, 0));
  assert.equal(sockets(), socketsBefore);
  assert.equal(live.size, timersBefore);
  assert.equal(c.listenerCount('state'), 0);
  await assert.rejects(c.exists('/'), { name: 'ClientClosedError' });
});

test('close() while reconnecting to an unreachable server stops the attempts', async () => {
  const proxy = await startProxy(server.port);
  const socketsBefore = sockets();
  const timersBefore = live.size;
  const c = await ZkClient.connect(proxy.connectString, { sessionTimeoutMs: 4000 });
  const suspended = new Promise((resolve) => c.once('suspended', resolve));
  proxy.blackhole();
  proxy.sever();
  await suspended;
  const pending = c.exists('/');
  await c.close();
  await assert.rejects(pending, { name: 'ClientClosedError' });
  await proxy.close();
  await new Promise((resolve) => realSetTimeout(resolve, 0));
  assert.equal(live.size, timersBefore);
  assert.ok(sockets() <= socketsBefore);
});

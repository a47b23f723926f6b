// Goal: the remaining recipes keep their promise with concurrent clients
// against a real server: the CAS counter loses and doubles no increment while
// connections are cut, including a write whose reply was lost; barriers
// release everyone at once; config watcher and tree cache converge to the
// server's state across a cut; service discovery lists and watches
// registrations and drops them when a session expires. Method: a Corral child
// server, proxies that are cut, waits on watches only (no sleeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpCode } from '@corral/wire';
import type { ZkClient } from '../client.js';
import { armWatch, expireSession, serverFixture } from '../testing/harness.js';
import type { TcpProxy } from '../testing/tcp-proxy.js';
import { Barrier } from './barrier.js';
import { ConfigWatcher, type ConfigValue } from './config-watcher.js';
import { DoubleBarrier } from './double-barrier.js';
import { ServiceDiscovery, type ServiceInstance } from './service-discovery.js';
import { SharedCounter } from './shared-counter.js';
import { TreeCache } from './tree-cache.js';

const fixture = serverFixture();
const { pool } = fixture;
const proxy = (): Promise<TcpProxy> => fixture.proxy();

test('counter: 6 clients x 15 increments while two clients are cut add up exactly', async () => {
  const cuts = [await proxy(), await proxy()];
  const clients = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => pool.open(cuts[index]?.connectString ?? fixture.server.connectString)));
  await Promise.all(
    clients.map(async (client, index) => {
      const counter = new SharedCounter(client, '/counters/c1');
      for (let round = 0; round < 15; round++) {
        const adding = counter.add(1);
        if (index < cuts.length && round % 4 === index) cuts[index]!.sever();
        await adding;
      }
    }),
  );
  assert.equal(await new SharedCounter(clients[2]!, '/counters/c1').get(), 90);
  assert.deepEqual(await clients[2]!.getChildren('/counters/c1'), []);
});

test('counter: an increment applied with its reply lost is counted once', async () => {
  const cut = await proxy();
  const [deaf, observer] = [await pool.open(cut.connectString), await pool.open(fixture.server.connectString)] as [ZkClient, ZkClient];
  const counter = new SharedCounter(deaf, '/counters/c2');
  assert.equal(await counter.add(1), 1);
  const { fired: changed } = await armWatch((watch) => observer.getData('/counters/c2', { watch }));
  cut.deafenOn(OpCode.multi);
  const adding = counter.add(1);
  await changed;
  cut.sever();
  cut.heal();
  assert.equal(await adding, 2);
  assert.equal(await new SharedCounter(observer, '/counters/c2').get(), 2);
});

test('barrier: waiters block until it is removed', async () => {
  const clients = await Promise.all([0, 1, 2, 3].map(() => pool.open(fixture.server.connectString)));
  const barrier = new Barrier(clients[0]!, '/barriers/b1');
  await barrier.set();
  let released = 0;
  const waiting = clients.slice(1).map((client) => new Barrier(client, '/barriers/b1').wait().then(() => (released += 1)));
  await Promise.all(clients.map((client) => client.sync('/')));
  assert.equal(released, 0);
  await barrier.remove();
  await Promise.all(waiting);
  assert.equal(released, 3);
});

test('double barrier: nobody passes enter before all 5 arrive, nobody passes leave before all left, with a cut', async () => {
  const cut = await proxy();
  const clients = await Promise.all([0, 1, 2, 3, 4].map((index) => pool.open(index === 0 ? cut.connectString : fixture.server.connectString)));
  let entered = 0;
  let minEnteredSeenInside = Infinity;
  let left = 0;
  let minLeftSeenAfter = Infinity;
  await Promise.all(
    clients.map(async (client, index) => {
      const barrier = new DoubleBarrier(client, '/barriers/double', 5);
      entered += 1;
      if (index === 0) cut.sever();
      await barrier.enter();
      minEnteredSeenInside = Math.min(minEnteredSeenInside, entered);
      left += 1;
      await barrier.leave();
      minLeftSeenAfter = Math.min(minLeftSeenAfter, left);
    }),
  );
  assert.equal(minEnteredSeenInside, 5);
  assert.equal(minLeftSeenAfter, 5);
});

test('config watcher: sees each committed value and the latest after a cut', async () => {
  const cut = await proxy();
  const [watching, writer] = [await pool.open(cut.connectString), await pool.open(fixture.server.connectString)] as [ZkClient, ZkClient];
  const watcher = new ConfigWatcher(watching, '/config/app');
  assert.equal((await watcher.start()).data, null);
  const seen: string[] = [];
  const waitFor = (value: string): Promise<void> =>
    new Promise((resolve) => {
      const onChange = (change: ConfigValue): void => {
        seen.push(change.data === null ? '<none>' : Buffer.from(change.data).toString());
        if (seen[seen.length - 1] === value) {
          watcher.off('change', onChange);
          resolve();
        }
      };
      watcher.on('change', onChange);
    });
  const first = waitFor('v1');
  await writer.create('/config/app', 'v1').catch(async () => {
    await writer.create('/config', '');
    await writer.create('/config/app', 'v1');
  });
  await first;
  cut.blackhole({ refuse: true });
  await new Promise((resolve) => watching.once('suspended', resolve));
  const latest = waitFor('v3');
  await writer.setData('/config/app', 'v2');
  await writer.setData('/config/app', 'v3');
  cut.heal();
  await latest;
  assert.equal(Buffer.from(watcher.value!.data!).toString(), 'v3');
  await watcher.close();
});

test('tree cache: mirrors a subtree through creates, changes, deletes and a cut', async () => {
  const cut = await proxy();
  const [caching, writer] = [await pool.open(cut.connectString), await pool.open(fixture.server.connectString)] as [ZkClient, ZkClient];
  await writer.create('/tree', 'root');
  await writer.create('/tree/a', '1');
  const cache = new TreeCache(caching, '/tree');
  await cache.start();
  assert.deepEqual(cache.paths().sort(), ['/tree', '/tree/a']);
  const settled = (path: string, data: string | null): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        const node = cache.get(path);
        const value = node === undefined ? null : Buffer.from(node.data ?? []).toString();
        if (value === data) {
          cache.off('added', check).off('updated', check).off('removed', check);
          resolve();
        }
      };
      cache.on('added', check).on('updated', check).on('removed', check);
      check();
    });
  const b = settled('/tree/a/b', 'deep');
  await writer.create('/tree/a/b', 'deep');
  await b;
  const a2 = settled('/tree/a', '2');
  await writer.setData('/tree/a', '2');
  await a2;
  cut.blackhole({ refuse: true });
  await new Promise((resolve) => caching.once('suspended', resolve));
  await writer.delete('/tree/a/b');
  await writer.create('/tree/c', 'new');
  const c = settled('/tree/c', 'new');
  const gone = settled('/tree/a/b', null);
  cut.heal();
  await c;
  await gone;
  assert.deepEqual(cache.paths().sort(), ['/tree', '/tree/a', '/tree/c']);
  await cache.close();
});

test('service discovery: list and watch registrations; an expired session drops its instance', async () => {
  const cut = await proxy();
  const [one, two, looker] = (await Promise.all([cut.connectString, fixture.server.connectString, fixture.server.connectString].map((at) => pool.open(at)))) as [ZkClient, ZkClient, ZkClient];
  const instance = (id: string): ServiceInstance => ({ id, address: '127.0.0.1', port: 8000 + Number(id.slice(1)) });
  await new ServiceDiscovery(one, '/services').register('api', instance('i1'));
  await new ServiceDiscovery(one, '/services').register('api', instance('i1'));
  const discovery = new ServiceDiscovery(looker, '/services');
  const controller = new AbortController();
  const lists: string[][] = [];
  const watching = (async () => {
    try {
      for await (const list of discovery.watch('api', { signal: controller.signal })) {
        lists.push(list.map((entry) => entry.id));
        // Intermediate lists depend on timing; the one after the expiry does not.
        if (list.length === 1 && list[0]!.id === 'i2') return;
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  await new ServiceDiscovery(two, '/services').register('api', instance('i2'));
  await looker.sync('/');
  assert.deepEqual((await discovery.list('api')).map((entry) => entry.id), ['i1', 'i2']);
  await expireSession(one, cut, fixture.server.connectString);
  await watching;
  controller.abort();
  assert.deepEqual(lists[lists.length - 1], ['i2']);
  assert.deepEqual((await discovery.list('api')).map((entry) => entry.port), [8002]);
});

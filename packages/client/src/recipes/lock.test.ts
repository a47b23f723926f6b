// Goal: the lock recipes keep their promise with many concurrent clients
// against a real server — mutual exclusion (mutex, write lock), shared reads,
// at most N semaphore holders — while connections are cut under holders and
// waiters; a mutex waiter watches only its predecessor (no herd); a create
// whose reply was lost is found again by its guid; and the fencing token
// stops a holder whose session expired. Method: one Corral child server, a
// TCP proxy per client that gets cut, an in-process occupancy counter as the
// shared resource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode, ZkError } from '@corral/base';
import type { ZkClient } from '../client.js';
import { Occupancy, expireSession, fourLetterWord, armWatch, serverFixture, waitForChildren, yieldTurns } from '../testing/harness.js';
import type { TcpProxy } from '../testing/tcp-proxy.js';
import { ensurePath } from './common.js';
import { Mutex } from './mutex.js';
import { ReadWriteLock } from './read-write-lock.js';
import { Semaphore } from './semaphore.js';

const fixture = serverFixture();
const { pool } = fixture;
const proxy = (): Promise<TcpProxy> => fixture.proxy();

/** `count` clients; the first `proxied` go through their own proxy. */
async function contenders(count: number, proxied: number): Promise<{ clients: ZkClient[]; proxies: TcpProxy[] }> {
  const own: TcpProxy[] = [];
  for (let index = 0; index < proxied; index++) {
    own.push(await proxy());
  }
  const clients = await Promise.all(Array.from({ length: count }, (_, index) => pool.open(own[index]?.connectString ?? fixture.server.connectString)));
  return { clients, proxies: own };
}

/**
 * A resource that checks fencing tokens: it remembers the largest token it
 * has accepted and refuses any smaller one (README, "Fencing tokens").
 */
class FencedStore {
  private highest = -1n;
  readonly accepted: string[] = [];
  write(token: bigint, value: string): void {
    if (token < this.highest) throw new Error(`stale fencing token ${token} < ${this.highest}`);
    this.highest = token;
    this.accepted.push(value);
  }
}

test('mutex: one holder at a time over 8 clients while holders and waiters lose their connections', async () => {
  const { clients, proxies: cut } = await contenders(8, 3);
  const occupancy = new Occupancy();
  const store = new FencedStore();
  let cuts = 0;
  await Promise.all(
    clients.map(async (client, index) => {
      const mutex = new Mutex(client, '/locks/mutex');
      for (let round = 0; round < 4; round++) {
        const lease = await mutex.acquire();
        occupancy.enter();
        store.write(lease.fencingToken, `${index}:${round}`);
        // Cut a proxied client's connection while this one holds: sometimes the holder, sometimes a waiter.
        const victim = cut[(index + round) % cut.length]!;
        victim.sever();
        cuts += 1;
        await client.sync('/').catch(() => undefined);
        await yieldTurns();
        occupancy.leave();
        await lease.release();
      }
    }),
  );
  assert.equal(occupancy.max, 1);
  assert.equal(store.accepted.length, 32);
  assert.ok(cuts > 0);
  assert.deepEqual(await clients[0]!.getChildren('/locks/mutex'), []);
});

test('mutex: each waiter watches only its predecessor (no herd effect)', async () => {
  const { clients } = await contenders(5, 0);
  const mutex = (client: ZkClient): Mutex => new Mutex(client, '/locks/herd');
  const holder = await mutex(clients[0]!).acquire();
  const waiting = clients.slice(1).map((client) => mutex(client).acquire());
  // Wait until all four queued, through the observer's eyes (a child watch loop, no sleeps).
  await waitForChildren(clients[0]!, '/locks/herd', 5);
  // A queued waiter's node is visible before it has listed its siblings and set its exists
  // watch, so wchc is read until four sessions watch (a sync per client first, so a watch
  // request already sent is registered); a herd would show up as more paths per session.
  let watchers: string[][] = [];
  for (const deadline = Date.now() + 10_000; watchers.length < 4 && Date.now() < deadline; await yieldTurns()) {
    await Promise.all(clients.map((client) => client.sync('/')));
    const watchesBySession = parseWchc(await fourLetterWord(fixture.server.port, 'wchc'));
    const lockWatches = [...watchesBySession.values()].map((paths) => paths.filter((path) => path.startsWith('/locks/herd/')));
    watchers = lockWatches.filter((paths) => paths.length > 0);
  }
  assert.equal(watchers.length, 4);
  assert.ok(watchers.every((paths) => paths.length === 1));
  assert.equal(new Set(watchers.map((paths) => paths[0])).size, 4);
  await holder.release();
  for (const lease of waiting) await (await lease).release();
});

function parseWchc(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let session = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('\t')) out.get(session)?.push(line.trim());
    else if (line.trim() !== '') out.set((session = line.trim()), []);
  }
  return out;
}

test('mutex: a lock node created with its reply lost is found by its guid and held', async () => {
  const { clients, proxies: cut } = await contenders(2, 1);
  const [deaf, observer] = clients as [ZkClient, ZkClient];
  await ensurePath(observer, '/locks/lost');
  const { fired: created } = await armWatch((watch) => observer.getChildren('/locks/lost', { watch }));
  cut[0]!.deafen();
  const acquiring = new Mutex(deaf, '/locks/lost').acquire();
  await created;
  cut[0]!.sever();
  cut[0]!.heal();
  const lease = await acquiring;
  const nodes = await observer.getChildren('/locks/lost');
  assert.equal(nodes.length, 1);
  assert.equal(`/locks/lost/${nodes[0]}`, lease.path);
  await lease.release();
});

test('fencing: a holder whose session expired is refused by the resource', async () => {
  const { clients, proxies: cut } = await contenders(2, 1);
  const [first, second] = clients as [ZkClient, ZkClient];
  const store = new FencedStore();
  const stale = await new Mutex(first, '/locks/fenced').acquire();
  store.write(stale.fencingToken, 'first');
  await expireSession(first, cut[0]!, fixture.server.connectString);
  assert.ok(stale.signal.aborted);
  const fresh = await new Mutex(second, '/locks/fenced').acquire();
  assert.ok(fresh.fencingToken > stale.fencingToken);
  store.write(fresh.fencingToken, 'second');
  // The expired holder still believes it holds the lock; its write is refused.
  assert.throws(() => store.write(stale.fencingToken, 'first again'), /stale fencing token/);
  assert.deepEqual(store.accepted, ['first', 'second']);
  await fresh.release();
});

test('mutex: an aborted waiter leaves the queue', async () => {
  const { clients } = await contenders(2, 0);
  const holder = await new Mutex(clients[0]!, '/locks/abort').acquire();
  const controller = new AbortController();
  const waiting = new Mutex(clients[1]!, '/locks/abort').acquire({ signal: controller.signal });
  await waitForChildren(clients[0]!, '/locks/abort', 2);
  controller.abort(new Error('gave up'));
  await assert.rejects(waiting, /gave up/);
  assert.deepEqual(await clients[0]!.getChildren('/locks/abort'), [holder.path.split('/').pop()]);
  await holder.release();
});

test('read-write lock: readers share, writers exclude, with cuts', async () => {
  const { clients, proxies: cut } = await contenders(6, 2);
  let readers = 0;
  let writers = 0;
  let maxReaders = 0;
  let violations = 0;
  await Promise.all(
    clients.map(async (client, index) => {
      const lock = new ReadWriteLock(client, '/locks/rw');
      for (let round = 0; round < 3; round++) {
        const write = (index + round) % 3 === 0;
        const lease = write ? await lock.acquireWrite() : await lock.acquireRead();
        if (write) writers += 1;
        else readers += 1;
        if (writers > 1 || (writers === 1 && readers > 0)) violations += 1;
        maxReaders = Math.max(maxReaders, readers);
        if (round === 1) cut[index % cut.length]!.sever();
        await client.sync('/').catch(() => undefined);
        await yieldTurns();
        if (write) writers -= 1;
        else readers -= 1;
        await lease.release();
      }
    }),
  );
  assert.equal(violations, 0);
  assert.ok(maxReaders >= 1);
});

test('semaphore: at most 3 holders among 8 clients, with cuts', async () => {
  const { clients, proxies: cut } = await contenders(8, 2);
  const occupancy = new Occupancy();
  await Promise.all(
    clients.map(async (client, index) => {
      const semaphore = new Semaphore(client, '/locks/semaphore', 3);
      for (let round = 0; round < 3; round++) {
        const lease = await semaphore.acquire();
        occupancy.enter();
        if (round === 0 && index < cut.length) cut[index]!.sever();
        await client.sync('/').catch(() => undefined);
        await yieldTurns();
        occupancy.leave();
        await lease.release();
      }
    }),
  );
  assert.ok(occupancy.max <= 3);
  assert.ok(occupancy.max >= 1);
});

test('a lease reports loss when its session expires, and calls then fail with SESSIONEXPIRED', async () => {
  const { clients, proxies: cut } = await contenders(1, 1);
  const lease = await new Mutex(clients[0]!, '/locks/expiry').acquire();
  await expireSession(clients[0]!, cut[0]!, fixture.server.connectString);
  assert.ok(lease.signal.aborted);
  await assert.rejects(clients[0]!.exists('/'), (error: unknown) => error instanceof ZkError && error.code === ZkCode.SESSIONEXPIRED);
  await lease.release();
});

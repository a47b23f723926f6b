// Goal: the FIFO and priority queues lose and duplicate nothing with
// concurrent producers and consumers while consumers' connections are cut,
// keep FIFO order for one consumer, priority order across priorities, and a
// take whose reply was lost (deaf proxy) still hands the item over once.
// Method: a Corral child server; every item is a unique string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpCode } from '@corral/wire';
import type { ZkClient } from '../client.js';
import { armWatch, serverFixture } from '../testing/harness.js';
import type { TcpProxy } from '../testing/tcp-proxy.js';
import { DistributedQueue } from './queue.js';

const fixture = serverFixture();
const { pool } = fixture;
const proxy = (): Promise<TcpProxy> => fixture.proxy();

const text = (data: Uint8Array): string => Buffer.from(data).toString();

test('FIFO: one consumer takes items in offer order', async () => {
  const client = await pool.open(fixture.server.connectString);
  const queue = new DistributedQueue(client, '/queues/fifo');
  for (let index = 0; index < 20; index++) await queue.offer(`item-${index}`);
  const taken: string[] = [];
  for (let index = 0; index < 20; index++) taken.push(text(await queue.take()));
  assert.deepEqual(taken, Array.from({ length: 20 }, (_, index) => `item-${index}`));
  assert.equal(await queue.poll(), null);
});

test('4 producers and 4 consumers, 2 consumers cut repeatedly: every item taken exactly once', async () => {
  const cuts = [await proxy(), await proxy()];
  const producers = await Promise.all([0, 1, 2, 3].map(() => pool.open(fixture.server.connectString)));
  const consumers = await Promise.all([0, 1, 2, 3].map((index) => pool.open(cuts[index]?.connectString ?? fixture.server.connectString)));
  const perProducer = 15;
  const total = perProducer * producers.length;
  const taken: string[] = [];
  const perConsumer: string[][] = consumers.map(() => []);
  const producing = producers.map(async (client, p) => {
    const queue = new DistributedQueue(client, '/queues/many');
    for (let index = 0; index < perProducer; index++) await queue.offer(`p${p}-${String(index).padStart(3, '0')}`);
  });
  const controller = new AbortController();
  const consuming = consumers.map(async (client, c) => {
    const queue = new DistributedQueue(client, '/queues/many');
    try {
      for (;;) {
        const item = text(await queue.take({ signal: controller.signal }));
        taken.push(item);
        perConsumer[c]!.push(item);
        if (c < cuts.length && perConsumer[c]!.length % 4 === 1) cuts[c]!.sever();
        if (taken.length === total) controller.abort();
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  });
  await Promise.all(producing);
  await Promise.all(consuming);
  assert.equal(taken.length, total);
  assert.equal(new Set(taken).size, total);
  // Each consumer sees each producer's items in the producer's order (FIFO per producer).
  for (const items of perConsumer) {
    for (let p = 0; p < producers.length; p++) {
      const mine = items.filter((item) => item.startsWith(`p${p}-`));
      assert.deepEqual(mine, [...mine].sort());
    }
  }
  assert.equal(await new DistributedQueue(producers[0]!, '/queues/many').size(), 0);
});

test('priority: lower priority first, offer order within a priority', async () => {
  const client = await pool.open(fixture.server.connectString);
  const queue = new DistributedQueue(client, '/queues/priority');
  await queue.offer('low-1', { priority: 5 });
  await queue.offer('high-1', { priority: -3 });
  await queue.offer('mid-1', { priority: 0 });
  await queue.offer('high-2', { priority: -3 });
  await queue.offer('low-2', { priority: 5 });
  const taken: string[] = [];
  for (let item = await queue.poll(); item !== null; item = await queue.poll()) taken.push(text(item));
  assert.deepEqual(taken, ['high-1', 'high-2', 'mid-1', 'low-1', 'low-2']);
});

test('a take whose reply was lost still delivers the item once', async () => {
  const cut = await proxy();
  const consumer: ZkClient = await pool.open(cut.connectString);
  const observer = await pool.open(fixture.server.connectString);
  const queue = new DistributedQueue(observer, '/queues/lost');
  await queue.offer('only');
  const claims = new DistributedQueue(consumer, '/queues/lost');
  await claims.size();
  const { fired: gone } = await armWatch((watch) => observer.getChildren('/queues/lost/items', { watch }));
  cut.deafenOn(OpCode.multi);
  const taking = claims.take();
  await gone;
  cut.sever();
  cut.heal();
  assert.equal(text(await taking), 'only');
  assert.equal(await queue.poll(), null);
  assert.deepEqual(await observer.getChildren('/queues/lost/claims'), []);
});

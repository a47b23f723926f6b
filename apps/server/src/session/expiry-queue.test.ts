// Goal: bucketed expiry as ZooKeeper's ExpiryQueue: items expire at the first
// interval boundary after their deadline, touching moves them, and polling
// returns each expired item once. Time is passed in; no timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryQueue } from './expiry-queue.js';

test('items expire at the boundary after their deadline', () => {
  const queue = new ExpiryQueue<string>({ intervalMs: 100, nowMs: 0 });
  assert.equal(queue.update('a', 0, 250), 300);
  assert.deepEqual(queue.poll(299), []);
  assert.deepEqual(queue.poll(300), ['a']);
  assert.deepEqual(queue.poll(1000), []);
});

test('touching moves an item to a later bucket', () => {
  const queue = new ExpiryQueue<string>({ intervalMs: 100, nowMs: 0 });
  queue.update('a', 0, 200);
  queue.update('a', 150, 200);
  assert.deepEqual(queue.poll(300), []);
  assert.deepEqual(queue.poll(400), ['a']);
  assert.equal(queue.size, 0);
});

test('removed items never expire', () => {
  const queue = new ExpiryQueue<string>({ intervalMs: 10, nowMs: 0 });
  queue.update('a', 0, 20);
  queue.update('b', 0, 20);
  queue.remove('a');
  assert.deepEqual(queue.poll(100), ['b']);
});

// Goal: bucketed expiry in ticks as ZooKeeper's ExpiryQueue: a session
// expires at the tick boundary after its deadline, a touch moves it, a
// removed one never expires. Time is ticks; no clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionExpiry } from './session-expiry.js';

const ticks = (expiry: SessionExpiry, count: number): bigint[] => {
  const expired: bigint[] = [];
  for (let index = 0; index < count; index += 1) expired.push(...expiry.tick());
  return expired;
};

test('a session expires at the first tick boundary after its deadline', () => {
  const expiry = new SessionExpiry({ tickMs: 100 });
  assert.equal(expiry.touch(1n, 250), 3);
  assert.deepEqual(ticks(expiry, 2), []);
  assert.deepEqual(expiry.tick(), [1n]);
  assert.equal(expiry.size, 0);
});

test('a touch moves the session to a later bucket; remove forgets it', () => {
  const expiry = new SessionExpiry({ tickMs: 100 });
  expiry.touch(1n, 200);
  expiry.touch(2n, 200);
  ticks(expiry, 2);
  expiry.touch(1n, 200);
  expiry.remove(2n);
  assert.deepEqual(ticks(expiry, 2), []);
  assert.deepEqual(expiry.tick(), [1n]);
});

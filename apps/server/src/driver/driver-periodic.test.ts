// Goal: the front ends' periodic work (container checks, gRPC keep-alives)
// runs on the Driver's one interval, stops when asked and never after close.
// Method: a Driver over the in-memory disk with tickTime=20, real time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMemoryDriver } from '../testing/memory-driver.js';

test('replica core: front-end periodic work runs on the Driver interval until stopped, and never after close', async (t) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const { driver } = await startMemoryDriver(cleanups, { extra: 'tickTime=20' });
  let fast = 0;
  let slow = 0;
  const stopFast = driver.every(20, () => (fast += 1));
  driver.every(100, () => (slow += 1));
  await new Promise((resolve) => setTimeout(resolve, 450));
  // Timers on a loaded machine run late, never early: bounds from above are loose.
  assert.ok(fast >= 5 && fast <= 23, `every 20 ms ran ${fast} times in 450 ms`);
  assert.ok(slow >= 1 && slow <= 5, `every 100 ms ran ${slow} times in 450 ms`);
  assert.ok(fast > slow, 'the shorter period runs more often');
  stopFast();
  const fastAtStop = fast;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(fast, fastAtStop, 'a stopped task no longer runs');
  await driver.close();
  const slowAtClose = slow;
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal(slow, slowAtClose, 'nothing runs once the Driver is closed');
});

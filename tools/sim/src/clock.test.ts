// Goal: each server ticks on its own period (clock skew) from its own first
// step. Method: count ticks per server over a fixed number of steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimClock } from './clock.js';

test('a server with a shorter period ticks more often; first ticks are staggered', () => {
  const clock = new SimClock({
    tickPeriodSteps: new Map([
      [1, 10],
      [2, 7],
      [3, 13],
    ]),
    firstTickStep: new Map([
      [1, 0],
      [2, 3],
      [3, 9],
    ]),
  });
  const ticks = new Map<number, number[]>([
    [1, []],
    [2, []],
    [3, []],
  ]);
  for (let step = 0; step < 40; step++) {
    for (const sid of clock.dueTicks()) ticks.get(sid)?.push(clock.now);
    clock.advance();
  }
  assert.deepEqual(ticks.get(1), [0, 10, 20, 30]);
  assert.deepEqual(ticks.get(2), [3, 10, 17, 24, 31, 38]);
  assert.deepEqual(ticks.get(3), [9, 22, 35]);
});

test('a non-positive period is asserted', () => {
  assert.throws(() => new SimClock({ tickPeriodSteps: new Map([[1, 0]]), firstTickStep: new Map() }), /tick period/);
});

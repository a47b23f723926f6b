// Goal: each network fault does what it says and nothing more. Method: a
// network with one fault enabled at a time, messages numbered, delivery
// order and counters checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network } from './network.js';
import type { NetworkFaults } from './network.js';
import { Xoshiro128 } from './prng.js';

const calm: NetworkFaults = { lossProbability: 0, duplicateProbability: 0, reorderProbability: 0, delayStepsMin: 1, delayStepsMax: 5 };

function network(faults: Partial<NetworkFaults> = {}, inFlightMax = 1000): Network<{ kind: string; n: number }> {
  return new Network({ prng: new Xoshiro128(3), faults: { ...calm, ...faults }, inFlightMax });
}

function sendNumbers(net: Network<{ kind: string; n: number }>, count: number, from = 1, to = 2): void {
  for (let n = 0; n < count; n++) net.send(from, to, { kind: 'm', n }, n);
}

function drain(net: Network<{ kind: string; n: number }>, until = 1000): number[] {
  const out: number[] = [];
  for (let now = 0; now <= until; now++) for (const m of net.deliverDue(now)) out.push(m.message.n);
  return out;
}

test('without reordering a link is FIFO despite random delays', () => {
  const net = network();
  sendNumbers(net, 50);
  assert.deepEqual(drain(net), Array.from({ length: 50 }, (_, i) => i));
});

test('with reordering, messages arrive out of order but none is lost', () => {
  const net = network({ reorderProbability: 1, delayStepsMax: 40 });
  sendNumbers(net, 50);
  const got = drain(net);
  assert.notDeepEqual(got, [...got].sort((a, b) => a - b));
  assert.deepEqual([...got].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
});

test('loss 1 loses everything, except on reliable links', () => {
  const net = network({ lossProbability: 1, duplicateProbability: 1 });
  sendNumbers(net, 10);
  assert.deepEqual(drain(net), []);
  assert.equal(net.stats.lostCount, 10);
  net.setReliable([1, 2]);
  sendNumbers(net, 3);
  assert.deepEqual(drain(net), [0, 1, 2]);
});

test('duplication 1 delivers each message twice', () => {
  const net = network({ duplicateProbability: 1 });
  sendNumbers(net, 3);
  assert.deepEqual(drain(net), [0, 0, 1, 1, 2, 2]);
});

test('a symmetric partition blocks both ways, a one-way cut one way, heal restores', () => {
  const net = network();
  net.partition([[1], [2, 3]]);
  sendNumbers(net, 2, 1, 2);
  sendNumbers(net, 2, 3, 1);
  sendNumbers(net, 2, 2, 3);
  assert.deepEqual(drain(net), [0, 1]);
  net.heal(0);
  net.cutOneWay(1, 2);
  sendNumbers(net, 1, 1, 2);
  sendNumbers(net, 1, 2, 1);
  assert.deepEqual(drain(net), [0]);
});

test('a message in flight when its link is cut is dropped on delivery', () => {
  const net = network();
  sendNumbers(net, 1);
  net.cutOneWay(1, 2);
  assert.deepEqual(drain(net), []);
  assert.equal(net.stats.blockedCount, 1);
});

test('a clogged link holds its messages and releases them in order', () => {
  const net = network();
  net.clog(1, 2);
  sendNumbers(net, 5);
  assert.deepEqual(drain(net, 100), []);
  assert.equal(net.inFlightCount, 5);
  net.unclog(1, 2, 100);
  assert.deepEqual(drain(net, 200), [0, 1, 2, 3, 4]);
});

test('beyond inFlightMax a send is dropped and counted', () => {
  const net = network({}, 3);
  sendNumbers(net, 5);
  assert.equal(net.stats.overflowCount, 2);
  assert.deepEqual(drain(net), [0, 1, 2]);
});

test('dropTo forgets what was in flight to a crashed server', () => {
  const net = network();
  sendNumbers(net, 3, 1, 2);
  sendNumbers(net, 2, 1, 3);
  net.dropTo(2);
  assert.deepEqual(drain(net), [0, 1]);
});

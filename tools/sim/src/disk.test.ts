// Goal: the simulated disk keeps exactly what a real one would across a
// crash. Method: writes, fsync completion at given steps, crashes, torn
// tails; check what recover() returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimDisk } from './disk.js';

const bytes = (n: number): Uint8Array => Uint8Array.of(n);
const values = (records: readonly Uint8Array[]): number[] => records.map((r) => r[0] ?? -1);

function disk(): SimDisk {
  return new SimDisk({ recordsMax: 100, pendingWritesMax: 10 });
}

test('fsyncs complete after fsyncSteps, in issue order', () => {
  const d = disk();
  d.fsyncSteps = 5;
  const a = d.write([bytes(1)], 0);
  d.fsyncSteps = 1;
  const b = d.write([bytes(2)], 1);
  assert.deepEqual(d.completeDue(4), []);
  assert.deepEqual(d.completeDue(5), [
    { writeId: a, ok: true },
    { writeId: b, ok: true },
  ]);
});

test('a crash loses the writes whose fsync had not completed', () => {
  const d = disk();
  d.format([bytes(0)]);
  d.write([bytes(1)], 0);
  d.completeDue(1);
  d.write([bytes(2), bytes(3)], 1);
  d.crash();
  assert.deepEqual(values(d.recover()), [0, 1]);
  assert.equal(d.stats.lostWriteCount, 1);
});

test('a torn tail is truncated on recovery', () => {
  const d = disk();
  d.format([bytes(0), bytes(1), bytes(2)]);
  d.tearTail();
  assert.deepEqual(values(d.recover()), [0, 1]);
  assert.deepEqual(values(d.recover()), [0, 1], 'recovery truncated the damaged record');
});

test('a failed fsync reports the write as not durable', () => {
  const d = disk();
  const id = d.write([bytes(1)], 0);
  d.failNextFsync();
  assert.deepEqual(d.completeDue(1), [{ writeId: id, ok: false }]);
  assert.deepEqual(values(d.recover()), []);
});

test('limits are asserted', () => {
  const d = new SimDisk({ recordsMax: 2, pendingWritesMax: 1 });
  d.write([bytes(1)], 0);
  assert.throws(() => d.write([bytes(2)], 0), /pendingWritesMax/);
  d.completeDue(1);
  assert.throws(() => d.write([bytes(2), bytes(3)], 1), /recordsMax/);
});

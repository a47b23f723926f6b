/**
 * Memory per watch, the headline requirement: a million watches must cost
 * tens of megabytes, not gigabytes. Method: build the path strings and
 * session ids first (the tree and the session tracker own those), force a GC,
 * register 1,000,000 watches, force a GC again and divide the growth of V8
 * heap plus external (typed array) memory by the watch count. Bounds are
 * loose enough for GC noise but fail if a watch ever costs an object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventType } from '@corral/base';
import { WatchManager } from './watch-manager.js';
import { WatchKind } from './watch-kind.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function usedBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

interface Shape {
  name: string;
  sessionCount: number;
  pathCount: number;
  kind: number;
  bytesPerWatchMax: number;
}

const shapes: Shape[] = [
  { name: '10,000 sessions x 100 paths (data)', sessionCount: 10_000, pathCount: 100, kind: WatchKind.data, bytesPerWatchMax: 24 },
  { name: '1 session x 1,000,000 paths (data)', sessionCount: 1, pathCount: 1_000_000, kind: WatchKind.data, bytesPerWatchMax: 100 },
  { name: '1,000 sessions x 1,000 paths (persistent)', sessionCount: 1_000, pathCount: 1_000, kind: WatchKind.persistent, bytesPerWatchMax: 24 },
];

for (const shape of shapes) {
  test(`memory: ${shape.name}`, (t) => {
    const paths = Array.from({ length: shape.pathCount }, (_, i) => `/app/service-${i % 97}/node-${i}`);
    const sessionIds = Array.from({ length: shape.sessionCount }, (_, i) => 0x1000000000000n + BigInt(i) * 7919n);
    const before = usedBytes();
    let manager: WatchManager | null = new WatchManager();
    const started = process.hrtime.bigint();
    for (const sessionId of sessionIds) {
      for (const path of paths) assert.ok(manager.add(path, sessionId, shape.kind));
    }
    const addNs = Number(process.hrtime.bigint() - started);
    const after = usedBytes();
    const watchCount = shape.sessionCount * shape.pathCount;
    assert.equal(manager.entries, watchCount);
    const bytesPerWatch = (after - before) / watchCount;
    t.diagnostic(`${shape.name}: ${bytesPerWatch.toFixed(1)} bytes/watch, ${((after - before) / 2 ** 20).toFixed(1)} MiB, add ${(addNs / watchCount).toFixed(0)} ns/watch`);

    const fireStarted = process.hrtime.bigint();
    let delivered = 0;
    for (const path of paths) manager.triggerData(path, EventType.NodeDataChanged, () => delivered++);
    const fireNs = Number(process.hrtime.bigint() - fireStarted);
    t.diagnostic(`${shape.name}: trigger ${(fireNs / watchCount).toFixed(0)} ns/event`);
    assert.equal(delivered, watchCount);
    assert.equal(manager.entries, shape.kind === WatchKind.data ? 0 : watchCount);
    for (const sessionId of sessionIds) manager.removeSession(sessionId);
    assert.equal(manager.entries, 0);
    manager = null;
    assert.ok(bytesPerWatch < shape.bytesPerWatchMax, `${bytesPerWatch} bytes/watch`);
  });
}

test('speed: triggering unwatched paths with and without recursive watches elsewhere', (t) => {
  const manager = new WatchManager();
  for (let i = 0; i < 10_000; i++) manager.add(`/w/${i}`, 1n, WatchKind.data);
  const deep = '/a/b/c/d/e/f/g/h/i/j';
  const rounds = 200_000;
  const time = (): number => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) manager.triggerData(deep, EventType.NodeDataChanged, () => assert.fail('nobody watches'));
    return Number(process.hrtime.bigint() - started) / rounds;
  };
  const without = time();
  manager.add('/elsewhere', 2n, WatchKind.persistentRecursive);
  const withRecursive = time();
  t.diagnostic(`unwatched trigger: ${without.toFixed(0)} ns without recursive watches, ${withRecursive.toFixed(0)} ns with (depth 10 walk)`);
  assert.equal(manager.recursiveWatchCount, 1);
});

// Goal: measure (log, not assert) bytes per znode for 100k znodes with
// 100-byte data, the figure to compare with Apache's RSS for 1M znodes.
// Method: heapUsed before/after building the tree, with gc when exposed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAclUnsafe } from './acl.js';
import { DataTree } from './data-tree.js';

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

test('bytes per znode for 100k znodes of 100 B (logged)', () => {
  const count = 100_000;
  const parents = 100;
  collect();
  const before = process.memoryUsage();
  const tree = new DataTree();
  let zxid = 0n;
  const data = new Uint8Array(100).fill(7);
  const apply = (path: string): void => {
    zxid++;
    const result = tree.apply({ sessionId: 0n, cxid: 0, zxid, time: 1_700_000_000_000, type: 1 }, { type: 1, path, data, acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 });
    assert.equal(result.err, 0);
  };
  for (let p = 0; p < parents; p++) apply(`/bench-${p}`);
  for (let i = 0; i < count - parents; i++) apply(`/bench-${i % parents}/node-${String(i).padStart(8, '0')}`);
  collect();
  const after = process.memoryUsage();
  const perNode = Math.round((after.heapUsed - before.heapUsed) / count);
  const external = Math.round((after.arrayBuffers - before.arrayBuffers) / count);
  const rss = Math.round((after.rss - before.rss) / count);
  console.log(`# data-tree memory: ${perNode} heap + ${external} ArrayBuffer bytes per znode, RSS growth ${rss} B/znode (${count} znodes, 100 B data, gc ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'on' : 'off'})`);
  assert.equal(tree.nodeCount, count + 4);
});

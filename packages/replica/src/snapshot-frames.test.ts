// Goal: a SNAP of a tree larger than one snapshot chunk loads on the learner. The chunks used to
// be concatenated and loaded as one chunk, over the loader's chunk limit: a learner sent a SNAP
// of the ensemble bench's 100,000 znodes exited with "snapshot chunk of 19390384 bytes over limit".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import { CorruptDataError, DataTree, deserializeSnapshot, serializeSnapshot } from '@corral/data-tree';
import { frameSnapshotChunks, snapshotChunksOf } from './snapshot-frames.js';

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

function treeOf(nodeCount: number, dataBytes: number): DataTree {
  const tree = new DataTree();
  for (let index = 1; index <= nodeCount; index++) {
    const zxid = makeZxid(1, index);
    tree.apply({ sessionId: 0n, cxid: index, zxid, time: 1, type: 1 }, {
      type: 1, path: `/n${index}`, data: new Uint8Array(dataBytes).fill(index % 251), acl: open, ephemeral: false, parentCVersion: index,
    });
  }
  return tree;
}

test('snapshot frames: a tree of several chunks goes through a SNAP and loads the same', () => {
  const tree = treeOf(900, 1024);
  const chunks = [...serializeSnapshot(tree)];
  assert.ok(chunks.length >= 3, `several chunks (${chunks.length})`);
  const framed = frameSnapshotChunks(chunks);
  assert.deepEqual([...snapshotChunksOf(framed)].map((chunk) => chunk.byteLength), chunks.map((chunk) => chunk.byteLength));
  const loaded = deserializeSnapshot(snapshotChunksOf(framed));
  assert.equal(loaded.digest(), tree.digest());
  assert.equal(loaded.nodeCount, tree.nodeCount);
});

test('snapshot frames: a frame that runs past the end is corrupt', () => {
  const framed = frameSnapshotChunks([new Uint8Array(10)]);
  assert.throws(() => [...snapshotChunksOf(framed.subarray(0, framed.byteLength - 1))], CorruptDataError);
  assert.throws(() => [...snapshotChunksOf(framed.subarray(0, 2))], CorruptDataError);
});

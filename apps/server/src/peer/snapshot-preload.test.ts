// Goal: a learner's SNAP preload gives the same tree as deserializing the reassembled bytes,
// whatever the wire chunk boundaries (frames and their headers cut anywhere), and files no tree
// for a SNAP that is cut short or corrupt (the install then deserializes and reports it); its
// staging gets exactly the snapshot's chunks, and is aborted when the SNAP will not be installed.
// Method: a tree of a few hundred znodes serialized in small chunks and framed as a SNAP is fed
// to SnapshotPreload in pieces of generated sizes; the loaded tree's digest and node count are
// compared with deserializeSnapshot's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DataTree, TxnType, deserializeSnapshot, openAclUnsafe, serializeSnapshot, type CreateTxn } from '@corral/data-tree';
import { frameSnapshotChunks, snapshotChunksOf } from '@corral/replica';
import { SnapshotPreload, takePreloadedTree, takeSnapshotStaging, type SnapshotStaging } from './snapshot-preload.js';

function sampleSnap(): Uint8Array {
  const tree = new DataTree();
  let zxid = 0n;
  for (let i = 0; i < 300; i++) {
    zxid += 1n;
    const txn: CreateTxn = { type: TxnType.create, path: `/n-${i}`, data: new Uint8Array(i % 50).fill(i % 256), acl: openAclUnsafe, ephemeral: false, parentCVersion: i + 1 };
    assert.equal(tree.apply({ sessionId: 0n, cxid: i, zxid, time: 1_000 + i, type: txn.type }, txn).err, 0);
  }
  return frameSnapshotChunks(serializeSnapshot(tree, { chunkBytes: 2_048 }));
}

const snap = sampleSnap();
const expected = deserializeSnapshot(snapshotChunksOf(snap));

function feed(bytes: Uint8Array, cuts: readonly number[]): SnapshotPreload {
  const preload = new SnapshotPreload();
  let offset = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    preload.push(bytes.subarray(offset, Math.max(offset, cut)));
    offset = Math.max(offset, cut);
  }
  preload.push(bytes.subarray(offset));
  return preload;
}

test('the preloaded tree equals the deserialized one at any chunk boundaries', () => {
  assert.ok(expected.nodeCount > 300, 'the sample has every node');
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: snap.byteLength }), { maxLength: 40 }), (cuts) => {
    const whole = new Uint8Array(snap);
    feed(whole, cuts).finish(whole);
    const tree = takePreloadedTree(whole);
    assert.ok(tree !== null);
    assert.equal(tree.hasIncrementalDigest, false, 'like every server tree (serverTreeOptions), it keeps no digest');
    assert.equal(tree.digest(), expected.digest());
    assert.equal(tree.nodeCount, expected.nodeCount);
    assert.equal(tree.lastProcessedZxid, expected.lastProcessedZxid);
    assert.equal(takePreloadedTree(whole), null, 'taken once');
  }), { numRuns: 100 });
});

test('a SNAP cut short or corrupt files no tree', () => {
  const short = new Uint8Array(snap.subarray(0, snap.byteLength - 10));
  feed(short, [100, 5_000]).finish(short);
  assert.equal(takePreloadedTree(short), null);
  const corrupt = new Uint8Array(snap);
  const middle = corrupt.byteLength >> 1;
  corrupt[middle] = (corrupt[middle] ?? 0) ^ 0xff;
  feed(corrupt, [7, 3_000]).finish(corrupt);
  assert.equal(takePreloadedTree(corrupt), null);
  const badFrame = new Uint8Array(snap);
  new DataView(badFrame.buffer).setUint32(0, 0xffff_fff0);
  feed(badFrame, []).finish(badFrame);
  assert.equal(takePreloadedTree(badFrame), null);
});

/** A staging that records what it was given. */
function recordingStaging(): SnapshotStaging & { chunks: Uint8Array[]; aborted: number } {
  const staging = {
    chunks: [] as Uint8Array[],
    aborted: 0,
    write: (chunk: Uint8Array) => void staging.chunks.push(new Uint8Array(chunk)),
    abort: () => void (staging.aborted += 1),
  };
  return staging;
}

test('the staging gets every snapshot chunk of a whole SNAP, and is handed out once', () => {
  const staging = recordingStaging();
  const whole = new Uint8Array(snap);
  const preload = new SnapshotPreload(staging);
  for (let offset = 0; offset < whole.byteLength; offset += 777) preload.push(whole.subarray(offset, offset + 777));
  preload.finish(whole);
  assert.deepEqual(staging.chunks, [...snapshotChunksOf(snap)].map((chunk) => new Uint8Array(chunk)));
  assert.equal(staging.aborted, 0);
  assert.equal(takeSnapshotStaging(whole), staging);
  assert.equal(takeSnapshotStaging(whole), null);
  assert.ok(takePreloadedTree(whole) !== null, 'the tree is taken apart from the staging');
});

test('a SNAP abandoned mid-stream or corrupt aborts its staging and files nothing', () => {
  const abandoned = recordingStaging();
  const partial = new SnapshotPreload(abandoned);
  partial.push(snap.subarray(0, snap.byteLength >> 1));
  partial.abandon();
  assert.equal(abandoned.aborted, 1);
  const corrupt = new Uint8Array(snap);
  const middle = corrupt.byteLength >> 1;
  corrupt[middle] = (corrupt[middle] ?? 0) ^ 0xff;
  const staging = recordingStaging();
  const preload = new SnapshotPreload(staging);
  preload.push(corrupt);
  preload.finish(corrupt);
  assert.equal(staging.aborted, 1);
  assert.equal(takeSnapshotStaging(corrupt), null);
  assert.equal(takePreloadedTree(corrupt), null);
});

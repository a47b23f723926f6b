// Goal: null znode data (jute's null buffer, length -1) stays null and apart
// from empty data through apply, multi, the stat, the digest, the txn codec
// and snapshots, as ZooKeeper 3.8 keeps it (getData answers null; dataLength
// 0, DataNode.copyStat). Logs and snapshots written before null was kept (no
// null in them) still read unchanged: goldens below come from that code.
// Method: one table of {null, empty}, each run through every path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTree } from './data-tree.js';
import { openAclUnsafe } from './acl.js';
import { deserializeSnapshot, serializeSnapshot } from './snapshot.js';
import { decodeTxn, encodeTxn } from './txn-codec.js';
import type { Txn, TxnHeader } from './txn.js';
import { TxnType } from './txn.js';

const header = (zxid: bigint, type: number): TxnHeader => ({ sessionId: 0x100n, cxid: 7, zxid, time: 1_700_000_000_000, type });

const dataCases = [
  { name: 'null', data: null },
  { name: 'empty', data: new Uint8Array(0) },
] as const;

/** Every txn that carries data, each writing `data` to one node. */
function dataTxns(data: Uint8Array | null): Txn[] {
  const create = { acl: openAclUnsafe, parentCVersion: -1 };
  return [
    { type: TxnType.create, path: '/create', data, ...create, ephemeral: false },
    { type: TxnType.createContainer, path: '/container', data, ...create },
    { type: TxnType.createTTL, path: '/ttl', data, ...create, ttl: 1000n },
    { type: TxnType.create, path: '/set', data: new Uint8Array([1, 2]), ...create, ephemeral: false },
    { type: TxnType.setData, path: '/set', data, version: 1 },
    {
      type: TxnType.multi,
      txns: [
        { type: TxnType.create, path: '/multi', data: new Uint8Array([3]), ...create, ephemeral: false },
        { type: TxnType.setData, path: '/multi', data, version: 1 },
        { type: TxnType.create, path: '/multi-create', data, ...create, ephemeral: false },
      ],
    },
  ];
}
const dataPaths = ['/create', '/container', '/ttl', '/set', '/multi', '/multi-create'];

function treeWith(data: Uint8Array | null): DataTree {
  const tree = new DataTree({ paranoid: true });
  let zxid = 0n;
  for (const txn of dataTxns(data)) {
    zxid++;
    const result = tree.apply(header(zxid, txn.type), txn);
    assert.equal(result.err, 0, `txn ${txn.type}`);
  }
  return tree;
}

for (const { name, data } of dataCases) {
  test(`${name} data stays ${name} through create, createContainer, createTTL, setData and multi`, () => {
    const tree = treeWith(data);
    for (const path of dataPaths) {
      assert.deepEqual(tree.getNode(path)?.data, data, path);
      assert.equal(tree.statOf(path)?.dataLength, 0, path);
    }
  });

  test(`${name} data survives the txn codec`, () => {
    let zxid = 0n;
    for (const txn of dataTxns(data)) {
      zxid++;
      assert.deepEqual(decodeTxn(encodeTxn(header(zxid, txn.type), txn)).txn, txn);
    }
  });

  test(`${name} data survives a snapshot, with the same digest`, () => {
    const tree = treeWith(data);
    const loaded = deserializeSnapshot(serializeSnapshot(tree, { chunkBytes: 64 }));
    for (const path of dataPaths) assert.deepEqual(loaded.getNode(path)?.data, data, path);
    assert.equal(loaded.digest(), tree.digest());
  });
}

test('null and empty data are different trees: different digests, same size', () => {
  const nullTree = treeWith(null);
  const emptyTree = treeWith(new Uint8Array(0));
  assert.notEqual(nullTree.digest(), emptyTree.digest());
  assert.equal(nullTree.approximateDataSize, emptyTree.approximateDataSize);
});

test('setData moves a node between null, empty and bytes', () => {
  const tree = new DataTree({ paranoid: true });
  tree.apply(header(1n, TxnType.create), { type: TxnType.create, path: '/n', data: null, acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 });
  const sizeNull = tree.approximateDataSize;
  const steps = [new Uint8Array(0), new Uint8Array([9, 9]), null] as const;
  let zxid = 1n;
  for (const data of steps) {
    zxid++;
    tree.apply(header(zxid, TxnType.setData), { type: TxnType.setData, path: '/n', data, version: Number(zxid) - 1 });
    assert.deepEqual(tree.getNode('/n')?.data, data);
    assert.equal(tree.statOf('/n')?.dataLength, data?.length ?? 0);
  }
  assert.equal(tree.approximateDataSize, sizeNull);
});

// Written by the code before null data was kept (txn and snapshot format 1).
const oldCreateTxn = '0100000000000001000000000700000005000000014278bcfe5680000000000001000000022f6500000000000000010000001f00000005776f726c6400000006616e796f6e650000000001';
const oldSetDataTxn = '0100000000000001000000000700000005000000014278bcfe5680000000000005000000022f65000000016100000001';
const oldSnapshotChunk =
  '4352534e01000000000100000000000000020300000000000000010000001f00000005776f726c6400000006616e796f6e6504000000012f0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000002000000000000000000000000040000000a2f7a6f6f6b6565706572000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004000000102f7a6f6f6b65657065722f71756f746100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000300000001000000010000000100000005776f726c6400000006616e796f6e6504000000112f7a6f6f6b65657065722f636f6e6669670000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ffffffff000000000000000004000000022f6500000000000000000000000000000001000000000000000100000000000000014278bcfe568000004278bcfe56800000000000000000000000000000000000000000000004000000022f6400000003010203000000000000000000000002000000000000000200000000000000024278bcfe568000004278bcfe568000000000000000000000000000000000000000000000050000000600000000000000020000000000000002000000000000000228355836f63b6ffe0852f34b';
const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));

test('txns logged before null data was kept read unchanged', () => {
  assert.deepEqual(decodeTxn(fromHex(oldCreateTxn)).txn, {
    type: TxnType.create, path: '/e', data: new Uint8Array(0), acl: openAclUnsafe, ephemeral: false, parentCVersion: 1,
  });
  assert.deepEqual(decodeTxn(fromHex(oldSetDataTxn)).txn, { type: TxnType.setData, path: '/e', data: new Uint8Array([0x61]), version: 1 });
});

test('snapshots written before null data was kept load unchanged, digest included', () => {
  const tree = deserializeSnapshot([fromHex(oldSnapshotChunk)]);
  assert.deepEqual(tree.getNode('/e')?.data, new Uint8Array(0));
  assert.deepEqual(tree.getNode('/d')?.data, new Uint8Array([1, 2, 3]));
  assert.equal(tree.digest(), 0x28355836f63b6ffen);
});

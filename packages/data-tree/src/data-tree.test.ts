// Goal: DataTree.apply matches ZooKeeper 3.8's DataTree.processTxn: stats
// after each op (checked against a real 3.8 server with kazoo), error codes
// as values, multi results, watch events, and session close.
// Method: table-driven scripts of txns against a fresh tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { DataTree } from './data-tree.js';
import type { ApplyResult } from './data-tree.js';
import { openAclUnsafe, readAclUnsafe } from './acl.js';
import type { Txn } from './txn.js';
import { TxnType } from './txn.js';
import type { WatchSink } from './watch-sink.js';
import { containerEphemeralOwner, ttlEphemeralOwner } from './stat.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const session = 0x100000abcn;

class Recorder {
  zxid = 0n;
  readonly events: string[] = [];
  readonly sink: WatchSink = {
    triggerData: (path, type) => this.events.push(`data ${type} ${path}`),
    triggerChild: (path, type) => this.events.push(`child ${type} ${path}`),
    triggerDeleted: (path) => this.events.push(`deleted ${path}`),
  };
  readonly tree = new DataTree({ watchSink: this.sink, paranoid: true });

  run(txn: Txn, sessionId = session): ApplyResult {
    this.zxid++;
    return this.tree.apply({ sessionId, cxid: 1, zxid: this.zxid, time: 1000 + Number(this.zxid), type: txn.type }, txn);
  }

  create(path: string, options: { ephemeral?: boolean; parentCVersion?: number; data?: string } = {}): ApplyResult {
    return this.run({
      type: TxnType.create,
      path,
      data: bytes(options.data ?? ''),
      acl: openAclUnsafe,
      ephemeral: options.ephemeral ?? false,
      parentCVersion: options.parentCVersion ?? -1,
    });
  }
}

test('a fresh tree holds /, /zookeeper, /zookeeper/quota, /zookeeper/config as Apache 3.8', () => {
  const tree = new DataTree();
  assert.equal(tree.nodeCount, 4);
  assert.deepEqual(tree.getChildren('/'), ['zookeeper']);
  assert.deepEqual(tree.getChildren('/zookeeper')?.sort(), ['config', 'quota']);
  const zero = { czxid: 0n, mzxid: 0n, pzxid: 0n, ctime: 0, mtime: 0, version: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0 };
  assert.deepEqual(tree.statOf('/'), { ...zero, cversion: -1, numChildren: 1 });
  assert.deepEqual(tree.statOf('/zookeeper'), { ...zero, cversion: -2, numChildren: 2 });
  assert.deepEqual(tree.statOf('/zookeeper/quota'), { ...zero, cversion: 0, numChildren: 0 });
  assert.deepEqual(tree.statOf('/zookeeper/config'), { ...zero, cversion: 0, numChildren: 0, aversion: -1 });
  assert.deepEqual(tree.getNode('/zookeeper/config')?.acl, readAclUnsafe);
  assert.equal(tree.lastProcessedZxid, 0n);
  assert.equal(tree.approximateDataSize, 1 + 10 + 16 + 17);
});

test('child create and delete: cversion counts both, pzxid follows, sequence counter counts creates', () => {
  const r = new Recorder();
  r.create('/a', { data: 'x' }); // zxid 1
  for (const name of ['c0', 'c1', 'c2']) r.create(`/a/${name}`); // zxid 2..4
  assert.deepEqual(pick(r.tree.statOf('/a')), { cversion: 3, numChildren: 3, pzxid: 4n });
  r.run({ type: TxnType.delete, path: '/a/c1' }); // zxid 5
  assert.deepEqual(pick(r.tree.statOf('/a')), { cversion: 4, numChildren: 2, pzxid: 5n });
  r.run({ type: TxnType.delete, path: '/a/c0' }); // zxid 6
  assert.deepEqual(pick(r.tree.statOf('/a')), { cversion: 5, numChildren: 1, pzxid: 6n });
  // Prep names sequential nodes from the persisted cversion: 3 creates ⇒ next is 3 (Apache: s0000000003).
  assert.equal(r.tree.getNode('/a')?.cversion, 3);
  const stat = r.tree.statOf('/a');
  assert.equal(stat?.dataLength, 1);
  assert.equal(stat?.czxid, 1n);
  assert.equal(stat?.ctime, 1001);
});

test('apply errors are values: NONODE, NODEEXISTS, and the parent still moves on replayed ops', () => {
  const r = new Recorder();
  const cases: { name: string; txn: Txn; err: number }[] = [
    { name: 'create without parent', txn: { type: 1, path: '/x/y', data: bytes(''), acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 }, err: ZkCode.NONODE },
    { name: 'delete missing', txn: { type: 2, path: '/missing' }, err: ZkCode.NONODE },
    { name: 'delete missing parent', txn: { type: 2, path: '/missing/x' }, err: ZkCode.NONODE },
    { name: 'setData missing', txn: { type: 5, path: '/missing', data: bytes('d'), version: 1 }, err: ZkCode.NONODE },
    { name: 'setACL missing', txn: { type: 7, path: '/missing', acl: openAclUnsafe, version: 1 }, err: ZkCode.NONODE },
    { name: 'create existing', txn: { type: 1, path: '/zookeeper', data: bytes(''), acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 }, err: ZkCode.NODEEXISTS },
    { name: 'error txn', txn: { type: -1, err: ZkCode.BADVERSION }, err: ZkCode.BADVERSION },
    { name: 'check', txn: { type: 13, path: '/missing', version: 3 }, err: ZkCode.OK },
  ];
  for (const c of cases) assert.equal(r.run(c.txn).err, c.err, c.name);
  // create existing advanced root's cversion (setCversionPzxid) and delete missing moved root pzxid.
  assert.equal(r.tree.getNode('/')?.cversion, 1);
  assert.equal(r.tree.getNode('/')?.pzxid, 6n);
  assert.equal(r.tree.lastProcessedZxid, BigInt(cases.length));
});

test('setData and setACL set version/aversion from the txn, mzxid/mtime from the header', () => {
  const r = new Recorder();
  r.create('/e', { ephemeral: true, data: 'abc' });
  const set = r.run({ type: TxnType.setData, path: '/e', data: bytes('abcd'), version: 1 });
  assert.equal(set.err, ZkCode.OK);
  assert.deepEqual(set.stat, {
    czxid: 1n, mzxid: 2n, ctime: 1001, mtime: 1002, version: 1, cversion: 0, aversion: 0,
    ephemeralOwner: session, dataLength: 4, numChildren: 0, pzxid: 1n,
  });
  const acl = r.run({ type: TxnType.setACL, path: '/e', acl: readAclUnsafe, version: 1 });
  assert.equal(acl.stat?.aversion, 1);
  assert.equal(acl.stat?.mzxid, 2n);
  assert.deepEqual(r.tree.getNode('/e')?.acl, readAclUnsafe);
  assert.deepEqual(r.events, ['data 1 /e', 'child 4 /', 'data 3 /e']);
});

test('containers and TTL nodes show ephemeralOwner 0 and are indexed', () => {
  const r = new Recorder();
  r.run({ type: TxnType.createContainer, path: '/c', data: bytes('dd'), acl: openAclUnsafe, parentCVersion: -1 });
  r.run({ type: TxnType.createTTL, path: '/t', data: bytes('dd'), acl: openAclUnsafe, parentCVersion: -1, ttl: 100000n });
  assert.equal(r.tree.statOf('/c')?.ephemeralOwner, 0n);
  assert.equal(r.tree.statOf('/t')?.ephemeralOwner, 0n);
  assert.equal(r.tree.getNode('/c')?.ephemeralOwner, containerEphemeralOwner);
  assert.equal(r.tree.getNode('/t')?.ephemeralOwner, ttlEphemeralOwner(100000n));
  assert.deepEqual([...r.tree.containers()], ['/c']);
  assert.deepEqual([...r.tree.ttlNodes()], ['/t']);
  assert.equal(r.tree.ephemeralsCount, 0);
  r.run({ type: TxnType.deleteContainer, path: '/c' });
  assert.deepEqual([...r.tree.containers()], []);
});

test('a failed multi reports OK before the failing op and RUNTIMEINCONSISTENCY after, and changes nothing', () => {
  const r = new Recorder();
  const before = r.tree.digest();
  const result = r.run({
    type: TxnType.multi,
    txns: [
      { type: 1, path: '/m1', data: bytes(''), acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 },
      { type: -1, err: ZkCode.NONODE },
      { type: -1, err: ZkCode.RUNTIMEINCONSISTENCY },
      { type: 2, path: '/a' },
    ],
  });
  assert.equal(result.err, ZkCode.NONODE);
  assert.deepEqual(result.results?.map((x) => [x.type, x.err]), [[-1, 0], [-1, ZkCode.NONODE], [-1, -2], [-1, -2]]);
  assert.equal(r.tree.digest(), before);
  assert.equal(r.tree.lastProcessedZxid, 1n);
  assert.deepEqual(r.events, []);
});

test('a successful multi applies ops in order with one zxid', () => {
  const r = new Recorder();
  const result = r.run({
    type: TxnType.multi,
    txns: [
      { type: 1, path: '/m1', data: bytes(''), acl: openAclUnsafe, ephemeral: false, parentCVersion: 1 },
      { type: 5, path: '/m1', data: bytes('z'), version: 1 },
      { type: 13, path: '/m1', version: 1 },
      { type: 2, path: '/m1' },
    ],
  });
  assert.equal(result.err, ZkCode.OK);
  assert.deepEqual(result.results?.map((x) => [x.type, x.err, x.path]), [[1, 0, '/m1'], [5, 0, '/m1'], [13, 0, '/m1'], [2, 0, '/m1']]);
  assert.deepEqual(pick(result.results?.[1]?.stat), { cversion: 0, numChildren: 0, pzxid: 1n });
  assert.equal(result.results?.[1]?.stat?.version, 1);
  assert.equal(r.tree.getNode('/m1'), undefined);
  assert.deepEqual(pick(r.tree.statOf('/')), { cversion: 1, numChildren: 1, pzxid: 1n });
});

test('closeSession deletes the session ephemerals in creation order, with an old log\'s paths2Delete, firing watches', () => {
  const r = new Recorder();
  r.create('/p');
  r.create('/p/e1', { ephemeral: true });
  r.create('/e2', { ephemeral: true });
  r.create('/other', { ephemeral: true, parentCVersion: -1 }); // same session
  r.run({ type: TxnType.createSession, timeOut: 5000 }, 7n);
  assert.equal(r.tree.sessions().get(7n), 5000);
  assert.deepEqual([...r.tree.ephemerals(session)], ['/p/e1', '/e2', '/other']);
  assert.deepEqual(r.tree.getEphemerals(session, '/p'), ['/p/e1']);
  r.events.length = 0;
  r.run({ type: TxnType.closeSession, paths2Delete: ['/e2', '/gone'] });
  assert.deepEqual(r.events, ['deleted /p/e1', 'child 4 /p', 'deleted /e2', 'child 4 /', 'deleted /other', 'child 4 /']);
  assert.equal(r.tree.ephemeralsCount, 0);
  assert.deepEqual([...r.tree.ephemeralSessions()], []);
  r.run({ type: TxnType.closeSession }, 7n);
  assert.equal(r.tree.sessions().size, 0);
});

test('closeSession without paths derives them from the ephemeral index, in creation order', () => {
  const r = new Recorder();
  r.create('/b', { ephemeral: true });
  r.create('/a');
  r.create('/a/z', { ephemeral: true });
  r.create('/a/c', { ephemeral: true });
  r.events.length = 0;
  r.run({ type: TxnType.closeSession });
  assert.deepEqual(r.events, ['deleted /b', 'child 4 /', 'deleted /a/z', 'child 4 /a', 'deleted /a/c', 'child 4 /a']);
  assert.deepEqual([...r.tree.paths()].filter((path) => !path.startsWith('/zookeeper')), ['/', '/a']);
});

test('closeSession never deletes a listed path that is persistent or another session\'s (seed 948282397)', () => {
  const r = new Recorder();
  r.create('/p');
  r.create('/p/mine', { ephemeral: true });
  r.run({ type: TxnType.create, path: '/theirs', data: bytes(''), acl: openAclUnsafe, ephemeral: true, parentCVersion: -1 }, 9n);
  r.events.length = 0;
  r.run({ type: TxnType.closeSession, paths2Delete: ['/p', '/theirs', '/p/mine'] });
  assert.deepEqual(r.events, ['deleted /p/mine', 'child 4 /p']);
  assert.ok(r.tree.getNode('/p') !== undefined);
  assert.equal(r.tree.getNode('/theirs')?.ephemeralOwner, 9n);
  assert.equal(r.tree.digest(), r.tree.computeDigest());
});

test('apply asserts that zxids grow unless replaying', () => {
  const tree = new DataTree();
  const header = { sessionId: 1n, cxid: 0, zxid: 5n, time: 1, type: TxnType.check };
  tree.apply(header, { type: 13, path: '/', version: 0 });
  assert.throws(() => tree.apply(header, { type: 13, path: '/', version: 0 }), { name: 'AssertionError' });
  assert.equal(tree.apply(header, { type: 13, path: '/', version: 0 }, { replay: true }).err, 0);
  assert.equal(tree.lastProcessedZxid, 5n);
});

test('countAllChildren and approximateDataSize', () => {
  const r = new Recorder();
  r.create('/a', { data: 'xyz' });
  r.create('/a/b');
  r.create('/a/b/c');
  assert.equal(r.tree.countAllChildren('/a'), 2);
  assert.equal(r.tree.countAllChildren('/'), 6);
  assert.equal(r.tree.countAllChildren('/nope'), undefined);
  assert.equal(r.tree.approximateDataSize, 44 + 2 + 3 + 4 + 6);
});

test('the tree copies txn data so later mutation of the buffer does not leak in', () => {
  const r = new Recorder();
  const data = bytes('abc');
  r.run({ type: 1, path: '/d', data, acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 });
  data[0] = 0;
  assert.deepEqual(r.tree.getNode('/d')?.data, bytes('abc'));
});

function pick(stat: { cversion: number; numChildren: number; pzxid: bigint } | undefined): object | undefined {
  return stat === undefined ? undefined : { cversion: stat.cversion, numChildren: stat.numChildren, pzxid: stat.pzxid };
}

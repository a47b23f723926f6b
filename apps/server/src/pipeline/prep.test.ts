// Goal: each field check prep makes so that no client request becomes a txn
// the log cannot read back or apply asserts on (issue 7 item 2), with the
// code ZooKeeper answers. Method: a table of requests against a small tree;
// each names the txn it would otherwise have logged. The random search over
// the same space is prep.property.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode, zkCodeName } from '@corral/base';
import { DataTree, dataBytesMax, openAclUnsafe, pathBytesMax, txnProblem, type Id } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import { Prep } from './prep.js';

const data = new Uint8Array(0);
const persistedStat = { czxid: 1n, mzxid: 1n, pzxid: 1n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n };

function setup(): Prep {
  const tree = new DataTree();
  tree.restoreNode('/a', data, openAclUnsafe, persistedStat);
  tree.restoreNode('/full', data, openAclUnsafe, { ...persistedStat, cversion: 0x7fffffff });
  return new Prep({ tree, extendedTypesEnabled: true });
}

const create = (path: string, flags = 0, extra: Partial<{ data: Uint8Array; acl: typeof openAclUnsafe }> = {}): ClientRequest =>
  ({ type: OpCode.create, path, data: extra.data ?? data, acl: extra.acl ?? openAclUnsafe, flags });
const wideDigest: Id = { scheme: 'digest', id: `u:${'€'.repeat(1400)}` };

const cases: { name: string; request: ClientRequest; authIds?: Id[]; want: ZkCode }[] = [
  {
    name: 'createTTL with a non-TTL mode and TTL -9 (apply: TTL out of range)',
    request: { type: OpCode.createTTL, path: '/t', data, acl: openAclUnsafe, flags: 0, ttl: -9n }, want: ZkCode.BADARGUMENTS,
  },
  {
    name: 'createTTL with container flags and TTL -1',
    request: { type: OpCode.createTTL, path: '/t', data, acl: openAclUnsafe, flags: 4, ttl: -1n }, want: ZkCode.BADARGUMENTS,
  },
  { name: 'createTTL with a TTL mode and TTL 5 is fine', request: { type: OpCode.createTTL, path: '/t', data, acl: openAclUnsafe, flags: 5, ttl: 5n }, want: ZkCode.OK },
  {
    name: 'an ACL id over 4 KiB in UTF-8 but not in UTF-16 units (decodeTxn: id over limit)',
    request: create('/w', 0, { acl: [{ perms: 31, id: wideDigest }] }), want: ZkCode.INVALIDACL,
  },
  {
    name: '"auth" expanded to an id over 4 KiB in UTF-8',
    request: create('/w', 0, { acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }] }), authIds: [wideDigest], want: ZkCode.INVALIDACL,
  },
  {
    name: 'a sequential create whose suffix takes the path over the limit (decodeTxn: path over limit)',
    request: create(`/${'s'.repeat(pathBytesMax - 5)}`, 2), want: ZkCode.BADARGUMENTS,
  },
  { name: 'data over the limit (decodeTxn: data over limit)', request: create('/d', 0, { data: new Uint8Array(dataBytesMax + 1) }), want: ZkCode.BADARGUMENTS },
  {
    name: 'setData over the limit',
    request: { type: OpCode.setData, path: '/a', data: new Uint8Array(dataBytesMax + 1), version: -1 }, want: ZkCode.BADARGUMENTS,
  },
  { name: 'a create under a parent whose cversion would wrap (apply: cversion not advanced)', request: create('/full/x'), want: ZkCode.BADARGUMENTS },
  { name: 'delete of an invalid path is BADARGUMENTS, as getParentPathAndValidate', request: { type: OpCode.delete, path: '/a/', version: -1 }, want: ZkCode.BADARGUMENTS },
  { name: 'a client deleteContainer', request: { type: OpCode.deleteContainer, path: '/a', version: -1 }, want: ZkCode.BADARGUMENTS },
];

for (const { name, request, authIds, want } of cases) {
  test(`prep: ${name} → ${zkCodeName(want)}`, () => {
    const prep = setup();
    const { header, txn } = prep.prepare({ sessionId: 1n, cxid: 1, authIds: authIds ?? [] }, request, 10n, 1000);
    assert.equal(txnProblem(txn), null);
    if (want === ZkCode.OK) {
      assert.notEqual(header.type, OpCode.error);
    } else {
      assert.deepEqual(txn, { type: OpCode.error, err: want });
      // A refused single op leaves no outstanding change behind.
      assert.equal(prep.changes.size, 0);
    }
  });
}

test('prep: the container manager still deletes an empty container', () => {
  const tree = new DataTree();
  tree.restoreNode('/c', data, openAclUnsafe, { ...persistedStat, ephemeralOwner: -0x8000000000000000n });
  const prep = new Prep({ tree, extendedTypesEnabled: true });
  assert.deepEqual(prep.prepareDeleteContainer('/c', 10n, 1000).txn, { type: OpCode.deleteContainer, path: '/c' });
});

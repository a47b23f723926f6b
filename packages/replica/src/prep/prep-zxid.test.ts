// Goal: prep is keyed by the zxid broadcast's leader announces, never one it
// allocates: change records carry that zxid, a refused propose rolls them
// back in one place (discard), and applying the txn retires them. Method:
// prep two pipelined writes against a tree, discard and apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError, ZkCode } from '@corral/base';
import { DataTree, openAclUnsafe } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import { Prep } from './prep.js';

const context = { sessionId: 1n, cxid: 1, authIds: [] };
const create = (path: string, flags = 0): ClientRequest => ({ type: OpCode.create, path, data: null, acl: openAclUnsafe, flags });

test('pipelined writes validate against each other under the zxids they were given', () => {
  const prep = new Prep({ tree: new DataTree(), extendedTypesEnabled: true });
  const first = prep.prepare(context, create('/a'), 0x100000001n, 0);
  assert.equal(first.header.zxid, 0x100000001n);
  assert.equal(prep.changes.get('/a')?.zxid, 0x100000001n);
  // /a exists only as an outstanding change: a child of it validates, a second /a does not.
  assert.equal(prep.prepare(context, create('/a/b'), 0x100000002n, 0).txn.type, OpCode.create);
  assert.deepEqual(prep.prepare(context, create('/a'), 0x100000003n, 0).txn, { type: OpCode.error, err: ZkCode.NODEEXISTS });
});

test('discard rolls back the newest txn; the next one may reuse its zxid', () => {
  const prep = new Prep({ tree: new DataTree(), extendedTypesEnabled: true });
  prep.prepare(context, create('/a'), 5n, 0);
  prep.discard(5n);
  assert.equal(prep.changes.get('/a'), undefined);
  assert.equal(prep.changes.size, 0);
  assert.equal(prep.prepare(context, create('/a'), 5n, 0).txn.type, OpCode.create);
});

test('zxids handed to prep only grow, and only the newest txn is discarded', () => {
  const prep = new Prep({ tree: new DataTree(), extendedTypesEnabled: true });
  prep.prepare(context, create('/a'), 5n, 0);
  assert.throws(() => prep.prepare(context, create('/b'), 5n, 0), AssertionError);
  prep.prepare(context, create('/c'), 6n, 0);
  assert.throws(() => prep.discard(5n), AssertionError);
});

test('applying a txn retires its change records', () => {
  const tree = new DataTree();
  const prep = new Prep({ tree, extendedTypesEnabled: true });
  const { header, txn } = prep.prepare(context, create('/a'), 1n, 0);
  tree.apply(header, txn);
  prep.changes.applied(1n);
  assert.equal(prep.changes.size, 0);
  assert.equal(prep.recordFor('/a').zxid, -1n);
});

test('closeSession marks the session\'s ephemerals deleted for the writes after it', () => {
  const tree = new DataTree();
  tree.apply({ sessionId: 9n, cxid: 0, zxid: 1n, time: 0, type: OpCode.createSession }, { type: OpCode.createSession, timeOut: 1000 });
  const prep = new Prep({ tree, extendedTypesEnabled: true });
  const eph = prep.prepare({ sessionId: 9n, cxid: 1, authIds: [] }, create('/e', 1), 2n, 0);
  assert.equal(eph.txn.type, OpCode.create);
  assert.deepEqual(prep.prepareCloseSession(9n, 0, 3n, 0).txn, { type: OpCode.closeSession });
  assert.equal(prep.prepare(context, create('/e'), 4n, 0).txn.type, OpCode.create);
});

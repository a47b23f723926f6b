// Goal: Final applies strictly in zxid order with no gap (a gap is lost
// history: assert), accepts a new epoch starting at counter 1, and answers a
// local session's queue in FIFO order. Method: Final over a fresh tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError, ZkCode, makeZxid } from '@corral/base';
import { DataTree, openAclUnsafe, type Txn } from '@corral/data-tree';
import { OpCode } from '@corral/wire';
import type { ClientOutput } from '../outputs.js';
import { Final } from './final.js';

const session = 1n;
const createTxn = (path: string): Txn => ({ type: OpCode.create, path, data: null, acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 });
const header = (zxid: bigint, cxid = 0) => ({ sessionId: session, cxid, zxid, time: 0, type: OpCode.create });

function setup(): { final: Final; outputs: ClientOutput[] } {
  const outputs: ClientOutput[] = [];
  const final = new Final({ tree: new DataTree(), outputs, sessionQueueMax: 4 });
  return { final, outputs };
}

test('final: a gap in the zxid sequence is an assertion', () => {
  const { final } = setup();
  final.apply(header(makeZxid(1, 1)), createTxn('/a'));
  assert.throws(() => final.apply(header(makeZxid(1, 3)), createTxn('/b')), AssertionError);
  assert.throws(() => final.apply(header(makeZxid(1, 1)), createTxn('/b')), AssertionError);
  assert.throws(() => final.apply(header(makeZxid(2, 2)), createTxn('/b')), AssertionError);
  final.apply(header(makeZxid(2, 1)), createTxn('/b'));
});

test('final: replies leave in FIFO order, matched by cxid', () => {
  const { final, outputs } = setup();
  final.attach(session, 7, []);
  const queued = (cxid: number, type: number) => ({ cxid, type, authIds: [], receivedAtMs: 0 });
  final.enqueueWrite(session, queued(1, OpCode.create), { type: OpCode.create, path: '/a', data: null, acl: openAclUnsafe, flags: 0 });
  final.enqueueRead(session, queued(2, OpCode.exists), { type: OpCode.exists, path: '/a', watch: false }, null);
  final.enqueueRead(session, queued(3, OpCode.getData), null, ZkCode.MARSHALLINGERROR);
  assert.equal(outputs.length, 0);
  final.apply(header(makeZxid(1, 1), 1), createTxn('/a'));
  assert.deepEqual(outputs.map((out) => (out.kind === 'reply' ? [out.cxid, out.err] : out.kind)), [[1, ZkCode.OK], [2, ZkCode.OK], [3, ZkCode.MARSHALLINGERROR]]);
});

test('final: a session queue over its limit closes the connection', () => {
  const { final, outputs } = setup();
  final.attach(session, 7, []);
  const write = { type: OpCode.delete, path: '/x', version: -1 } as const;
  for (let cxid = 1; cxid <= 4; cxid += 1) assert.equal(final.enqueueWrite(session, { cxid, type: OpCode.delete, authIds: [], receivedAtMs: 0 }, write), true);
  assert.equal(final.enqueueWrite(session, { cxid: 5, type: OpCode.delete, authIds: [], receivedAtMs: 0 }, write), false);
  assert.deepEqual(outputs.map((out) => out.kind), ['close']);
});

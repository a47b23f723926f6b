// Goal: the reply-size estimate that flow control counts before a read runs
// is never below the encoded reply for ASCII names (it may be a little
// above), and a multiRead counts as the sum of its reads, not as its request.
// Method: a table of reads against a small tree; each is executed by ReadOps
// and encoded with the wire codec, and the two sizes are compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTree, TxnType, WatchManager, openAclUnsafe } from '@corral/data-tree';
import { OpCode, encodeReply, type ClientRequest } from '@corral/wire';
import { ReadOps } from '@corral/replica';
import { estimateReplyBytes } from './reply-size.js';

const sessionId = 0x42n;

function treeWithNodes(): DataTree {
  const tree = new DataTree();
  let zxid = 0n;
  const create = (path: string, size: number, ephemeral = false): void => {
    zxid += 1n;
    tree.apply(
      { sessionId, cxid: 1, zxid, time: 1, type: TxnType.create },
      { type: TxnType.create, path, data: new Uint8Array(size), acl: openAclUnsafe, ephemeral, parentCVersion: -1 },
    );
  };
  create('/big', 300_000);
  create('/dir', 0);
  for (let index = 0; index < 50; index += 1) create(`/dir/child-${index}`, 10);
  create('/e1', 0, true);
  return tree;
}

const getData = (path: string): ClientRequest => ({ type: OpCode.getData, path, watch: false });

const cases: { name: string; request: ClientRequest }[] = [
  { name: 'getData of a large node', request: getData('/big') },
  { name: 'getData of a missing node', request: getData('/none') },
  { name: 'getChildren', request: { type: OpCode.getChildren, path: '/dir', watch: false } },
  { name: 'getChildren2', request: { type: OpCode.getChildren2, path: '/dir', watch: false } },
  { name: 'getACL', request: { type: OpCode.getACL, path: '/big' } },
  { name: 'exists', request: { type: OpCode.exists, path: '/big', watch: false } },
  { name: 'getEphemerals', request: { type: OpCode.getEphemerals, prefixPath: '/' } },
  { name: 'sync', request: { type: OpCode.sync, path: '/dir' } },
  {
    name: 'multiRead of reads and a miss',
    request: { type: OpCode.multiRead, ops: [getData('/big'), getData('/big'), getData('/none'), { type: OpCode.getChildren, path: '/dir', watch: false }] },
  },
];

test('the estimate covers the encoded reply of every read', () => {
  const tree = treeWithNodes();
  const reads = new ReadOps({ tree, watches: new WatchManager() });
  for (const { name, request } of cases) {
    const outcome = reads.execute({ sessionId, authIds: [] }, request);
    const encoded = encodeReply({ xid: 1, zxid: 1n, err: outcome.err }, outcome.response).length;
    const estimate = estimateReplyBytes({ tree, sessionId }, request);
    assert.ok(estimate >= encoded, `${name}: estimate ${estimate} < encoded ${encoded}`);
    assert.ok(estimate <= encoded + 256, `${name}: estimate ${estimate} far above encoded ${encoded}`);
  }
});

test('a multiRead counts as the sum of its reads', () => {
  const tree = treeWithNodes();
  const ops = Array.from({ length: 150 }, () => getData('/big'));
  assert.ok(estimateReplyBytes({ tree, sessionId }, { type: OpCode.multiRead, ops }) > 150 * 300_000);
});

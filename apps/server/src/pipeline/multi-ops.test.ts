// Goal: multiAsZooKeeperReadsIt reads a multi's ops as ZooKeeper 3.8's
// MultiOperationRecord.deserialize and Op.create do (checked against Apache
// 3.8 with a raw jute client). Method: a table of requests and the op types
// expected, or null for MARSHALLINGERROR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpCode, type ClientRequest, type MultiRequest } from '@corral/wire';
import { multiAsZooKeeperReadsIt } from './multi-ops.js';

const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const data = new Uint8Array(0);
const create = (type: 1 | 15 | 19, flags: number): ClientRequest => ({ type, path: '/n', data, acl, flags });
const createTTL = (flags: number): ClientRequest => ({ type: OpCode.createTTL, path: '/n', data, acl, flags, ttl: 5n });
const getData: ClientRequest = { type: OpCode.getData, path: '/', watch: false };
const setData: ClientRequest = { type: OpCode.setData, path: '/', data, version: -1 };

const cases: { name: string; input: MultiRequest; want: number[] | null }[] = [
  { name: 'create with container flags is createContainer', input: { type: OpCode.multi, ops: [create(OpCode.create, 4)] }, want: [OpCode.createContainer] },
  { name: 'create2 with container flags is createContainer', input: { type: OpCode.multi, ops: [create(OpCode.create2, 4)] }, want: [OpCode.createContainer] },
  { name: 'createContainer with persistent flags is create', input: { type: OpCode.multi, ops: [create(OpCode.createContainer, 0)] }, want: [OpCode.create] },
  { name: 'create2 is create', input: { type: OpCode.multi, ops: [create(OpCode.create2, 1)] }, want: [OpCode.create] },
  { name: 'unknown flags read as persistent (prep refuses them)', input: { type: OpCode.multi, ops: [create(OpCode.create, 99)] }, want: [OpCode.create] },
  { name: 'createTTL with a TTL mode stays', input: { type: OpCode.multi, ops: [createTTL(5)] }, want: [OpCode.createTTL] },
  { name: 'createTTL with a non-TTL mode is create', input: { type: OpCode.multi, ops: [createTTL(0)] }, want: [OpCode.create] },
  { name: 'createTTL with container flags is createContainer', input: { type: OpCode.multi, ops: [createTTL(4)] }, want: [OpCode.createContainer] },
  { name: 'a TTL mode without a TTL cannot be built', input: { type: OpCode.multi, ops: [create(OpCode.create, 5)] }, want: null },
  { name: 'a multi holding a read', input: { type: OpCode.multi, ops: [create(OpCode.create, 0), getData] }, want: null },
  { name: 'a multiRead holding a write', input: { type: OpCode.multiRead, ops: [getData, setData] }, want: null },
  { name: 'a multiRead of reads', input: { type: OpCode.multiRead, ops: [getData] }, want: [OpCode.getData] },
  { name: 'empty multi', input: { type: OpCode.multi, ops: [] }, want: [] },
];

for (const { name, input, want } of cases) {
  test(`multi ops as ZooKeeper reads them: ${name}`, () => {
    const got = multiAsZooKeeperReadsIt(input);
    assert.deepEqual(got === null ? null : got.ops.map((op) => op.type), want);
  });
}

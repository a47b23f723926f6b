/**
 * Goal: one hand-written sample of every request and reply kind, shared by
 * the round-trip and Java byte-exactness tests. Method: plain tables; this
 * file's own test checks that every opcode with a client record is covered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpCode, Perms } from './constants.js';
import type { ACL, ClientRequest, ClientResponse, Stat } from './types.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A Stat with every field distinct and some high bits set. */
export const sampleStat: Stat = {
  czxid: 0x100000001n,
  mzxid: 0x100000002n,
  ctime: 1_700_000_000_123,
  mtime: 1_700_000_000_456,
  version: 3,
  cversion: -1,
  aversion: 7,
  ephemeralOwner: -0x7edcba9876543210n,
  dataLength: 5,
  numChildren: 2,
  pzxid: 0x100000003n,
};

/** world:anyone ALL plus a digest entry. */
export const sampleAcl: ACL[] = [
  { perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } },
  { perms: Perms.READ | Perms.WRITE, id: { scheme: 'digest', id: 'user:hash=' } },
];

/** One request of every kind the codec knows. */
export const sampleRequests: ClientRequest[] = [
  { type: OpCode.create, path: '/a', data: bytes('hello'), acl: sampleAcl, flags: 0 },
  { type: OpCode.create2, path: '/b', data: new Uint8Array(0), acl: sampleAcl.slice(0, 1), flags: 3 },
  { type: OpCode.createContainer, path: '/c', data: bytes('x'), acl: sampleAcl, flags: 4 },
  { type: OpCode.createTTL, path: '/ttl', data: bytes('t'), acl: sampleAcl, flags: 5, ttl: 60_000n },
  { type: OpCode.delete, path: '/a', version: -1 },
  { type: OpCode.deleteContainer, path: '/c', version: -1 },
  { type: OpCode.exists, path: '/a', watch: true },
  { type: OpCode.getData, path: '/ünïcødé/路径', watch: false },
  { type: OpCode.getChildren, path: '/', watch: true },
  { type: OpCode.getChildren2, path: '/a', watch: false },
  { type: OpCode.setData, path: '/a', data: bytes('v2'), version: 4 },
  { type: OpCode.getACL, path: '/a' },
  { type: OpCode.getAllChildrenNumber, path: '/a' },
  { type: OpCode.sync, path: '/a' },
  { type: OpCode.getEphemerals, prefixPath: '/e' },
  { type: OpCode.setACL, path: '/a', acl: sampleAcl, version: 2 },
  { type: OpCode.check, path: '/a', version: 9 },
  {
    type: OpCode.multi,
    ops: [
      { type: OpCode.create, path: '/m1', data: bytes('1'), acl: sampleAcl, flags: 0 },
      { type: OpCode.create2, path: '/m2', data: bytes('2'), acl: sampleAcl, flags: 1 },
      { type: OpCode.createTTL, path: '/m3', data: bytes('3'), acl: sampleAcl, flags: 5, ttl: 1000n },
      { type: OpCode.delete, path: '/m0', version: 3 },
      { type: OpCode.setData, path: '/m1', data: bytes('z'), version: -1 },
      { type: OpCode.check, path: '/m1', version: 1 },
    ],
  },
  { type: OpCode.multi, ops: [] },
  {
    type: OpCode.multiRead,
    ops: [
      { type: OpCode.getData, path: '/r1', watch: false },
      { type: OpCode.getChildren, path: '/r2', watch: false },
    ],
  },
  { type: OpCode.auth, authType: 0, scheme: 'digest', auth: bytes('user:pw') },
  { type: OpCode.setWatches, relativeZxid: 0x55n, dataWatches: ['/d'], existWatches: [], childWatches: ['/c1', '/c2'] },
  {
    type: OpCode.setWatches2,
    relativeZxid: 0x56n,
    dataWatches: ['/d'],
    existWatches: ['/x'],
    childWatches: [],
    persistentWatches: ['/p'],
    persistentRecursiveWatches: ['/pr', '/pr2'],
  },
  { type: OpCode.addWatch, path: '/w', mode: 1 },
  { type: OpCode.checkWatches, path: '/w', watcherType: 3 },
  { type: OpCode.removeWatches, path: '/w', watcherType: 1 },
  { type: OpCode.reconfig, joiningServers: 'server.4=h:2888:3888', leavingServers: null, newMembers: null, curConfigId: -1n },
  { type: OpCode.sasl, token: bytes('token') },
  { type: OpCode.ping },
  { type: OpCode.closeSession },
  { type: OpCode.whoAmI },
];

/** One successful reply of every kind (type = the opcode it answers). */
export const sampleResponses: ClientResponse[] = [
  { type: OpCode.create, path: '/a' },
  { type: OpCode.create2, path: '/b0000000001', stat: sampleStat },
  { type: OpCode.createContainer, path: '/c', stat: sampleStat },
  { type: OpCode.createTTL, path: '/ttl', stat: sampleStat },
  { type: OpCode.exists, stat: sampleStat },
  { type: OpCode.setData, stat: sampleStat },
  { type: OpCode.setACL, stat: sampleStat },
  { type: OpCode.getData, data: bytes('hello'), stat: sampleStat },
  { type: OpCode.reconfig, data: bytes('server.1=a:1:2'), stat: sampleStat },
  { type: OpCode.getACL, acl: sampleAcl, stat: sampleStat },
  { type: OpCode.getChildren, children: ['x', 'y', 'zé'] },
  { type: OpCode.getChildren2, children: [], stat: sampleStat },
  { type: OpCode.getAllChildrenNumber, totalNumber: 42 },
  { type: OpCode.getEphemerals, ephemerals: ['/e/1', '/e/2'] },
  { type: OpCode.sync, path: '/a' },
  {
    type: OpCode.multi,
    results: [
      { type: OpCode.create, path: '/m1' },
      { type: OpCode.create2, path: '/m2', stat: sampleStat },
      { type: OpCode.delete },
      { type: OpCode.setData, stat: sampleStat },
      { type: OpCode.check },
      { type: OpCode.error, err: -101 },
    ],
  },
  {
    type: OpCode.multiRead,
    results: [
      { type: OpCode.getData, data: bytes('d'), stat: sampleStat },
      { type: OpCode.getChildren, children: ['a'] },
      { type: OpCode.error, err: -101 },
    ],
  },
  { type: OpCode.whoAmI, clientInfo: [{ authScheme: 'ip', user: '127.0.0.1' }] },
  { type: OpCode.sasl, token: bytes('challenge') },
  { type: OpCode.delete },
  { type: OpCode.deleteContainer },
  { type: OpCode.check },
  { type: OpCode.ping },
  { type: OpCode.closeSession },
  { type: OpCode.auth },
  { type: OpCode.setWatches },
  { type: OpCode.setWatches2 },
  { type: OpCode.addWatch },
  { type: OpCode.removeWatches },
  { type: OpCode.checkWatches },
];

test('samples cover every client opcode', () => {
  const notClientRequests = new Set<number>([OpCode.notification, OpCode.createSession, OpCode.error]);
  const wanted = Object.values(OpCode).filter((code) => !notClientRequests.has(code));
  const requested = new Set<number>(sampleRequests.map((request) => request.type));
  const answered = new Set<number>(sampleResponses.map((response) => response.type));
  for (const code of wanted) {
    assert.ok(requested.has(code), `no sample request for opcode ${code}`);
    assert.ok(answered.has(code), `no sample response for opcode ${code}`);
  }
});

/**
 * Goal: fast-check arbitraries of every record the codec knows, shared by the
 * property tests. This file's own test only checks the generators produce
 * each request and response kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OpCode } from './constants.js';
import type { ACL, ClientRequest, ClientResponse, MultiOp, MultiResult, Stat } from './types.js';

/** The seed of this run: FC_SEED or derived from the clock, always logged by callers. */
export const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);

const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const timeMs = fc.maxSafeInteger();
// 'binary' strings are whole code points (no lone surrogates), which UTF-8 round-trips exactly.
const text = fc.string({ unit: 'binary', maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 40 });
// znode data may be jute's null buffer (length -1), which must stay distinct from empty.
const nodeData = fc.option(bytes, { nil: null });
const nullableText = fc.option(text, { nil: null });

/** Any Stat. */
export const statArb: fc.Arbitrary<Stat> = fc.record({
  czxid: long,
  mzxid: long,
  ctime: timeMs,
  mtime: timeMs,
  version: int,
  cversion: int,
  aversion: int,
  ephemeralOwner: long,
  dataLength: int,
  numChildren: int,
  pzxid: long,
});

/** Any ACL list. */
export const aclArb: fc.Arbitrary<ACL[]> = fc.array(fc.record({ perms: int, id: fc.record({ scheme: text, id: text }) }), { maxLength: 4 });

const strings = fc.array(text, { maxLength: 5 });

const createArb = fc.record({
  type: fc.constantFrom(OpCode.create, OpCode.create2, OpCode.createContainer),
  path: text,
  data: nodeData,
  acl: aclArb,
  flags: int,
});
const createTTLArb = fc.record({ type: fc.constant(OpCode.createTTL), path: text, data: nodeData, acl: aclArb, flags: int, ttl: long });
const deleteArb = fc.record({ type: fc.constant(OpCode.delete), path: text, version: int });
const setDataArb = fc.record({ type: fc.constant(OpCode.setData), path: text, data: nodeData, version: int });
const checkArb = fc.record({ type: fc.constant(OpCode.check), path: text, version: int });
const readOpArb = fc.record({ type: fc.constantFrom(OpCode.getData, OpCode.getChildren), path: text, watch: fc.boolean() });

/** Any op allowed inside multi / multiRead. */
export const multiOpArb: fc.Arbitrary<MultiOp> = fc.oneof(createArb, createTTLArb, deleteArb, setDataArb, checkArb, readOpArb);

/** Any client request. */
export const requestArb: fc.Arbitrary<ClientRequest> = fc.oneof(
  createArb,
  createTTLArb,
  deleteArb,
  fc.record({ type: fc.constant(OpCode.deleteContainer), path: text, version: fc.constant(-1) }),
  fc.record({ type: fc.constantFrom(OpCode.exists, OpCode.getData, OpCode.getChildren, OpCode.getChildren2), path: text, watch: fc.boolean() }),
  setDataArb,
  fc.record({ type: fc.constantFrom(OpCode.getACL, OpCode.getAllChildrenNumber, OpCode.sync), path: text }),
  fc.record({ type: fc.constant(OpCode.getEphemerals), prefixPath: text }),
  fc.record({ type: fc.constant(OpCode.setACL), path: text, acl: aclArb, version: int }),
  checkArb,
  fc.record({ type: fc.constantFrom(OpCode.multi, OpCode.multiRead), ops: fc.array(multiOpArb, { maxLength: 5 }) }),
  fc.record({ type: fc.constant(OpCode.auth), authType: int, scheme: text, auth: bytes }),
  fc.record({ type: fc.constant(OpCode.setWatches), relativeZxid: long, dataWatches: strings, existWatches: strings, childWatches: strings }),
  fc.record({
    type: fc.constant(OpCode.setWatches2),
    relativeZxid: long,
    dataWatches: strings,
    existWatches: strings,
    childWatches: strings,
    persistentWatches: strings,
    persistentRecursiveWatches: strings,
  }),
  fc.record({ type: fc.constant(OpCode.addWatch), path: text, mode: int }),
  fc.record({ type: fc.constantFrom(OpCode.checkWatches, OpCode.removeWatches), path: text, watcherType: int }),
  fc.record({ type: fc.constant(OpCode.reconfig), joiningServers: nullableText, leavingServers: nullableText, newMembers: nullableText, curConfigId: long }),
  fc.record({ type: fc.constant(OpCode.sasl), token: bytes }),
  fc.record({ type: fc.constantFrom(OpCode.ping, OpCode.closeSession, OpCode.whoAmI) }),
);

/** Any MultiResponse entry in the form it decodes to (createTTL/createContainer results arrive as create2). */
export const multiResultArb: fc.Arbitrary<MultiResult> = fc.oneof(
  fc.record({ type: fc.constant(OpCode.create), path: text }),
  fc.record({ type: fc.constant(OpCode.create2), path: text, stat: statArb }),
  fc.record({ type: fc.constantFrom(OpCode.delete, OpCode.check) }),
  fc.record({ type: fc.constant(OpCode.setData), stat: statArb }),
  fc.record({ type: fc.constant(OpCode.getChildren), children: strings }),
  fc.record({ type: fc.constant(OpCode.getData), data: nodeData, stat: statArb }),
  fc.record({ type: fc.constant(OpCode.error), err: int }),
);

/** Any successful reply body. */
export const responseArb: fc.Arbitrary<ClientResponse> = fc.oneof(
  fc.record({ type: fc.constantFrom(OpCode.create, OpCode.sync), path: text }),
  fc.record({ type: fc.constantFrom(OpCode.create2, OpCode.createContainer, OpCode.createTTL), path: text, stat: statArb }),
  fc.record({ type: fc.constantFrom(OpCode.exists, OpCode.setData, OpCode.setACL), stat: statArb }),
  fc.record({ type: fc.constantFrom(OpCode.getData, OpCode.reconfig), data: nodeData, stat: statArb }),
  fc.record({ type: fc.constant(OpCode.getACL), acl: aclArb, stat: statArb }),
  fc.record({ type: fc.constant(OpCode.getChildren), children: strings }),
  fc.record({ type: fc.constant(OpCode.getChildren2), children: strings, stat: statArb }),
  fc.record({ type: fc.constant(OpCode.getAllChildrenNumber), totalNumber: int }),
  fc.record({ type: fc.constant(OpCode.getEphemerals), ephemerals: strings }),
  fc.record({ type: fc.constantFrom(OpCode.multi, OpCode.multiRead), results: fc.array(multiResultArb, { maxLength: 5 }) }),
  fc.record({ type: fc.constant(OpCode.whoAmI), clientInfo: fc.array(fc.record({ authScheme: text, user: text }), { maxLength: 3 }) }),
  fc.record({ type: fc.constant(OpCode.sasl), token: bytes }),
  fc.record({
    type: fc.constantFrom(
      OpCode.delete,
      OpCode.deleteContainer,
      OpCode.check,
      OpCode.ping,
      OpCode.closeSession,
      OpCode.auth,
      OpCode.setWatches,
      OpCode.setWatches2,
      OpCode.addWatch,
      OpCode.removeWatches,
      OpCode.checkWatches,
    ),
  }),
);

test('arbitraries generate every request kind', () => {
  const seen = new Set<number>();
  fc.assert(
    fc.property(requestArb, (request) => {
      seen.add(request.type);
    }),
    { seed, numRuns: 2000 },
  );
  assert.ok(seen.size >= 30, `only ${seen.size} request kinds generated`);
});

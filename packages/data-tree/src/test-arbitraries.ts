/**
 * fast-check generators of txn sequences over a small path space, shared by
 * the codec, model, determinism and snapshot tests. Test-only helper (the
 * package index does not export it).
 */
import fc from 'fast-check';
import type { ACL } from './acl.js';
import { openAclUnsafe, readAclUnsafe } from './acl.js';
import type { MultiSubTxn, Txn } from './txn.js';

const names = ['a', 'b', 'c'];
/** Paths up to depth 3 over three names. */
export const pathArb: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 })
  .map((parts) => `/${parts.join('/')}`);
/** Znode data: null (jute length -1) is a value of its own, apart from empty. */
export const dataArb: fc.Arbitrary<Uint8Array | null> = fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null });
export const aclArb: fc.Arbitrary<readonly ACL[]> = fc.constantFrom(openAclUnsafe, readAclUnsafe, [
  { perms: 3, id: { scheme: 'digest', id: 'u:h' } },
]);
export const sessionArb: fc.Arbitrary<bigint> = fc.constantFrom(0x100n, 0x200n, 0x300n);

const createArb = fc.record({
  type: fc.constant(1 as const),
  path: pathArb,
  data: dataArb,
  acl: aclArb,
  ephemeral: fc.boolean(),
  parentCVersion: fc.constant(-1),
});
const subTxnArb: fc.Arbitrary<MultiSubTxn> = fc.oneof(
  createArb,
  fc.record({ type: fc.constant(19 as const), path: pathArb, data: dataArb, acl: aclArb, parentCVersion: fc.constant(-1) }),
  fc.record({ type: fc.constant(21 as const), path: pathArb, data: dataArb, acl: aclArb, parentCVersion: fc.constant(-1), ttl: fc.bigInt({ min: 1n, max: 1000n }) }),
  fc.record({ type: fc.constantFrom(2 as const, 20 as const), path: pathArb }),
  fc.record({ type: fc.constant(5 as const), path: pathArb, data: dataArb, version: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ type: fc.constant(13 as const), path: pathArb, version: fc.integer({ min: -1, max: 5 }) }),
  fc.record({ type: fc.constant(-1 as const), err: fc.constantFrom(-101, -110, -111, -103) }),
);

/** Any txn; the tree must apply any of them without throwing (in replay mode). */
export const txnArb: fc.Arbitrary<Txn> = fc.oneof(
  { weight: 6, arbitrary: subTxnArb },
  fc.record({ type: fc.constant(7 as const), path: pathArb, acl: aclArb, version: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ type: fc.constant(-10 as const), timeOut: fc.integer({ min: 1, max: 60000 }) }),
  fc.record({ type: fc.constant(-11 as const) }),
  fc.record({ type: fc.constant(-11 as const), paths2Delete: fc.array(pathArb, { maxLength: 3 }) }),
  fc.record({ type: fc.constant(14 as const), txns: fc.array(subTxnArb, { maxLength: 4 }) }),
);

/** A txn with the session that issues it. */
export const stepArb = fc.record({ sessionId: sessionArb, txn: txnArb });

// Goal: encodeTxn/decodeTxn round-trip every txn type, and corrupt or
// truncated bytes raise CorruptDataError, never another exception.
// Method: fast-check over generated txns and byte mutations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CorruptDataError } from './errors.js';
import { decodeTxn, encodeTxn } from './txn-codec.js';
import { sessionArb, txnArb } from './test-arbitraries.js';
import type { Txn, TxnHeader } from './txn.js';

const headerArb = (type: number): fc.Arbitrary<TxnHeader> =>
  fc.record({
    sessionId: sessionArb,
    cxid: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    zxid: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    time: fc.integer({ min: 0, max: 2 ** 50 }),
    type: fc.constant(type),
  });

test('encodeTxn/decodeTxn round-trip', () => {
  fc.assert(
    fc.property(
      txnArb.chain((txn) => headerArb(txn.type).map((header) => ({ header, txn }))),
      ({ header, txn }) => {
        const decoded = decodeTxn(encodeTxn({ ...header, type: txn.type }, txn));
        assert.deepEqual(decoded.header, { ...header });
        assert.deepEqual(normalize(decoded.txn), normalize(txn));
      },
    ),
    { numRuns: 500 },
  );
});

test('decodeTxn throws CorruptDataError on truncation, mutation and garbage', () => {
  fc.assert(
    fc.property(
      txnArb.chain((txn) => headerArb(txn.type).map((header) => encodeTxn(header, txn))),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      (bytes, position, value) => {
        const cut = bytes.subarray(0, position % bytes.length);
        assert.throws(() => decodeTxn(cut), CorruptDataError);
        const mutated = bytes.slice();
        mutated[position % bytes.length] = value;
        try {
          decodeTxn(mutated);
        } catch (error) {
          assert.ok(error instanceof CorruptDataError, String(error));
        }
      },
    ),
    { numRuns: 500 },
  );
  assert.throws(() => decodeTxn(new Uint8Array([1, 0xff, 0xff, 0xff, 0xff])), CorruptDataError);
  assert.throws(() => decodeTxn(new Uint8Array([9])), CorruptDataError);
});

/** Frozen shared ACL arrays and plain ones compare equal once copied. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)));
}

test('txns larger than the initial encode buffer round-trip (grow path)', () => {
  const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
  const header = { sessionId: 5n, cxid: 1, zxid: 9n, time: 1, type: 14 };
  const cases: Txn[] = [
    { type: 5, path: '/big', data: new Uint8Array(5000).fill(7), version: 3 },
    { type: 1, path: `/${'p'.repeat(300)}`, data: new Uint8Array(0), acl, ephemeral: false, parentCVersion: 1 },
    { type: 14, txns: Array.from({ length: 40 }, (_, index) => ({ type: 2 as const, path: `/n${index}` })) },
    { type: -11, paths2Delete: Array.from({ length: 100 }, (_, index) => `/ephemeral-${index}`) },
  ];
  for (const txn of cases) {
    const decoded = decodeTxn(encodeTxn({ ...header, type: txn.type }, txn));
    assert.deepEqual(decoded.txn, txn);
  }
});

// Goal: encodedTxnBytes is exactly the length encodeTxn produces, for every
// txn shape and for strings with multi-byte and lone-surrogate characters,
// and it stops early (with a number above the bound) once over a bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeTxn } from './txn-codec.js';
import { encodedTxnBytes } from './txn-size.js';
import { stepArb } from './test-arbitraries.js';
import type { Txn } from './txn.js';

const header = { sessionId: 5n, cxid: 1, zxid: 9n, time: 1000, type: 0 };

test('encodedTxnBytes equals the encoded length of any txn', () => {
  fc.assert(
    fc.property(stepArb, ({ txn }) => {
      assert.equal(encodedTxnBytes({ ...header, type: txn.type }, txn), encodeTxn({ ...header, type: txn.type }, txn).length);
    }),
    { numRuns: 500 },
  );
});

test('encodedTxnBytes counts UTF-8 as TextEncoder writes it', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), (path, scheme, id) => {
      const txn: Txn = { type: 1, path, data: new Uint8Array(3), acl: [{ perms: 1, id: { scheme, id } }], ephemeral: false, parentCVersion: 1 };
      assert.equal(encodedTxnBytes({ ...header, type: 1 }, txn), encodeTxn({ ...header, type: 1 }, txn).length);
    }),
  );
  const lone: Txn = { type: 2, path: '/\ud800x\udc00\ud83d\ude00' };
  assert.equal(encodedTxnBytes({ ...header, type: 2 }, lone), encodeTxn({ ...header, type: 2 }, lone).length);
});

test('encodedTxnBytes stops once over the bound', () => {
  const identity = { scheme: 'digest', id: 'x'.repeat(4000) };
  const acl = Array.from({ length: 1000 }, (_, perms) => ({ perms, id: identity }));
  const txn: Txn = { type: 14, txns: Array.from({ length: 1000 }, (_, index) => ({ type: 1 as const, path: `/n${index}`, data: new Uint8Array(0), acl, ephemeral: false, parentCVersion: 1 })) };
  const bound = 1024 * 1024;
  const size = encodedTxnBytes({ ...header, type: 14 }, txn, bound);
  assert.ok(size > bound);
  assert.ok(size < bound + 10_000, `stopped at ${size}`);
});

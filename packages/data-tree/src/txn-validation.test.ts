// Goal: txnProblem refuses every txn that apply would assert on or that the
// log could not read back, and accepts the ordinary ones. Method: a table of
// txns with the verdict each must get.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAclUnsafe } from './acl.js';
import { aclEntriesMax, aclStringBytesMax, pathBytesMax } from './limits.js';
import { ttlMaxMs } from './stat.js';
import type { CreateTTLTxn, CreateTxn, Txn } from './txn.js';
import { txnProblem, utf8Fits } from './txn-validation.js';

const data = new Uint8Array(0);
const create = (path: string, acl = openAclUnsafe): CreateTxn => ({ type: 1, path, data, acl, ephemeral: false, parentCVersion: 1 });
const ttl = (value: bigint): CreateTTLTxn => ({ type: 21, path: '/t', data, acl: openAclUnsafe, parentCVersion: 1, ttl: value });
const wideId = { perms: 31, id: { scheme: 'digest', id: `u:${'€'.repeat(1400)}` } };

const cases: { name: string; txn: Txn; ok: boolean }[] = [
  { name: 'plain create', txn: create('/a'), ok: true },
  { name: 'create of the root', txn: create('/'), ok: false },
  { name: 'create of a relative path', txn: create('a'), ok: false },
  { name: 'create of a path over the limit', txn: create(`/${'a'.repeat(pathBytesMax)}`), ok: false },
  { name: 'create of a path over the limit in UTF-8 bytes only', txn: create(`/${'€'.repeat(11_000)}`), ok: false },
  { name: 'create with an empty ACL', txn: create('/a', []), ok: false },
  { name: 'create with too many ACL entries', txn: create('/a', Array.from({ length: aclEntriesMax + 1 }, () => openAclUnsafe[0]!)), ok: false },
  { name: 'create with an ACL id over the limit in UTF-8 bytes', txn: create('/a', [wideId]), ok: false },
  { name: 'createTTL with TTL 1', txn: ttl(1n), ok: true },
  { name: 'createTTL with the largest TTL', txn: ttl(ttlMaxMs), ok: true },
  { name: 'createTTL with TTL -9', txn: ttl(-9n), ok: false },
  { name: 'createTTL with TTL 0', txn: ttl(0n), ok: false },
  { name: 'createTTL with TTL over the maximum', txn: ttl(ttlMaxMs + 1n), ok: false },
  { name: 'delete of the root', txn: { type: 2, path: '/' }, ok: false },
  { name: 'setData of the root', txn: { type: 5, path: '/', data, version: 1 }, ok: true },
  { name: 'setData with a version that is not an int', txn: { type: 5, path: '/a', data, version: 2 ** 31 }, ok: false },
  { name: 'multi with a bad op', txn: { type: 14, txns: [create('/a'), ttl(-1n)] }, ok: false },
  { name: 'multi of good ops', txn: { type: 14, txns: [create('/a'), { type: 13, path: '/a', version: 0 }] }, ok: true },
];

for (const { name, txn, ok } of cases) {
  test(`txnProblem: ${name} is ${ok ? 'accepted' : 'refused'}`, () => {
    assert.equal(txnProblem(txn) === null, ok, String(txnProblem(txn)));
  });
}

test('utf8Fits counts UTF-8 bytes, not UTF-16 units', () => {
  assert.equal(utf8Fits('€'.repeat(1365), aclStringBytesMax), true);
  assert.equal(utf8Fits('€'.repeat(1366), aclStringBytesMax), false);
  assert.equal(utf8Fits('a'.repeat(aclStringBytesMax), aclStringBytesMax), true);
  assert.equal(utf8Fits('a'.repeat(aclStringBytesMax + 1), aclStringBytesMax), false);
});

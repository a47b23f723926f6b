// Goal: MajorityQuorum agrees with a naive count of voters (QuorumMaj), and
// ignores observers and strangers.
// Method: fast-check over voter sets and acking subsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MajorityQuorum } from './quorum.js';

test('MajorityQuorum: more than half of the voters, non-voters ignored', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 9 }), fc.array(fc.integer({ min: 1, max: 25 })), (voters, acked) => {
      const q = new MajorityQuorum(voters);
      const set = new Set(acked);
      const count = voters.filter((v) => set.has(v)).length;
      assert.equal(q.containsQuorum(set), count > voters.length / 2);
    }),
  );
});

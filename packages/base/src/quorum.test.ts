// Goal: the quorum verifiers match ZooKeeper's QuorumMaj and
// QuorumHierarchical. Method: tables of known cases, then fast-check
// against a simple alternative count and the laws every quorum system
// needs (a superset of a quorum is a quorum; two quorums intersect).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hierarchicalQuorum, majorityQuorum } from './quorum.js';
import type { QuorumVerifier } from './quorum.js';

test('majorityQuorum: more than half of the voters, observers never count', () => {
  const verifier = majorityQuorum({ voters: [1, 2, 3, 4], observers: [5, 6] });
  const cases = [
    { acks: [1, 2], want: false },
    { acks: [1, 2, 3], want: true },
    { acks: [1, 5, 6], want: false },
    { acks: [1, 2, 5, 6, 7], want: false },
    { acks: [1, 2, 3, 4], want: true },
  ];
  for (const c of cases) assert.equal(verifier.containsQuorum(new Set(c.acks)), c.want, `acks ${c.acks.join(',')}`);
  assert.equal(verifier.weight(5), 0);
  assert.equal(verifier.isVoter(5), false);
  assert.equal(verifier.isMember(5), true);
  assert.equal(verifier.isMember(7), false);
});

test('hierarchicalQuorum: a weighted majority in a majority of weighted groups', () => {
  // Three data centres; the third weighs nothing and is left out of the count.
  const verifier = hierarchicalQuorum({
    groups: new Map([
      [1, [1, 2, 3]],
      [2, [4, 5, 6]],
      [3, [7]],
    ]),
    weights: new Map([
      [1, 2],
      [7, 0],
    ]),
  });
  const cases = [
    // Group 1 weighs 4 (server 1 weighs 2): 2 of 4 is no majority; group 2 alone is one of two groups.
    { acks: [1, 4, 5], want: false },
    { acks: [1, 2, 4, 5], want: true },
    { acks: [2, 3, 4, 5], want: false },
    { acks: [1, 2, 7], want: false },
  ];
  for (const c of cases) assert.equal(verifier.containsQuorum(new Set(c.acks)), c.want, `acks ${c.acks.join(',')}`);
  assert.equal(verifier.isVoter(7), true);
  assert.equal(verifier.weight(7), 0);
});

const setArb = (max: number) => fc.uniqueArray(fc.integer({ min: 1, max }), { maxLength: max }).map((a) => new Set(a));

test('majorityQuorum agrees with counting voters', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), setArb(12), (voterCount, acks) => {
      const voters = Array.from({ length: voterCount }, (_, i) => i + 1);
      const count = [...acks].filter((sid) => sid <= voterCount).length;
      assert.equal(majorityQuorum({ voters }).containsQuorum(acks), count * 2 > voterCount);
    }),
  );
});

const hierarchicalArb = fc
  .array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 9 })
  .chain((groupOf) => fc.record({ groupOf: fc.constant(groupOf), weights: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: groupOf.length, maxLength: groupOf.length }) }))
  .filter(({ groupOf, weights }) => weights.some((w, i) => w > 0 && groupOf[i] !== undefined))
  .map(({ groupOf, weights }): QuorumVerifier => {
    const groups = new Map<number, number[]>();
    groupOf.forEach((group, i) => groups.set(group, [...(groups.get(group) ?? []), i + 1]));
    return hierarchicalQuorum({ groups, weights: new Map(weights.map((w, i) => [i + 1, w])) });
  });

test('quorum laws: supersets of quorums are quorums, and any two quorums intersect in weight', () => {
  fc.assert(
    fc.property(hierarchicalArb, setArb(9), setArb(9), (verifier, a, b) => {
      if (verifier.containsQuorum(a)) assert.ok(verifier.containsQuorum(new Set([...a, ...b])), 'superset');
      if (verifier.containsQuorum(a) && verifier.containsQuorum(b)) {
        const common = [...a].filter((sid) => b.has(sid) && verifier.weight(sid) > 0);
        assert.ok(common.length > 0, 'intersection');
      }
    }),
  );
});

test('a hierarchy of one group of weight-1 servers is a majority quorum', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), setArb(9), (voterCount, acks) => {
      const voters = Array.from({ length: voterCount }, (_, i) => i + 1);
      const hierarchical = hierarchicalQuorum({ groups: new Map([[1, voters]]) });
      assert.equal(hierarchical.containsQuorum(acks), majorityQuorum({ voters }).containsQuorum(acks));
    }),
  );
});

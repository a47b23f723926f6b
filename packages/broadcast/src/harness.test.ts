// Goal: ZAB's safety under crashes, lost unsynced writes, broken streams and
// arbitrary interleavings: no two servers apply different txns at one zxid, a
// commit is durable on a quorum, and every committed txn is in every later
// leader's history. And the checks can fail: each deliberate bug is caught.
// Method: the seeded Cluster harness (runRandom) under fast-check, which
// prints the seed and shrunk case of any failure; a failing seed replays with
// runRandom({ seed, ... }).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runRandom, type RandomRunOptions } from './testing/random-run.js';
import type { UnsafeFaults } from './types.js';

// Each case also picks limits (swarm testing): a tiny zxid counter makes epoch rollovers frequent,
// a tiny pending limit makes propose() refuse.
const limitsArb = fc.record({
  zxidCounterMax: fc.constantFrom(5, 9, 0xffffffff),
  pendingProposalsMax: fc.constantFrom(2, 8),
  windowTxnsMax: fc.constantFrom(64, 128),
});

test('ZAB safety holds on random runs (3, 5 voters, with and without an observer, swarm limits, both log retentions)', () => {
  let applied = 0;
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        voterCount: fc.constantFrom(3, 5),
        observerCount: fc.constantFrom(0, 1),
        limits: limitsArb,
        // 'keep' retains the log after snapshots, so leaders DIFF lagging learners from disk reads.
        logRetention: fc.constantFrom<'compact' | 'keep'>('compact', 'keep'),
      }),
      (options) => {
        const result = runRandom({ ...options, steps: 1500 });
        applied += result.appliedCount;
        assert.deepEqual(result.violations, [], `replay: runRandom(${JSON.stringify({ ...options, steps: 1500 })})`);
      },
    ),
    { numRuns: 60 },
  );
  assert.ok(applied > 1000, `the runs commit something (${applied} applies)`);
});

test('a seed replays exactly (equal trace hashes)', () => {
  const a = runRandom({ seed: 4242, voterCount: 3, observerCount: 1, steps: 2000 });
  const b = runRandom({ seed: 4242, voterCount: 3, observerCount: 1, steps: 2000 });
  assert.equal(a.traceHash, b.traceHash);
  assert.ok(a.appliedCount > 0);
});

const bugs: ReadonlyArray<{ readonly name: string; readonly faults: UnsafeFaults; readonly options?: Partial<RandomRunOptions> }> = [
  { name: 'ACK before the append is durable', faults: { ackBeforeDurable: true } },
  { name: 'COMMIT without a quorum', faults: { commitWithoutQuorum: true } },
  { name: 'DIFF where TRUNC is due', faults: { skipTrunc: true } },
  // Needs a rollover that reaches a minority and another leader of the same epoch number: five
  // voters, a counter of 3 and more crashes (first caught at seed 79; seeds 1..200 of correct
  // code under the same options pass in the property test's space).
  {
    name: 'currentEpoch raised at a rollover ACKEPOCH',
    faults: { currentEpochAtRolloverAck: true },
    options: { voterCount: 5, crashPercent: 2, limits: { zxidCounterMax: 3 } },
  },
  // A crash between the early ACKEPOCH and the write forgets the promise (first caught at seed 30).
  { name: 'ACKEPOCH before acceptedEpoch is durable', faults: { ackEpochBeforeDurable: true }, options: { crashPercent: 2 } },
];

for (const bug of bugs) {
  test(`the harness catches a deliberate bug within 200 seeds: ${bug.name}`, () => {
    let caught: number | null = null;
    for (let seed = 1; seed <= 200 && caught === null; seed++) {
      const result = runRandom({ seed, voterCount: 3, steps: 2000, ...bug.options, faults: bug.faults });
      if (result.violations.length > 0) caught = seed;
    }
    assert.notEqual(caught, null, `${bug.name} went unnoticed`);
  });
}

test('correct code passes the options that catch the early currentEpoch (200 seeds)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const result = runRandom({ seed, voterCount: 5, crashPercent: 2, limits: { zxidCounterMax: 3 }, steps: 2000 });
    assert.deepEqual(result.violations, [], `seed ${seed}`);
  }
});

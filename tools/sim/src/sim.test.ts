// Goal: the simulator itself is trustworthy — correct code passes a few
// hundred swarm seeds, a seed replays exactly, and code broken on purpose
// is caught within a bounded number of seeds (issue 8 item 7).
// Method: runSeeds/runElectionSeed over fixed seed ranges; the broken
// variants come from ElectionNode's test-only `bugs` option.
// SIM_TEST_SEEDS=5000 runs a longer range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runElectionSeed } from './election-sim.js';
import type { ElectionNodeBugs } from './election-node.js';
import { replayCommand, runSeeds } from './run-seeds.js';

const seedCount = Number(process.env['SIM_TEST_SEEDS'] ?? '300');

test('correct election nodes pass every seed of the swarm', () => {
  const summary = runSeeds({ seedStart: 1, seedCount });
  const report = summary.failures.map((f) => `${f.violation.checker}: ${f.violation.message}\n  ${f.replay}`).join('\n');
  assert.equal(summary.violationCount, 0, report);
});

test('determinism: one seed run twice gives the same trace hash', () => {
  for (const seed of [7, 1234, 99_999]) {
    const first = runElectionSeed(seed);
    const second = runElectionSeed(seed);
    assert.equal(second.traceHash, first.traceHash, `seed ${seed}`);
    assert.equal(second.steps, first.steps);
    assert.deepEqual(second.core, first.core);
  }
  assert.notEqual(runElectionSeed(7).traceHash, runElectionSeed(8).traceHash, 'different seeds take different paths');
});

/** The first seed in [0, bound) that the broken node fails, or null. */
function firstCaught(bugs: ElectionNodeBugs, bound: number): { seed: number; checker: string } | null {
  for (let seed = 0; seed < bound; seed++) {
    const violation = runElectionSeed(seed, { bugs }).violations[0];
    if (violation !== undefined) return { seed, checker: violation.checker };
  }
  return null;
}

test('a server that ignores the step-down rule is caught by the liveness goal within 50 seeds', () => {
  const caught = firstCaught({ ignoreStepDown: true }, 50);
  assert.notEqual(caught, null);
  assert.equal(caught?.checker, 'one-leader');
});

test('a server that counts a vote twice is caught by election safety within 200 seeds', () => {
  const caught = firstCaught({ doubleCountVotes: true }, 200);
  assert.notEqual(caught, null);
  assert.equal(caught?.checker, 'election-safety');
});

test('a failing seed replays with the same violation, and its repro command names it', () => {
  const caught = firstCaught({ ignoreStepDown: true }, 50);
  assert.ok(caught !== null);
  const failing = runElectionSeed(caught.seed, { bugs: { ignoreStepDown: true } });
  const again = runElectionSeed(caught.seed, { bugs: { ignoreStepDown: true } });
  assert.equal(failing.violations.length, 1);
  assert.deepEqual(again.violations, failing.violations);
  assert.equal(replayCommand(6), 'npm run sim -- --seed 6');
  assert.equal(replayCommand(6, { safetyTicks: 40 }), 'npm run sim -- --seed 6 --safety-ticks 40');
});

test('the safety-ticks override is honoured and changes the run', () => {
  const short = runElectionSeed(11, { overrides: { safetyTicks: 5 } });
  assert.equal(short.config.safetyTicks, 5);
  assert.notEqual(short.traceHash, runElectionSeed(11).traceHash);
});

// Goal: the full-stack simulation (real election → broadcast → replica with
// clients) is trustworthy: correct code passes a few hundred swarm seeds, a
// seed replays exactly, crash points fire at every persistence point, and
// each of broadcast's deliberate defects (UnsafeFaults) is caught within a
// bounded number of seeds by the checker it breaks (issue 8 item 7).
// Method: runSeeds / runReplicaSeed over fixed seed ranges; the checkers that
// no broadcast defect reaches are fed forged events in checkers.test.ts.
// SIM_TEST_SEEDS=5000 runs a longer range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UnsafeFaults } from '@corral/broadcast';
import { markNames } from '@corral/broadcast/testing';
import { CrashCoverage, crashKey, reachableCombinations } from './crash-coverage.js';
import { runReplicaSeed, type RunReplicaSeedOptions } from './replica-sim.js';
import { replayCommand, runSeeds, summaryLine } from './run-seeds.js';

const seedCount = Number(process.env['SIM_TEST_SEEDS'] ?? '300');

test('the full stack passes every seed of the swarm, reaching broadcast\'s rare paths', () => {
  const marks = new Set<string>();
  const summary = runSeeds({ seedStart: 1, seedCount, onResult: (result) => { for (const name of result.marks ?? []) marks.add(name); } });
  const report = summary.failures.map((f) => `${f.violation.checker}: ${f.violation.message}\n  ${f.replay}`).join('\n');
  assert.equal(summary.violationCount, 0, report);
  // The straggler's rollover is rarer (seed 1004463 of a soak at 17dde73); the soak's output counts it.
  // A TRUNC to a shared point (a crashed old leader's orphans) is about 1 seed in 200: pinned below.
  const rarer = ['rollover-straggler', 'sync-trunc-shared-point'];
  if (seedCount >= 300) assert.deepEqual(markNames.filter((name) => !rarer.includes(name) && !marks.has(name)), []);
});

test('a straggler above the leader\'s epoch makes it move past it, and the whole core converges (seeds 1156, 2209)', () => {
  // The liveness goal asks every core member to catch up with the leader: before broadcast moved
  // past such a straggler, it could not join until the next epoch (seed 1004463 at 17dde73).
  // The first two seeds in 1..12000 whose result's marks hold it since streams are numbered as
  // they leave (runSeeds over that range; regenerate when the swarm's draws change).
  for (const seed of [1156, 2209]) {
    const result = runReplicaSeed(seed);
    assert.ok(result.marks?.includes('rollover-straggler'), `seed ${seed} reaches the straggler's rollover`);
    assert.deepEqual(result.violations, [], `seed ${seed}`);
    assert.notEqual(result.convergedAfterTicks, null);
  }
});

test('a crash-restarted learner holding an old epoch\'s orphans is truncated to a shared point, and the core converges (seed 69)', () => {
  // The first seed in 1..12000 that reaches it since streams are numbered as they leave.
  const result = runReplicaSeed(69);
  assert.ok(result.marks?.includes('sync-trunc-shared-point'));
  assert.deepEqual(result.violations, []);
  assert.notEqual(result.convergedAfterTicks, null);
});

test('determinism: a full-stack seed run twice gives the same trace hash', () => {
  for (const seed of [3, 777]) {
    const first = runReplicaSeed(seed);
    const second = runReplicaSeed(seed);
    assert.equal(second.traceHash, first.traceHash, `seed ${seed}`);
    assert.equal(second.steps, first.steps);
    assert.deepEqual(second.crashPoints, first.crashPoints);
  }
  assert.equal(replayCommand(6, {}, 'replica'), 'npm run sim -- --seed 6');
  assert.equal(replayCommand(6, {}, 'election'), 'npm run sim -- --seed 6 --stack election');
});

test('a linearizability search that runs out of budget is counted as undecided, not passed', () => {
  // A budget of one step leaves every non-empty history undecided.
  const summary = runSeeds({ seedStart: 1, seedCount: 4, lincheckSearchStepsMax: 1 });
  assert.equal(summary.violationCount, 0);
  assert.ok(summary.undecided.length > 0);
  assert.ok(summary.undecided.every((u) => u.partitions.length > 0 && u.replay === `npm run sim -- --seed ${u.seed}`));
  assert.equal(summaryLine(summary), `sim: 4 seeds, 0 violations, ${summary.undecided.length} undecided`);
  assert.equal(summaryLine(runSeeds({ seedStart: 1, seedCount: 4 })), 'sim: 4 seeds, 0 violations');
});

test('with the forced crash point and pauses, correct code still passes', () => {
  const summary = [];
  for (let seed = 0; seed < 40; seed++) {
    const violation = runReplicaSeed(seed, { crashAt: { point: { point: 'append', when: 'before' }, chance: 0.2 }, pauseLeaderPerTick: 0.02 }).violations[0];
    if (violation !== undefined) summary.push(`${seed} ${violation.checker}: ${violation.message}`);
  }
  assert.deepEqual(summary, []);
});

// Seeds that, with the swarm's steering, crash a server at every combination (point × when ×
// role × sync), observers' TRUNC included (observer-trunc.ts scripts that sync). Found by running,
// for each combination, the seeds whose drawn target it is, then a greedy cover; `npm run sim --
// --seeds 12000 --seed-start 1` prints another such list as "seeds that fire every combination
// above" (regenerate when the swarm's draws change).
const coveringSeeds: readonly number[] = [
  3, 5, 6, 12, 18, 21, 22, 23, 25, 32, 43, 49, 52, 58, 66, 69, 75, 85, 94, 105, 109, 129, 135, 136, 150, 157, 161, 166, 169, 176, 181,
  185, 187, 192, 208, 213, 217, 241, 262, 284, 316, 323, 335, 367, 381, 382, 480, 500, 584, 704, 738, 824, 917, 942, 959, 1153, 1377,
  1480, 1632, 1958, 2561,
];

test('crash coverage: pinned seeds crash a server at every combination, and every check passes after the restarts', () => {
  const coverage = new CrashCoverage();
  const failed: string[] = [];
  for (const seed of coveringSeeds) {
    const result = runReplicaSeed(seed);
    coverage.add(result);
    const violation = result.violations[0];
    if (violation !== undefined) failed.push(`${seed} ${violation.checker}: ${violation.message}`);
    else if (result.convergedAfterTicks === null) failed.push(`${seed}: the core did not converge`);
  }
  assert.deepEqual(failed, []);
  assert.equal(reachableCombinations.length, 66);
  assert.deepEqual(coverage.missing(), [], coverage.table().join('\n'));
});

test('an observer\'s TRUNC: the scripted scenario makes it in most seeds aimed at it', () => {
  const target = { point: 'truncate', when: 'before', role: 'observing', sync: 'TRUNC' } as const;
  let fired = 0;
  for (let seed = 0; seed < 10; seed++) {
    const result = runReplicaSeed(seed, { crashTarget: target });
    assert.deepEqual(result.violations, [], `seed ${seed}`);
    if (result.crashPoints?.includes(crashKey(target)) === true) fired++;
  }
  // 7 of 10 at 6bcea01 (the others' leaders never had an observer under them in time).
  assert.ok(fired >= 5, `${fired} of 10 seeds crashed the observer at its TRUNC`);
});

/** The first seed in [0, bound) that broadcast broken by `faults` fails, or null. */
function firstCaught(faults: UnsafeFaults, bound: number, options: Omit<RunReplicaSeedOptions, 'faults'> = {}): { seed: number; checker: string; message: string } | null {
  for (let seed = 0; seed < bound; seed++) {
    const violation = runReplicaSeed(seed, { ...options, faults }).violations[0];
    if (violation !== undefined) return { seed, checker: violation.checker, message: violation.message };
  }
  return null;
}

test('followers that ACK before the append is durable are caught within 100 seeds (a committed txn is lost)', () => {
  // The loss needs a follower to crash between its early ACK and its fsync, and the leader to be
  // gone before the txn reaches anyone else: the crash point and leader pauses are forced here
  // (the plain swarm caught it at seed 15 before pauses joined its draws, and not in seeds 0..399 since).
  const caught = firstCaught({ ackBeforeDurable: true }, 100, {
    crashAt: { point: { point: 'append', when: 'before' }, chance: 0.2 }, pauseLeaderPerTick: 0.02,
  });
  assert.notEqual(caught, null);
  assert.match(caught?.message ?? '', /leader-completeness|agreement|digest/);
});

test('a leader that commits without a quorum is caught within 50 seeds', () => {
  const caught = firstCaught({ commitWithoutQuorum: true }, 50);
  assert.notEqual(caught, null);
  assert.match(caught?.message ?? '', /leader-completeness|agreement|digest/);
});

test('a leader that sends DIFF where TRUNC is needed is caught within 50 seeds aimed at TRUNC', () => {
  const caught = firstCaught({ skipTrunc: true }, 50, { crashTarget: { point: 'truncate', when: 'after', role: 'following', sync: 'TRUNC' } });
  assert.notEqual(caught, null);
  assert.ok(caught !== null && ['replica-safety', 'assertion'].includes(caught.checker), caught?.message);
});

test('learners that raise currentEpoch at a rollover\'s ACKEPOCH are caught by the current-epoch check within 200 seeds', () => {
  const caught = firstCaught({ currentEpochAtRolloverAck: true }, 200);
  assert.match(caught?.message ?? '', /^current-epoch:/);
});

test('learners that send ACKEPOCH before acceptedEpoch is durable are caught within 50 seeds (crash at the epoch write forced)', () => {
  // A crash between the early ACKEPOCH and the write forgets the promise; the server then accepts
  // the same epoch from a second leader, and both send NEWLEADER of it (first caught at seed 3).
  const caught = firstCaught({ ackEpochBeforeDurable: true }, 50, { crashAt: { point: { point: 'accepted-epoch', when: 'before', sync: 'none' }, chance: 0.5 } });
  assert.match(caught?.message ?? '', /^(current-epoch|one-leader-per-epoch|leader-completeness)/);
});

test('a disk that loses fsynced writes at a crash is caught within 300 seeds', () => {
  // Only crashes that tear (a per-seed rate, off in 30 % of seeds) lose anything: first caught at
  // seed 118 (leader-completeness; seed 29 by current-epoch before replica applied commits a step later).
  let caught: string | null = null;
  for (let seed = 0; seed < 300 && caught === null; seed++) caught = runReplicaSeed(seed, { bugs: { tearDurable: true } }).violations[0]?.message ?? null;
  assert.match(caught ?? '', /^(leader-completeness|agreement|digest|current-epoch|one-leader-per-epoch|acknowledged-writes)/);
});

test('servers that reorder a session\'s replies are caught by the FIFO check within 20 seeds', () => {
  let caught: string | null = null;
  for (let seed = 0; seed < 20 && caught === null; seed++) caught = runReplicaSeed(seed, { bugs: { reverseClientOutputs: true } }).violations[0]?.message ?? null;
  assert.match(caught ?? '', /^fifo:/);
});

test('a sync+read that skips the sync (a stale follower read) is caught by lincheck within 500 seeds', () => {
  // About 1 seed in 100 catches it: seed 82 first when a Ready applied its commits at once, seed
  // 373 since the commits are applied in the Ready after the writes start (one step later).
  let caught: string | null = null;
  for (let seed = 0; seed < 500 && caught === null; seed++) {
    const violation = runReplicaSeed(seed, { bugs: { skipSync: true } }).violations[0];
    if (violation !== undefined) caught = violation.checker;
  }
  assert.equal(caught, 'linearizability');
});

test('servers that never deliver watch events are caught by the watch-order check within 20 seeds', () => {
  let caught: string | null = null;
  for (let seed = 0; seed < 20 && caught === null; seed++) caught = runReplicaSeed(seed, { bugs: { dropWatchEvents: true } }).violations[0]?.message ?? null;
  assert.match(caught ?? '', /^watch-order:/);
});

/**
 * Runs a range of seeds and collects the failures, each with the one-line
 * command that replays it exactly (STYLE §4: every failure ends in a repro).
 */
import type { Violation } from './checkers/checker.js';
import type { UnsafeFaults } from '@corral/broadcast';
import { runElectionSeed } from './election-sim.js';
import type { RunSeedOptions, SeedResult } from './election-sim.js';
import { runReplicaSeed } from './replica-sim.js';
import type { SwarmOverrides } from './swarm.js';

/** What each server runs: the full stack (default) or the election machine alone. */
export type SimStack = 'replica' | 'election';

/** Options of {@link runSeeds}. */
export interface RunSeedsOptions extends RunSeedOptions {
  readonly stack?: SimStack;
  /** Deliberate broadcast defects (full stack only; tests). */
  readonly faults?: UnsafeFaults;
  /** Overrides the linearizability search's step budget (full stack only; tests). */
  readonly lincheckSearchStepsMax?: number;
  readonly seedStart: number;
  readonly seedCount: number;
  /** Called after each seed, for progress output. */
  readonly onResult?: (result: SeedResult) => void;
}

/** What the faults did over a range of seeds, to show that they happen at all. */
export interface FaultTotals {
  steps: number;
  sentCount: number;
  lostCount: number;
  duplicatedCount: number;
  blockedCount: number;
  overflowCount: number;
  crashCount: number;
  tornRecordCount: number;
  failedFsyncCount: number;
  lostWriteCount: number;
}

/** What a range of seeds found. */
export interface RunSeedsSummary {
  readonly seedCount: number;
  readonly violationCount: number;
  readonly totals: FaultTotals;
  readonly failures: readonly { readonly result: SeedResult; readonly violation: Violation; readonly replay: string }[];
  /**
   * Seeds whose history the linearizability search could not decide within its budget: not a
   * violation, not a pass either; each with its replay command.
   */
  readonly undecided: readonly { readonly seed: number; readonly partitions: readonly string[]; readonly replay: string }[];
}

/** The closing line: `sim: N seeds, V violations`, and the undecided seeds when there are any. */
export function summaryLine(summary: Pick<RunSeedsSummary, 'seedCount' | 'violationCount' | 'undecided'>): string {
  const undecided = summary.undecided.length === 0 ? '' : `, ${summary.undecided.length} undecided`;
  return `sim: ${summary.seedCount} seeds, ${summary.violationCount} violations${undecided}`;
}

/** The command that replays one seed with the same overrides. */
export function replayCommand(seed: number, overrides: SwarmOverrides = {}, stack: SimStack = 'replica'): string {
  const flags = [`--seed ${seed}`];
  if (stack !== 'replica') flags.push(`--stack ${stack}`);
  if (overrides.safetyTicks !== undefined) flags.push(`--safety-ticks ${overrides.safetyTicks}`);
  return `npm run sim -- ${flags.join(' ')}`;
}

/** Runs seeds seedStart .. seedStart + seedCount - 1. */
export function runSeeds(options: RunSeedsOptions): RunSeedsSummary {
  const failures: { result: SeedResult; violation: Violation; replay: string }[] = [];
  const undecided: { seed: number; partitions: readonly string[]; replay: string }[] = [];
  let violationCount = 0;
  const totals: FaultTotals = { steps: 0, sentCount: 0, lostCount: 0, duplicatedCount: 0, blockedCount: 0, overflowCount: 0, crashCount: 0, tornRecordCount: 0, failedFsyncCount: 0, lostWriteCount: 0 };
  for (let i = 0; i < options.seedCount; i++) {
    const seed = options.seedStart + i;
    const result = options.stack === 'election'
      ? runElectionSeed(seed, options)
      : runReplicaSeed(seed, { overrides: options.overrides, faults: options.faults, lincheckSearchStepsMax: options.lincheckSearchStepsMax });
    options.onResult?.(result);
    addTotals(totals, result);
    violationCount += result.violations.length;
    const violation = result.violations[0];
    if (violation !== undefined) failures.push({ result, violation, replay: replayCommand(seed, options.overrides, options.stack) });
    const partitions = result.lincheckUndecided ?? [];
    if (partitions.length > 0) undecided.push({ seed, partitions, replay: replayCommand(seed, options.overrides, options.stack) });
  }
  return { seedCount: options.seedCount, violationCount, totals, failures, undecided };
}

function addTotals(totals: FaultTotals, result: SeedResult): void {
  totals.steps += result.steps;
  totals.sentCount += result.network.sentCount;
  totals.lostCount += result.network.lostCount;
  totals.duplicatedCount += result.network.duplicatedCount;
  totals.blockedCount += result.network.blockedCount;
  totals.overflowCount += result.network.overflowCount;
  totals.crashCount += result.simulation.crashCount;
  for (const disk of result.disks) {
    totals.tornRecordCount += disk.tornRecordCount;
    totals.failedFsyncCount += disk.failedFsyncCount;
    totals.lostWriteCount += disk.lostWriteCount;
  }
}

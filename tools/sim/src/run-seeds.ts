/**
 * Runs a range of seeds and collects the failures, each with the one-line
 * command that replays it exactly (STYLE §4: every failure ends in a repro).
 */
import type { Violation } from './checkers/checker.js';
import { runElectionSeed } from './election-sim.js';
import type { RunSeedOptions, SeedResult } from './election-sim.js';
import type { SwarmOverrides } from './swarm.js';

/** Options of {@link runSeeds}. */
export interface RunSeedsOptions extends RunSeedOptions {
  readonly seedStart: number;
  readonly seedCount: number;
  /** Called after each seed, for progress output. */
  readonly onResult?: (result: SeedResult) => void;
}

/** What a range of seeds found. */
export interface RunSeedsSummary {
  readonly seedCount: number;
  readonly violationCount: number;
  readonly failures: readonly { readonly result: SeedResult; readonly violation: Violation; readonly replay: string }[];
}

/** The command that replays one seed with the same overrides. */
export function replayCommand(seed: number, overrides: SwarmOverrides = {}): string {
  const flags = [`--seed ${seed}`];
  if (overrides.safetyTicks !== undefined) flags.push(`--safety-ticks ${overrides.safetyTicks}`);
  return `npm run sim -- ${flags.join(' ')}`;
}

/** Runs seeds seedStart .. seedStart + seedCount - 1. */
export function runSeeds(options: RunSeedsOptions): RunSeedsSummary {
  const failures: { result: SeedResult; violation: Violation; replay: string }[] = [];
  let violationCount = 0;
  for (let i = 0; i < options.seedCount; i++) {
    const seed = options.seedStart + i;
    const result = runElectionSeed(seed, options);
    options.onResult?.(result);
    violationCount += result.violations.length;
    const violation = result.violations[0];
    if (violation !== undefined) failures.push({ result, violation, replay: replayCommand(seed, options.overrides) });
  }
  return { seedCount: options.seedCount, violationCount, failures };
}

/**
 * Swarm testing (Groce et al., 2012; TigerBeetle's `options_swarm` in
 * src/vopr.zig): each seed picks not only the schedule but the whole
 * configuration — ensemble size, observers, log positions, limits, tick
 * ratios and fault rates — so that some seeds run with tiny limits and
 * violent faults and others with none, and rare combinations get hit.
 * Everything here comes from the run's PRNG, drawn in a fixed order.
 */
import type { ServerId } from '@corral/base';
import type { ElectionLimits } from '@corral/election';
import type { StepDownLimits } from './election-node.js';
import type { NetworkFaults } from './network.js';
import type { Xoshiro128 } from './prng.js';

/** Steps per tick of a server without skew. */
export const baseTickPeriodSteps = 10;

/** Fault rates of the safety phase, per base tick (probabilities in [0, 1]). */
export interface FaultRates {
  readonly crashPerTick: number;
  /** Mean ticks a crashed server stays down. */
  readonly downTicksMax: number;
  /** Chance a crash also tears the last durable record. */
  readonly tornTailPerCrash: number;
  /** Chance an fsync fails (the server then crashes). */
  readonly fsyncFailurePerWrite: number;
  /** Chance per tick that a random disk turns slow (or back). */
  readonly slowFsyncPerTick: number;
  readonly fsyncStepsSlow: number;
  readonly partitionPerTick: number;
  readonly oneWayCutPerTick: number;
  /** Chance per tick to start a swizzle-clog sequence (FoundationDB). */
  readonly swizzlePerTick: number;
  readonly healPerTick: number;
}

/** Everything one seed runs with. */
export interface SimConfig {
  readonly seed: number;
  readonly voters: readonly ServerId[];
  readonly observers: readonly ServerId[];
  /** Each server's log at start: currentEpoch and the last txn's counter in it (0 = no txn). */
  readonly initialLogs: ReadonlyMap<ServerId, { readonly epoch: number; readonly counter: number }>;
  readonly electionLimits: Partial<ElectionLimits>;
  readonly stepDown: StepDownLimits;
  readonly tickPeriodSteps: ReadonlyMap<ServerId, number>;
  readonly firstTickStep: ReadonlyMap<ServerId, number>;
  /** Each disk's fsync latency at start, in steps (slow disks make crashes lose writes). */
  readonly fsyncSteps: ReadonlyMap<ServerId, number>;
  readonly network: NetworkFaults;
  readonly inFlightMax: number;
  readonly faults: FaultRates;
  readonly safetyTicks: number;
  /** Budget of the liveness phase: the core must converge within it. */
  readonly livenessTicksMax: number;
  /** Ticks the converged state must hold before the liveness phase passes. */
  readonly stableTicks: number;
}

/** Overrides of the swarm's choices (CLI flags); each is part of the repro command. */
export interface SwarmOverrides {
  readonly safetyTicks?: number;
}

/** Picks a fraction of `max`, often zero: swarm runs many seeds with one fault kind off. */
function rate(prng: Xoshiro128, max: number): number {
  return prng.chance(0.3) ? 0 : (prng.below(1001) / 1000) * max;
}

/** What a stack needs of the ensemble (the full stack's crash target may need an observer). */
export interface SwarmNeeds {
  readonly observerCountMin?: number;
}

/** Draws the configuration of one seed. */
export function swarmConfig(seed: number, prng: Xoshiro128, overrides: SwarmOverrides = {}, needs: SwarmNeeds = {}): SimConfig {
  const voterCount = prng.pick([3, 3, 5, 5, 7]);
  const observerCount = Math.max(prng.pick([0, 0, 1, 2]), needs.observerCountMin ?? 0);
  const voters = Array.from({ length: voterCount }, (_, i) => i + 1);
  const observers = Array.from({ length: observerCount }, (_, i) => voterCount + i + 1);
  const members = [...voters, ...observers];
  const initialLogs = new Map<ServerId, { epoch: number; counter: number }>();
  // Few distinct positions, so ties (broken by sid) and near-ties are common.
  for (const sid of members) initialLogs.set(sid, { epoch: prng.below(3), counter: prng.below(4) });

  const notificationIntervalTicksMin = prng.intBetween(1, 4);
  const finalizeWaitTicks = prng.intBetween(1, 4);
  const electionLimits: Partial<ElectionLimits> = {
    notificationIntervalTicksMin,
    notificationIntervalTicksMax: notificationIntervalTicksMin << prng.below(5),
    finalizeWaitTicks,
    finalizeTicksMax: finalizeWaitTicks * prng.intBetween(1, 6),
  };

  const skewSteps = prng.below(4);
  const tickPeriodSteps = new Map<ServerId, number>();
  const firstTickStep = new Map<ServerId, number>();
  for (const sid of members) {
    tickPeriodSteps.set(sid, baseTickPeriodSteps + prng.intBetween(-skewSteps, skewSteps));
    firstTickStep.set(sid, prng.below(baseTickPeriodSteps));
  }

  const network: NetworkFaults = {
    lossProbability: rate(prng, 0.3),
    duplicateProbability: rate(prng, 0.1),
    reorderProbability: rate(prng, 0.5),
    delayStepsMin: 1,
    delayStepsMax: prng.pick([1, 3, 10, 20, 40]),
  };

  // The step-down bounds must outlast a round trip on the slowest clock, or
  // a healthy core keeps stepping down and never converges.
  const periodMin = baseTickPeriodSteps - skewSteps;
  const roundTripTicks = Math.ceil((2 * network.delayStepsMax) / periodMin) + 1;
  const pingIntervalTicks = prng.intBetween(1, 3);
  const syncLimitTicks = 2 * pingIntervalTicks + 2 * roundTripTicks + prng.intBetween(1, 6);
  const stepDown: StepDownLimits = {
    pingIntervalTicks,
    syncLimitTicks,
    initLimitTicks: syncLimitTicks + (electionLimits.finalizeTicksMax ?? 0) + roundTripTicks + prng.below(10),
  };

  const faults: FaultRates = {
    crashPerTick: rate(prng, 0.02),
    downTicksMax: prng.intBetween(5, 100),
    tornTailPerCrash: rate(prng, 0.5),
    fsyncFailurePerWrite: rate(prng, 0.02),
    slowFsyncPerTick: rate(prng, 0.02),
    fsyncStepsSlow: prng.intBetween(10, 300),
    partitionPerTick: rate(prng, 0.02),
    oneWayCutPerTick: rate(prng, 0.02),
    swizzlePerTick: rate(prng, 0.01),
    healPerTick: rate(prng, 0.05),
  };

  const fsyncSteps = new Map<ServerId, number>();
  for (const sid of members) fsyncSteps.set(sid, prng.chance(0.3) ? 1 + prng.below(faults.fsyncStepsSlow) : 1);

  const electionRoundTicks = (electionLimits.notificationIntervalTicksMax ?? 1) + (electionLimits.finalizeTicksMax ?? 1) + roundTripTicks;
  return {
    seed,
    voters,
    observers,
    initialLogs,
    electionLimits,
    stepDown,
    tickPeriodSteps,
    firstTickStep,
    fsyncSteps,
    network,
    inFlightMax: prng.pick([8 * members.length, 1000]),
    faults,
    safetyTicks: overrides.safetyTicks ?? prng.intBetween(50, 300),
    livenessTicksMax: 10 * (electionRoundTicks + stepDown.initLimitTicks) + 100,
    stableTicks: 2 * stepDown.initLimitTicks,
  };
}

/** One line describing a configuration, for failure reports. */
export function describeConfig(config: SimConfig): string {
  const n = config.network;
  const f = config.faults;
  const pct = (p: number): string => `${Math.round(p * 1000) / 10}%`;
  return [
    `voters=${config.voters.length} observers=${config.observers.length}`,
    `loss=${pct(n.lossProbability)} dup=${pct(n.duplicateProbability)} reorder=${pct(n.reorderProbability)} delay<=${n.delayStepsMax}`,
    `crash=${pct(f.crashPerTick)} partition=${pct(f.partitionPerTick)} swizzle=${pct(f.swizzlePerTick)} fsyncFail=${pct(f.fsyncFailurePerWrite)}`,
    `safety=${config.safetyTicks}t liveness<=${config.livenessTicksMax}t`,
  ].join(' ');
}

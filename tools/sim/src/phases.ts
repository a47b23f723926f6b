/**
 * The two phases of a run (TigerBeetle's vopr.zig): a safety phase under
 * the fault plan, where checkers watch every step, then a liveness phase
 * that heals a "core" — a random quorum of voters plus some observers — and
 * requires it to converge within a tick budget. The core's links are
 * unblocked, unclogged and made lossless, its disks made fast and its
 * crashed servers restarted; everyone outside the core is cut off from it
 * (they keep running, and may keep failing, without disturbing it).
 */
import { majorityQuorum } from '@corral/base';
import type { ServerId } from '@corral/base';
import type { LivenessGoal } from './checkers/checker.js';
import type { FaultPlan, FaultTarget } from './faults.js';
import type { NodeEvent } from './node.js';
import type { Xoshiro128 } from './prng.js';
import type { Simulation } from './simulation.js';
import { baseTickPeriodSteps } from './swarm.js';
import type { SimConfig } from './swarm.js';

/** The fault plan's handle on a simulation. */
export function faultTargetOf<M extends { readonly kind: string }, V, E extends NodeEvent>(sim: Simulation<M, V, E>): FaultTarget {
  return {
    members: sim.members,
    get now() {
      return sim.now;
    },
    isUp: (sid) => sim.isUp(sid),
    crash: (sid, tearTail) => sim.crash(sid, tearTail),
    restart: (sid) => sim.restart(sid),
    failNextFsync: (sid) => sim.disk(sid).failNextFsync(),
    hasPendingWrites: (sid) => sim.disk(sid).pendingWriteCount > 0,
    setFsyncSteps: (sid, steps) => {
      sim.disk(sid).fsyncSteps = steps;
    },
    partition: (groups) => sim.network.partition(groups),
    cutOneWay: (from, to) => sim.network.cutOneWay(from, to),
    clogServer: (sid) => {
      for (const other of sim.members) {
        if (other === sid) continue;
        sim.network.clog(sid, other);
        sim.network.clog(other, sid);
      }
    },
    unclogServer: (sid) => {
      for (const other of sim.members) {
        if (other === sid) continue;
        sim.network.unclog(sid, other, sim.now);
        sim.network.unclog(other, sid, sim.now);
      }
    },
    heal: () => sim.network.heal(sim.now),
  };
}

/** Base ticks a scripted scenario may extend the safety phase by. */
export const scenarioExtensionTicksMax = 2000;

/**
 * Runs the safety phase: `ticks` base ticks of faults, longer while `extend` says a scripted
 * scenario is still under way (at most {@link scenarioExtensionTicksMax} more).
 */
export function runSafetyPhase<M extends { readonly kind: string }, V, E extends NodeEvent>(
  sim: Simulation<M, V, E>, plan: FaultPlan, ticks: number, onTick?: () => void, extend?: () => boolean,
): void {
  const target = faultTargetOf(sim);
  const more = (tick: number): boolean => tick < ticks || (tick < ticks + scenarioExtensionTicksMax && extend?.() === true);
  for (let tick = 0; more(tick) && sim.violations.length === 0; tick++) {
    plan.tick(target);
    onTick?.();
    for (let i = 0; i < baseTickPeriodSteps; i++) sim.step();
  }
}

/** Picks the core: a random quorum of voters (at least a majority) and a random subset of observers. */
export function pickCore(config: SimConfig, prng: Xoshiro128): ServerId[] {
  const quorumSize = Math.floor(config.voters.length / 2) + 1;
  const voterCount = quorumSize + prng.below(config.voters.length - quorumSize + 1);
  const voters = prng.shuffled(config.voters).slice(0, voterCount);
  const observers = config.observers.filter(() => prng.chance(0.5));
  const core = [...voters, ...observers].sort((a, b) => a - b);
  const verifier = majorityQuorum({ voters: config.voters, observers: config.observers });
  if (!verifier.containsQuorum(new Set(core))) throw new Error('the core must hold a quorum');
  return core;
}

/** Result of the liveness phase. */
export interface LivenessResult {
  readonly core: readonly ServerId[];
  /** Ticks until the goal first held for good, or null if it never did within the budget. */
  readonly convergedAfterTicks: number | null;
}

/** Heals the core and runs until the goal holds for `stableTicks` ticks, or the budget runs out. */
export function runLivenessPhase<M extends { readonly kind: string }, V, E extends NodeEvent>(
  sim: Simulation<M, V, E>,
  options: { readonly config: SimConfig; readonly prng: Xoshiro128; readonly goal: LivenessGoal<V>; readonly onTick?: (core: readonly ServerId[]) => void; readonly ticksMax?: number },
): LivenessResult {
  const { config, goal } = options;
  const core = pickCore(config, options.prng);
  const outside = sim.members.filter((sid) => !core.includes(sid));
  sim.network.heal(sim.now);
  if (outside.length > 0) sim.network.partition([core, outside]);
  sim.network.setReliable(core);
  for (const sid of core) {
    sim.disk(sid).heal();
    sim.restart(sid);
  }
  let stable = 0;
  const ticksMax = options.ticksMax ?? config.livenessTicksMax;
  for (let tick = 0; tick < ticksMax; tick++) {
    options.onTick?.(core);
    for (let i = 0; i < baseTickPeriodSteps; i++) sim.step();
    if (sim.violations.length > 0) return { core, convergedAfterTicks: null };
    stable = goal.converged(sim.context(), core) ? stable + 1 : 0;
    if (stable >= config.stableTicks) return { core, convergedAfterTicks: tick + 1 - stable };
  }
  sim.violations.push({
    checker: goal.name,
    step: sim.now,
    message: `core ${core.join(',')} did not converge within ${ticksMax} ticks: ${goal.describe(sim.context(), core)}`,
  });
  return { core, convergedAfterTicks: null };
}

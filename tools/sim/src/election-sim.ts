/**
 * One seed of today's simulation: an ensemble of election nodes
 * (election-node.ts) under the swarm's configuration, the safety phase with
 * the election-safety checker, then the liveness phase with the one-leader
 * goal. Everything follows from the seed: the PRNG is created here and
 * nothing else makes choices.
 */
import { majorityQuorum } from '@corral/base';
import type { ServerId } from '@corral/base';
import { ElectionSafetyChecker } from './checkers/election-safety.js';
import { OneLeaderGoal } from './checkers/one-leader.js';
import type { Violation } from './checkers/checker.js';
import { SimClock } from './clock.js';
import { SimDisk } from './disk.js';
import type { DiskStats } from './disk.js';
import { ElectionNode } from './election-node.js';
import type { ElectionMessage, ElectionNodeBugs, ElectionNodeEvent, ElectionNodeView } from './election-node.js';
import { FaultPlan } from './faults.js';
import { Network } from './network.js';
import type { NetworkStats } from './network.js';
import { runLivenessPhase, runSafetyPhase } from './phases.js';
import { Xoshiro128 } from './prng.js';
import { epochRecord, txnRecord } from './records.js';
import { Simulation } from './simulation.js';
import type { SimulationStats } from './simulation.js';
import { swarmConfig } from './swarm.js';
import type { SimConfig, SwarmOverrides } from './swarm.js';
import { Trace } from './trace.js';

/** Options of {@link runElectionSeed}. */
export interface RunSeedOptions {
  readonly overrides?: SwarmOverrides;
  /** Deliberate defects in every node, for the tests that show the simulator catches them. */
  readonly bugs?: ElectionNodeBugs;
}

/** The outcome of one seed. */
export interface SeedResult {
  readonly seed: number;
  readonly config: SimConfig;
  readonly violations: readonly Violation[];
  readonly traceHash: string;
  readonly steps: number;
  /** Ticks the core needed to converge, or null. */
  readonly convergedAfterTicks: number | null;
  readonly core: readonly ServerId[];
  readonly recentTrace: readonly string[];
  readonly network: NetworkStats;
  readonly disks: readonly DiskStats[];
  readonly simulation: SimulationStats;
  /** Full stack: the crash points that fired, as point/when/role/sync (DIFF, TRUNC, SNAP or leader). */
  readonly crashPoints?: readonly string[];
  /** Full stack: how often each crash-point combination was reached, crashing or not. */
  readonly crashPointsReached?: ReadonlyMap<string, number>;
  /** Full stack: the broadcast coverage marks (rare paths) the seed reached. */
  readonly marks?: readonly string[];
  /** Full stack: partitions of the clients' history the linearizability search gave up on (undecided). */
  readonly lincheckUndecided?: readonly string[];
  /** Full stack: how a scripted scenario (observer-trunc.ts) ended, when the seed ran one. */
  readonly scenario?: string;
}

/** Bounds of the simulated disk per server; far above what a run writes, so hitting one is a bug. */
const diskLimits = { recordsMax: 100_000, pendingWritesMax: 10_000 };

/** Runs one seed of the election simulation. */
export function runElectionSeed(seed: number, options: RunSeedOptions = {}): SeedResult {
  const prng = new Xoshiro128(seed);
  const config = swarmConfig(seed, prng, options.overrides);
  const trace = new Trace();
  trace.line(`seed ${seed}`);
  const verifier = majorityQuorum({ voters: config.voters, observers: config.observers });
  const disks = new Map<ServerId, SimDisk>();
  for (const [sid, log] of config.initialLogs) {
    const disk = new SimDisk(diskLimits);
    const txns = Array.from({ length: log.counter }, (_, i) => txnRecord(log.epoch, i + 1));
    disk.format([epochRecord(log.epoch), ...txns]);
    disk.fsyncSteps = config.fsyncSteps.get(sid) ?? 1;
    disks.set(sid, disk);
  }
  const sim = new Simulation<ElectionMessage, ElectionNodeView, ElectionNodeEvent>({
    voters: config.voters,
    observers: config.observers,
    factory: (start) => new ElectionNode({ ...start, verifier, electionLimits: config.electionLimits, stepDown: config.stepDown, bugs: options.bugs }),
    clock: new SimClock({ tickPeriodSteps: config.tickPeriodSteps, firstTickStep: config.firstTickStep }),
    network: new Network<ElectionMessage>({ prng, faults: config.network, inFlightMax: config.inFlightMax }),
    disks,
    checkers: [new ElectionSafetyChecker()],
    trace,
  });
  runSafetyPhase(sim, new FaultPlan(config.faults, prng, trace), config.safetyTicks);
  let liveness: { core: readonly ServerId[]; convergedAfterTicks: number | null } = { core: [], convergedAfterTicks: null };
  if (sim.violations.length === 0) liveness = runLivenessPhase(sim, { config, prng, goal: new OneLeaderGoal() });
  return {
    seed,
    config,
    violations: sim.violations,
    traceHash: trace.hash(),
    steps: sim.now,
    convergedAfterTicks: liveness.convergedAfterTicks,
    core: liveness.core,
    recentTrace: trace.recentLines(),
    network: sim.network.stats,
    disks: [...disks.values()].map((disk) => disk.stats),
    simulation: sim.stats,
  };
}

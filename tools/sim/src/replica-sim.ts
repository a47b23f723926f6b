/**
 * One seed of the full stack: an ensemble of {@link ReplicaNode}s (real
 * election → broadcast → replica) under the swarm's configuration plus the
 * replica's own draws (broadcast limits, snapshots, clients), the safety
 * phase with the replica checkers and the clients, then the liveness phase:
 * the healed core must elect a leader, sync everyone in it and commit a txn
 * of the new epoch on all of it. At the end the clients' history must be
 * linearizable and every acknowledged write must be in the core leader's tree.
 */
import { assert, majorityQuorum, zxidEpoch, type ServerId } from '@corral/base';
import type { BroadcastLimits, UnsafeFaults } from '@corral/broadcast';
import { captureMarks } from '@corral/broadcast/testing';
import { checkLinearizable, znodeModel } from '@corral/lincheck';
import { lostAcknowledgedWrite } from './checkers/acknowledged-writes.js';
import type { CheckContext, LivenessGoal } from './checkers/checker.js';
import { ReplicaSafetyChecker } from './checkers/replica-safety.js';
import { SimClients, type ClientRates } from './clients.js';
import { SimClock } from './clock.js';
import { SimDisk } from './disk.js';
import type { SeedResult } from './election-sim.js';
import { FaultPlan } from './faults.js';
import { Network } from './network.js';
import { runLivenessPhase, runSafetyPhase } from './phases.js';
import { Xoshiro128 } from './prng.js';
import { drawCrashTarget, type CrashTarget } from './crash-coverage.js';
import { ObserverTruncDirector, quietFaults } from './observer-trunc.js';
import { RecordStore, ReplicaNode, type CrashAt, type ReplicaMessage, type ReplicaNodeEvent, type ReplicaNodeView } from './replica-node.js';
import { withoutSuperseded } from './superseded.js';
import { Simulation } from './simulation.js';
import { swarmConfig, type SimConfig, type SwarmOverrides } from './swarm.js';
import { Trace } from './trace.js';

/** Options of {@link runReplicaSeed}. */
export interface RunReplicaSeedOptions {
  readonly overrides?: SwarmOverrides;
  /** Deliberate defects in broadcast, for the tests that show the simulator catches them. */
  readonly faults?: UnsafeFaults;
  /** Deliberate defects of the server around broadcast (tests only). */
  readonly bugs?: ReplicaBugs;
  /** Overrides the swarm's chance per base tick to pause the leader (the ZOOKEEPER-1675 test). */
  readonly pauseLeaderPerTick?: number;
  /** Overrides the swarm's crash point and its chance per hit. */
  readonly crashAt?: { readonly point: CrashAt; readonly chance: number };
  /** Aims the seed at this crash combination (with the swarm's steering for it) instead of drawing one. */
  readonly crashTarget?: CrashTarget | null;
  /** Overrides the linearizability search's step budget (tests of the undecided count). */
  readonly lincheckSearchStepsMax?: number;
}

/** Whether the seed's target is an observer's crash after TRUNC: the scenario director makes that sync happen. */
function directed(target: CrashTarget | null): boolean {
  return target?.role === 'observing' && target.sync === 'TRUNC';
}

/** Defects for the tests of the FIFO and linearizability checkers. */
export interface ReplicaBugs {
  /** Servers hand a Ready's client outputs over in reverse order. */
  readonly reverseClientOutputs?: boolean;
  /** Clients read without the sync before it (ZooKeeper's stale follower read). */
  readonly skipSync?: boolean;
  /** Servers never deliver watch events. */
  readonly dropWatchEvents?: boolean;
  /** A crash tears the last fsynced record (a disk that loses acknowledged writes). */
  readonly tearDurable?: boolean;
}

/** The replica's own swarm draws, after the shared ones. */
export interface ReplicaSwarm {
  /** Chance per base tick to pause (SIGSTOP) the established leader, and for how many base ticks. */
  readonly pauseLeaderPerTick: number;
  readonly pauseTicksMax: number;
  /** The persistence points this seed crashes servers at (the target, and helpers), and the chance per hit. */
  readonly crashAt: readonly CrashAt[];
  readonly crashAtChance: number;
  readonly limits: BroadcastLimits;
  readonly snapshotEvery: number;
  readonly purgeLog: boolean;
  readonly clients: ClientRates;
}

const tickMs = 100;
/**
 * Crashes that make TRUNC likely: a leader dying before its proposal is durable leaves it on
 * followers only; a leader dying at its discovery's currentEpoch write has sent its history (with such
 * a tail) to learners and never establishes, so the next leader lacks it.
 */
const truncHelpers: readonly CrashAt[] = [
  { point: 'append', when: 'before', role: 'leading', chance: 0.02 },
  { point: 'current-epoch', when: 'before', role: 'leading', chance: 0.2 },
  { point: 'append', when: 'before', role: 'following', chance: 0.1 },
];
const diskLimits = { recordsMax: 100_000, pendingWritesMax: 10_000, tear: 'unsynced' } as const;

/**
 * Draws the replica's configuration: tiny limits often, so that they are hit. The seed's crash
 * target steers it (crash-coverage.ts): after SNAP, a window of one txn beyond the pending limit
 * and frequent purging snapshots, so that a learner that falls behind must be sent a snapshot;
 * after TRUNC, many proposals in flight, busy clients and leaders that also crash at their
 * epoch writes, so that learners hold txns the next leader never had.
 */
export function replicaSwarm(config: SimConfig, prng: Xoshiro128, target: CrashTarget | null): ReplicaSwarm {
  const snapWanted = target?.sync === 'SNAP';
  const truncWanted = target?.sync === 'TRUNC';
  // A learner writes acceptedEpoch after its sync only at a rollover: a small counter limit.
  const rolloverWanted = target?.point === 'accepted-epoch' && target.role !== 'leading' && target.sync !== 'none';
  // Every draw is made whatever the target, so that steering changes only the steered values.
  const pendingDrawn = prng.pick([1, 3, 50]);
  const pendingProposalsMax = truncWanted ? 50 : pendingDrawn;
  const windowExtraDrawn = prng.pick([1, 8, 200]);
  const windowTxnsMax = pendingProposalsMax + (snapWanted ? 1 : windowExtraDrawn);
  const learnerPendingTxnsMax = windowTxnsMax + 1000;
  const limits: BroadcastLimits = {
    pendingProposalsMax,
    windowTxnsMax,
    learnerPendingTxnsMax,
    outboundMessagesPerPeerMax: 2 * learnerPendingTxnsMax + 1000,
    zxidCounterMax: rolloverWanted ? prng.pick([4, 20]) : prng.pick([0xffffffff, 0xffffffff, 4, 20]),
    initLimitTicks: config.stepDown.initLimitTicks,
    syncLimitTicks: config.stepDown.syncLimitTicks,
  };
  const pauseDrawn = prng.chance(0.5) ? 0 : prng.pick([0.005, 0.02, 0.05]);
  const pauseTicksMax = 2 * config.stepDown.initLimitTicks + prng.intBetween(1, 100);
  const chanceDrawn = prng.pick([0.05, 0.2, 0.5]);
  const snapshotEveryDrawn = prng.pick([0, 3, 10]);
  const purgeDrawn = prng.chance(0.5);
  const clientCount = prng.intBetween(1, 4);
  const actDrawn = prng.pick([0.1, 0.3, 0.8]);
  // A directed seed scripts its own faults: no pauses and no helper crashes.
  return {
    pauseLeaderPerTick: directed(target) ? 0 : pauseDrawn,
    pauseTicksMax,
    crashAt: target === null ? [] : truncWanted && !directed(target) ? [target, ...truncHelpers] : [target],
    // TRUNC and SNAP syncs are rare (a directed seed reaches its point about once): crash at most hits.
    crashAtChance: directed(target) ? 1 : truncWanted || snapWanted ? Math.max(chanceDrawn * 2, 0.5) : chanceDrawn,
    limits,
    snapshotEvery: snapWanted ? 3 : snapshotEveryDrawn,
    purgeLog: snapWanted || purgeDrawn,
    clients: {
      clientCount,
      actPerTick: truncWanted ? 0.8 : actDrawn,
      walkAwayPerAction: prng.pick([0, 0.02, 0.1]),
      sessionTimeoutMs: tickMs * prng.intBetween(4, 40),
      opsMax: 120,
    },
  };
}

/**
 * The liveness goal: one established leader in the core, every other core
 * member established under it, and all of them applied to the same zxid in
 * the leader's epoch (so the new leader committed something: at least the
 * probe session's createSession). Every member: a straggler whose
 * acceptedEpoch is above the leader's epoch makes the leader move to an epoch
 * above it (broadcast README, "Epoch rollover"; seed 1004463 at 17dde73).
 */
class CommitGoal implements LivenessGoal<ReplicaNodeView> {
  readonly name = 'liveness';

  converged(context: CheckContext<ReplicaNodeView>, core: readonly ServerId[]): boolean {
    return this.problem(context, core) === null;
  }

  describe(context: CheckContext<ReplicaNodeView>, core: readonly ServerId[]): string {
    const states = core.map((sid) => {
      const v = context.views.get(sid);
      return v === undefined ? `${sid}:down` : `${sid}:${v.role}${v.established ? '' : '(syncing)'}@0x${v.appliedZxid.toString(16)}`;
    });
    return `${this.problem(context, core) ?? 'converged'}; core ${states.join(' ')}`;
  }

  private problem(context: CheckContext<ReplicaNodeView>, core: readonly ServerId[]): string | null {
    const leaders = core.map((sid) => context.views.get(sid)).filter((v) => v?.role === 'leading' && v.established);
    const leader = leaders[0];
    if (leaders.length !== 1 || leader === undefined) return `${leaders.length} established core leaders`;
    if (zxidEpoch(leader.appliedZxid) !== leader.epoch) return `leader ${leader.sid} committed nothing in epoch ${leader.epoch}`;
    for (const sid of core) {
      const view = context.views.get(sid);
      if (view === undefined) return `${sid} is down`;
      if (sid === leader.sid) continue;
      if (!view.established || view.leaderSid !== leader.sid) return `${sid} is ${view.role}, not established under ${leader.sid}`;
      if (view.appliedZxid !== leader.appliedZxid) return `${sid} applied 0x${view.appliedZxid.toString(16)}, leader 0x${leader.appliedZxid.toString(16)}`;
    }
    return null;
  }
}

/** Runs one seed of the full-stack simulation; the result names the broadcast marks it reached. */
export function runReplicaSeed(seed: number, options: RunReplicaSeedOptions = {}): SeedResult {
  let result: SeedResult | null = null;
  const marks = captureMarks(() => {
    result = runSeedUnmarked(seed, options);
  });
  assert(result !== null, 'the seed ran');
  return { ...(result as SeedResult), marks: [...marks] };
}

function runSeedUnmarked(seed: number, options: RunReplicaSeedOptions): SeedResult {
  const prng = new Xoshiro128(seed);
  // The crash target first: an observer's crash point needs an observer in the ensemble.
  const drawnTarget = drawCrashTarget(prng);
  const target = options.crashTarget === undefined ? drawnTarget : options.crashTarget;
  const drawnConfig = swarmConfig(seed, prng, options.overrides, { observerCountMin: target?.role === 'observing' ? 1 : 0 });
  const config = directed(target) ? { ...drawnConfig, faults: quietFaults(drawnConfig.faults) } : drawnConfig;
  const drawn = replicaSwarm(config, prng, target);
  const swarm: ReplicaSwarm = {
    ...drawn,
    pauseLeaderPerTick: options.pauseLeaderPerTick ?? drawn.pauseLeaderPerTick,
    crashAt: options.crashAt === undefined ? drawn.crashAt : [options.crashAt.point],
    crashAtChance: options.crashAt?.chance ?? drawn.crashAtChance,
  };
  const trace = new Trace();
  trace.line(`seed ${seed} full stack`);
  const verifier = majorityQuorum({ voters: config.voters, observers: config.observers });
  const disks = new Map<ServerId, SimDisk>();
  for (const sid of [...config.voters, ...config.observers]) {
    const disk = new SimDisk(options.bugs?.tearDurable === true ? { ...diskLimits, tear: 'durable' } : diskLimits);
    disk.fsyncSteps = config.fsyncSteps.get(sid) ?? 1;
    disks.set(sid, disk);
  }
  const records = new RecordStore();
  const crashPointsReached = new Map<string, number>();
  // Crash points fire in the safety phase only: the liveness phase's core must be left to converge.
  let crashPointsOn = true;
  let streams = 0;
  const incarnations = new Map<ServerId, number>();
  const safety = new ReplicaSafetyChecker();
  const clients = new SimClients({ ...swarm.clients, skipSync: options.bugs?.skipSync }, prng);
  const sim = new Simulation<ReplicaMessage, ReplicaNodeView, ReplicaNodeEvent>({
    voters: config.voters,
    observers: config.observers,
    turnBatch: withoutSuperseded,
    factory: (start) => {
      const incarnation = (incarnations.get(start.sid) ?? -1) + 1;
      incarnations.set(start.sid, incarnation);
      return new ReplicaNode({
        ...start, verifier, voters: config.voters, observers: config.observers, electionLimits: config.electionLimits, limits: swarm.limits, records,
        nextStream: () => ++streams, incarnation, snapshotEvery: swarm.snapshotEvery, purgeLog: swarm.purgeLog, tickMs, faults: options.faults,
        reverseClientOutputs: options.bugs?.reverseClientOutputs,
        dropWatchEvents: options.bugs?.dropWatchEvents,
        crashAt: { points: swarm.crashAt, chance: (probability) => crashPointsOn && prng.chance(probability ?? swarm.crashAtChance) },
        reached: crashPointsReached,
      });
    },
    clock: new SimClock({ tickPeriodSteps: config.tickPeriodSteps, firstTickStep: config.firstTickStep }),
    network: new Network<ReplicaMessage>({ prng, faults: config.network, inFlightMax: config.inFlightMax, streamed: (message) => message.kind === 'peer' }),
    disks,
    checkers: [safety, clients],
    trace,
  });
  const nodeOf = (sid: ServerId): ReplicaNode | undefined => sim.nodeOf(sid) as ReplicaNode | undefined;
  // Servers frozen at a crash point crash now and restart a few ticks later.
  const restartAt = new Map<ServerId, number>();
  const crashPointsHit: string[] = [];
  const crashAtPoints = (): void => {
    for (const sid of sim.members) {
      const node = nodeOf(sid);
      if (node?.crashRequested != null) {
        crashPointsHit.push(node.crashRequested);
        trace.line(`${sim.now} crash point ${node.crashRequested} on ${sid}`);
        sim.crash(sid, node.crashRequested.includes('/before/') && prng.chance(0.5));
        restartAt.set(sid, sim.now + prng.intBetween(1, 30) * 10);
      } else if (node === undefined && (restartAt.get(sid) ?? Infinity) <= sim.now) {
        restartAt.delete(sid);
        sim.restart(sid);
      }
    }
  };
  // ZOOKEEPER-1675's scenario: the leader is paused, the others elect a new one and commit, and
  // the old leader resumes still believing it leads.
  const resumeAt = new Map<ServerId, number>();
  const pauseLeaders = (): void => {
    for (const [sid, at] of resumeAt) {
      if (at > sim.now) continue;
      resumeAt.delete(sid);
      sim.resume(sid);
    }
    if (swarm.pauseLeaderPerTick === 0 || !prng.chance(swarm.pauseLeaderPerTick)) return;
    const leader = sim.members.find((sid) => {
      const view = nodeOf(sid)?.view();
      return view?.role === 'leading' && view.established && !sim.isPaused(sid);
    });
    if (leader === undefined) return;
    sim.pause(leader);
    resumeAt.set(leader, sim.now + prng.intBetween(1, swarm.pauseTicksMax) * 10);
  };
  const director = !directed(target) ? null : new ObserverTruncDirector({
    voters: config.voters, observers: config.observers, nodeOf,
    get now() {
      return sim.now;
    },
    cutOneWay: (from, to) => sim.network.cutOneWay(from, to),
    heal: () => sim.network.heal(sim.now),
    crash: (sid) => sim.crash(sid, false),
    restart: (sid) => sim.restart(sid),
  }, trace, 4 * config.stepDown.initLimitTicks + prng.intBetween(1, 50));
  runSafetyPhase(sim, new FaultPlan(config.faults, prng, trace, (sid) => director?.holds(sid) ?? false), config.safetyTicks, () => {
    director?.onTick();
    crashAtPoints();
    pauseLeaders();
    clients.tick(sim.members, nodeOf);
    // A directed seed runs until its scenario is over and the servers its crash points took are back.
  }, () => director !== null && (director.outcome === null || restartAt.size > 0));
  director?.finish();
  crashPointsOn = false;
  crashAtPoints();
  for (const sid of resumeAt.keys()) sim.resume(sid);
  let liveness: { core: readonly ServerId[]; convergedAfterTicks: number | null } = { core: [], convergedAfterTicks: null };
  if (sim.violations.length === 0) {
    // A probe session on each new core leader: its createSession is the txn the new epoch must commit.
    const probed = new Set<string>();
    let origin = 1_000_000;
    const onTick = (core: readonly ServerId[]): void => {
      for (const sid of core) {
        const node = nodeOf(sid);
        const view = node?.view();
        if (node === undefined || view?.role !== 'leading' || !view.established) continue;
        const key = `${sid}/${view.epoch}`;
        if (!probed.has(key) && node.connect(origin++, 60_000) !== null) probed.add(key);
      }
    };
    const ticksMax = 2 * config.livenessTicksMax + 4 * swarm.limits.initLimitTicks;
    liveness = runLivenessPhase(sim, { config, prng, goal: new CommitGoal(), onTick, ticksMax });
  }
  const lincheckUndecided = sim.violations.length === 0 ? finalChecks(sim, clients, liveness.core, options.lincheckSearchStepsMax) : [];
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
    crashPoints: crashPointsHit,
    crashPointsReached,
    lincheckUndecided,
    scenario: director?.outcome ?? undefined,
  };
}

/**
 * Linearizability of the clients' history; acknowledged writes in the core leader's tree. Returns
 * the partitions the search gave up on: undecided is not a pass, the run reports how many.
 */
function finalChecks(
  sim: Simulation<ReplicaMessage, ReplicaNodeView, ReplicaNodeEvent>, clients: SimClients, core: readonly ServerId[], searchStepsMax: number | undefined,
): string[] {
  const context = sim.context();
  const leader = core.map((sid) => context.views.get(sid)).find((view) => view?.role === 'leading');
  const lost = leader === undefined ? null : lostAcknowledgedWrite(clients.acknowledged, leader);
  if (lost !== null) sim.violations.push({ checker: 'acknowledged-writes', step: sim.now, message: lost });
  const result = checkLinearizable(znodeModel, clients.history(), searchStepsMax === undefined ? {} : { searchStepsMax });
  if (result.verdict === 'violation') {
    const failure = result.failures.find((f) => f.verdict === 'violation');
    sim.violations.push({ checker: 'linearizability', step: sim.now, message: `${failure?.partition ?? '?'}: ${(failure?.history ?? []).join(' | ')}` });
  }
  return result.failures.filter((f) => f.verdict === 'undecided').map((f) => f.partition);
}

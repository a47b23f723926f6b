/**
 * One seeded random run of a Cluster: proposals, Ready processing, durable
 * writes, deliveries, ticks, crashes that lose unsynced writes, restarts,
 * broken streams and elections, interleaved by one PRNG. The same seed
 * replays the same run (the trace hash proves it).
 */
import type { UnsafeFaults } from '../types.js';
import type { BroadcastLimits } from '../limits.js';
import { Cluster } from './cluster.js';
import { Leader } from '../leader.js';
import { Prng } from './prng.js';

/** Options of runRandom. */
export interface RandomRunOptions {
  readonly seed: number;
  readonly voterCount: number;
  readonly observerCount?: number;
  readonly steps: number;
  readonly faults?: UnsafeFaults;
  readonly limits?: Partial<BroadcastLimits>;
  readonly snapshotEvery?: number;
  /** Log retention of the fake driver (default 'compact'). */
  readonly logRetention?: 'compact' | 'keep';
  /** Stop at the first violation (for replaying a failing seed with its trace). */
  readonly stopOnViolation?: boolean;
  /** Chance of a crash per step, in percent of the steps (default 1). */
  readonly crashPercent?: number;
}

/** What a run found. */
export interface RandomRunResult {
  readonly violations: readonly string[];
  /** FNV-1a of the whole trace: equal for equal seeds. */
  readonly traceHash: string;
  /** Txns applied on any server (a run that commits nothing proves little). */
  readonly appliedCount: number;
  /** The last trace lines (up to 400), to debug a failing seed. */
  readonly traceTail: readonly string[];
}

/** Runs one seed; never throws on a violation (returns it), but a broken assertion propagates. */
export function runRandom(options: RandomRunOptions): RandomRunResult {
  const prng = new Prng(options.seed);
  const voters = Array.from({ length: options.voterCount }, (_, i) => i + 1);
  const observers = Array.from({ length: options.observerCount ?? 0 }, (_, i) => options.voterCount + i + 1);
  const cluster = new Cluster({
    voters,
    observers,
    faults: options.faults ?? {},
    limits: options.limits ?? {},
    snapshotEvery: options.snapshotEvery ?? 8,
    logRetention: options.logRetention ?? 'compact',
    prng,
  });
  const all = [...voters, ...observers];
  let proposals = 0;
  cluster.electIfPossible();
  const crashPercent = options.crashPercent ?? 1;
  for (let step = 0; step < options.steps; step++) {
    if (options.stopOnViolation === true && cluster.checker.violations.length > 0) break;
    if (prng.below(100) < crashPercent) {
      cluster.crash(prng.pick(all));
      continue;
    }
    const roll = prng.below(100);
    if (roll < 20) {
      const ready = all.filter((sid) => cluster.node(sid).machine?.hasReady() === true);
      if (ready.length > 0) cluster.process(prng.pick(ready));
    } else if (roll < 35) {
      const pending = all.filter((sid) => cluster.node(sid).pendingReady !== null);
      if (pending.length > 0) cluster.persist(prng.pick(pending));
    } else if (roll < 70) {
      const links = cluster.busyLinks();
      if (links.length > 0) {
        const [from, to] = prng.pick(links);
        cluster.deliver(from, to);
      }
    } else if (roll < 82) {
      const leader = cluster.leader();
      if (leader?.machine instanceof Leader) cluster.propose(leader.sid, `s${options.seed}.${proposals++}`);
    } else if (roll < 88) {
      for (const sid of all) cluster.tick(sid);
    } else if (roll < 93) {
      const crashed = all.filter((sid) => cluster.node(sid).role === 'CRASHED');
      if (crashed.length > 0) cluster.restart(prng.pick(crashed));
    } else if (roll < 94) {
      const leader = cluster.leader();
      const learners = all.filter((sid) => cluster.node(sid).role === 'FOLLOWING' || cluster.node(sid).role === 'OBSERVING');
      if (leader !== undefined && learners.length > 0) cluster.disconnect(leader.sid, prng.pick(learners));
    } else {
      cluster.electIfPossible();
    }
  }
  let appliedCount = 0;
  for (const node of cluster.nodes.values()) appliedCount += node.tree.length;
  return { violations: cluster.checker.violations, traceHash: fnv1a(cluster.trace), appliedCount, traceTail: cluster.trace.slice(-400) };
}

function fnv1a(lines: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) {
      hash ^= line.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    hash ^= 10;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

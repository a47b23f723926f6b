/**
 * The fault plan of the safety phase: once per base tick it rolls, from the
 * run's PRNG, for each kind of fault the swarm enabled:
 * - crash a server (sometimes tearing its last durable record), and restart
 *   it after a random downtime;
 * - fail the next fsync of a disk with writes pending; make a disk slow or
 *   fast again;
 * - a symmetric partition into two random groups, or one cut direction;
 * - swizzle-clogging (FoundationDB, documentation/sphinx/source/testing.rst):
 *   clog a random subset of servers one by one, then unclog them one by one
 *   in a new random order. It finds bugs that a clean partition does not,
 *   because links come back at different times;
 * - heal every link.
 */
import type { ServerId } from '@corral/base';
import type { Xoshiro128 } from './prng.js';
import type { FaultRates } from './swarm.js';
import type { Trace } from './trace.js';

/** What the fault plan may do to the ensemble. */
export interface FaultTarget {
  readonly members: readonly ServerId[];
  readonly now: number;
  isUp(sid: ServerId): boolean;
  crash(sid: ServerId, tearTail: boolean): void;
  restart(sid: ServerId): void;
  failNextFsync(sid: ServerId): void;
  hasPendingWrites(sid: ServerId): boolean;
  setFsyncSteps(sid: ServerId, steps: number): void;
  partition(groups: readonly (readonly ServerId[])[]): void;
  cutOneWay(from: ServerId, to: ServerId): void;
  clogServer(sid: ServerId): void;
  unclogServer(sid: ServerId): void;
  heal(): void;
}

interface Swizzle {
  readonly clogOrder: ServerId[];
  readonly unclogOrder: ServerId[];
  /** Ticks until the next clog or unclog. */
  wait: number;
}

/** Rolls faults once per tick during the safety phase. */
export class FaultPlan {
  private readonly restartAt = new Map<ServerId, number>();
  private swizzle: Swizzle | null = null;
  private tickIndex = 0;

  constructor(
    private readonly rates: FaultRates,
    private readonly prng: Xoshiro128,
    private readonly trace: Trace,
    /** Servers a scenario keeps down: the plan does not restart them. */
    private readonly held: (sid: ServerId) => boolean = () => false,
  ) {}

  /** One base tick of faults. */
  tick(target: FaultTarget): void {
    this.tickIndex++;
    const prng = this.prng;
    const rates = this.rates;
    for (const [sid, at] of this.restartAt) {
      if (at > this.tickIndex) continue;
      this.restartAt.delete(sid);
      target.restart(sid);
    }
    // A failed fsync crashes a server behind the plan's back: schedule its restart too.
    for (const sid of target.members) {
      if (!target.isUp(sid) && !this.restartAt.has(sid) && !this.held(sid)) this.restartAt.set(sid, this.tickIndex + 1 + prng.below(rates.downTicksMax));
    }
    if (prng.chance(rates.crashPerTick)) {
      const sid = prng.pick(target.members);
      if (target.isUp(sid)) {
        target.crash(sid, prng.chance(rates.tornTailPerCrash));
        this.restartAt.set(sid, this.tickIndex + 1 + prng.below(rates.downTicksMax));
      }
    }
    for (const sid of target.members) {
      if (target.hasPendingWrites(sid) && prng.chance(rates.fsyncFailurePerWrite)) target.failNextFsync(sid);
    }
    if (prng.chance(rates.slowFsyncPerTick)) {
      target.setFsyncSteps(prng.pick(target.members), prng.chance(0.5) ? 1 + prng.below(rates.fsyncStepsSlow) : 1);
    }
    if (prng.chance(rates.partitionPerTick)) {
      const shuffled = prng.shuffled(target.members);
      const cut = 1 + prng.below(shuffled.length - 1);
      const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
      this.trace.line(`${target.now} partition ${groups.map((g) => g.join(',')).join(' | ')}`);
      target.partition(groups);
    }
    if (prng.chance(rates.oneWayCutPerTick)) {
      const [from, to] = prng.shuffled(target.members);
      if (from !== undefined && to !== undefined) {
        this.trace.line(`${target.now} cut ${from}->${to}`);
        target.cutOneWay(from, to);
      }
    }
    this.tickSwizzle(target);
    if (prng.chance(rates.healPerTick)) {
      this.trace.line(`${target.now} heal`);
      target.heal();
    }
  }

  /** Servers the plan has crashed and not yet restarted. */
  pendingRestarts(): ServerId[] {
    return [...this.restartAt.keys()];
  }

  private tickSwizzle(target: FaultTarget): void {
    const prng = this.prng;
    if (this.swizzle === null) {
      if (!prng.chance(this.rates.swizzlePerTick)) return;
      const subset = prng.shuffled(target.members).slice(0, 1 + prng.below(target.members.length));
      this.swizzle = { clogOrder: subset, unclogOrder: prng.shuffled(subset), wait: 0 };
      this.trace.line(`${target.now} swizzle ${subset.join(',')}`);
    }
    const swizzle = this.swizzle;
    if (swizzle.wait > 0) {
      swizzle.wait--;
      return;
    }
    swizzle.wait = prng.below(10);
    const clog = swizzle.clogOrder.shift();
    if (clog !== undefined) {
      target.clogServer(clog);
      return;
    }
    const unclog = swizzle.unclogOrder.shift();
    if (unclog !== undefined) target.unclogServer(unclog);
    if (swizzle.unclogOrder.length === 0) this.swizzle = null;
  }
}

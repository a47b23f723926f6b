/**
 * Simulated time. The simulator counts global time in steps; each server
 * counts its own ticks, one every `tickPeriodSteps[sid]` steps. Different
 * periods model clock skew (a server whose clock runs fast times out early,
 * as a real one whose oscillator drifts would), and nothing here ever reads
 * a real clock.
 */
import { assert } from '@corral/base';
import type { ServerId } from '@corral/base';

/** Options of {@link SimClock}. */
export interface SimClockOptions {
  /** Steps between two ticks of each server; the spread between servers is the skew. */
  readonly tickPeriodSteps: ReadonlyMap<ServerId, number>;
  /** Each server's first tick, in steps, so servers do not tick in lockstep. */
  readonly firstTickStep: ReadonlyMap<ServerId, number>;
}

/** Global step counter plus each server's tick schedule. */
export class SimClock {
  private nowStep = 0;
  private readonly periods: ReadonlyMap<ServerId, number>;
  private readonly nextTick = new Map<ServerId, number>();

  constructor(options: SimClockOptions) {
    this.periods = options.tickPeriodSteps;
    for (const [sid, period] of options.tickPeriodSteps) {
      assert(Number.isSafeInteger(period) && period > 0, `tick period of ${sid} must be a positive integer`);
      this.nextTick.set(sid, options.firstTickStep.get(sid) ?? 0);
    }
  }

  /** The current global step. */
  get now(): number {
    return this.nowStep;
  }

  /** Moves time forward by one step. */
  advance(): void {
    this.nowStep++;
  }

  /** Servers whose tick falls on this step, in ascending sid order; schedules their next tick. */
  dueTicks(): ServerId[] {
    const due: ServerId[] = [];
    for (const [sid, at] of this.nextTick) {
      if (at > this.nowStep) continue;
      due.push(sid);
      this.nextTick.set(sid, at + (this.periods.get(sid) ?? 1));
    }
    return due;
  }
}

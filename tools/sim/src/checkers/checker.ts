/**
 * What a checker is. The simulator hands every checker each event a node
 * emits (onEvent) and, after any step in which some node produced output,
 * the views of the servers that are up (afterStep). A checker answers with a
 * violation message or null. Liveness is a separate goal: after the
 * liveness phase heals a core, the simulator asks the goal each tick
 * whether the core has converged, and reports a violation if it has not
 * within the budget.
 *
 * The full stack's checkers are in replica-safety.ts, clients.ts (FIFO,
 * watch order, the history) and replica-sim.ts (linearizability and
 * acknowledged writes at the end, the commit liveness goal).
 */
import type { ServerId } from '@corral/base';

/** What checkers see at one point of the run. */
export interface CheckContext<V> {
  /** The global step. */
  readonly now: number;
  /** Views of the servers that are up, by sid, ascending. */
  readonly views: ReadonlyMap<ServerId, V>;
  readonly voters: readonly ServerId[];
  readonly observers: readonly ServerId[];
}

/** A safety checker; both hooks are optional. */
export interface Checker<V, E> {
  readonly name: string;
  onEvent?(event: E, context: CheckContext<V>): string | null;
  afterStep?(context: CheckContext<V>): string | null;
}

/** The condition the liveness phase must reach. */
export interface LivenessGoal<V> {
  readonly name: string;
  /** True when the core has converged. */
  converged(context: CheckContext<V>, core: readonly ServerId[]): boolean;
  /** Why it has not, for the failure report. */
  describe(context: CheckContext<V>, core: readonly ServerId[]): string;
}

/** One failed check. */
export interface Violation {
  readonly checker: string;
  readonly step: number;
  readonly message: string;
}

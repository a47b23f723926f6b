/**
 * What a checker is. The simulator hands every checker each event a node
 * emits (onEvent) and, after any step in which some node produced output,
 * the views of the servers that are up (afterStep). A checker answers with a
 * violation message or null. Liveness is a separate goal: after the
 * liveness phase heals a core, the simulator asks the goal each tick
 * whether the core has converged, and reports a violation if it has not
 * within the budget.
 *
 * TODO(issue 8): once packages/replica and packages/broadcast plug in as a
 * SimNode, add checkers here: one established leader per epoch; identical
 * committed prefixes (no two servers commit different txns at one zxid);
 * equal data-tree digests at equal zxids; apply in zxid order without gaps;
 * acknowledged writes never lost; per-session FIFO replies and watch events
 * before the data they announce; linearizable client histories through
 * @corral/lincheck; and a liveness goal that also commits a write.
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

/**
 * Coverage marks (STYLE §5; TigerBeetle's src/testing/marks.zig,
 * FoundationDB's CODE_PROBE): the rare branches of broadcast call `mark`, and
 * a test runs a scenario inside `captureMarks` to prove it reaches the branch
 * it is named after. A mark has no effect on behaviour: outside a capture it
 * does nothing, and inside one it only records the name. The recorder is
 * module state, the one exception to "nothing global" in this package, kept
 * because threading a recorder through every machine would change their
 * public surface for tests alone.
 */

/** The rare paths broadcast marks. */
export const markNames = [
  /** TRUNC followed by txns, for a learner whose last zxid is of an older epoch than the leader's history (sync-plan.ts). */
  'sync-trunc-diff-old-epoch',
  /** TRUNC to the leader's zxid below the learner's, of the learner's last epoch: its committed point is below the window (sync-plan.ts). */
  'sync-trunc-shared-point',
  /** A SNAP: the learner's committed point is below the window and the disk log (leader.ts). */
  'sync-snap',
  /** A DIFF from the driver's disk log, below the window (leader-sync.ts). */
  'sync-diff-from-disk',
  /** A learner that had accepted the chosen epoch before: its ACKEPOCH is not counted (leader-discovery.ts). */
  'discovery-ack-not-counted',
  /** An epoch rollover at the zxid counter's maximum. */
  'rollover-counter',
  /** An epoch rollover for a straggler whose acceptedEpoch is above the led epoch. */
  'rollover-straggler',
  /** A rollover's NEWLEADER: a quorum accepted the new epoch. */
  'rollover-newleader',
  /** The leader steps down: no quorum of synced followers within syncLimit. */
  'step-down-sync-limit',
  /** A learner gives up on a silent leader. */
  'learner-leader-silent',
] as const;

/** One mark's name. */
export type MarkName = (typeof markNames)[number];

let recorder: Set<MarkName> | null = null;

/** Records that a rare path ran (a no-op outside captureMarks). */
export function mark(name: MarkName): void {
  recorder?.add(name);
}

/** Runs `scenario` and returns the marks it reached. Captures do not nest. */
export function captureMarks(scenario: () => void): ReadonlySet<MarkName> {
  if (recorder !== null) throw new Error('captureMarks does not nest');
  const hit = new Set<MarkName>();
  recorder = hit;
  try {
    scenario();
  } finally {
    recorder = null;
  }
  return hit;
}

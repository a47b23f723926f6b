/**
 * Named limits of the election machine (STYLE §6). Time is in ticks of the
 * Driver's tick interval; the defaults assume a 20 ms tick, so they equal
 * ZooKeeper's defaults (finalizeWait 200 ms, minNotificationInterval =
 * finalizeWait, maxNotificationInterval 60 s).
 */
import { assertLimit, assertLimitBelow } from '@corral/base';

/** Timing and size limits of one election machine. */
export interface ElectionLimits {
  /**
   * Ticks without sending its vote before a LOOKING server resends it
   * (ZooKeeper's `minNotificationInterval`). Each resend doubles the
   * interval, up to {@link notificationIntervalTicksMax}.
   */
  readonly notificationIntervalTicksMin: number;
  /** Cap of the doubling resend interval (ZooKeeper's `maxNotificationInterval`). */
  readonly notificationIntervalTicksMax: number;
  /**
   * After a quorum agrees with our proposal: ticks of silence (no notification
   * that could change the vote) before deciding (ZooKeeper's `finalizeWait`).
   * Each notification that does not beat our vote restarts this wait.
   */
  readonly finalizeWaitTicks: number;
  /**
   * Bound on the whole finalize wait, restarts included. ZooKeeper has none;
   * without it a peer resending faster than the wait would delay the decision
   * forever.
   */
  readonly finalizeTicksMax: number;
  /** Most members (voters plus observers) a configuration may have; bounds every per-peer map. */
  readonly membersMax: number;
}

/** Defaults for a 20 ms tick. */
export const defaultElectionLimits: ElectionLimits = {
  notificationIntervalTicksMin: 10,
  notificationIntervalTicksMax: 3000,
  finalizeWaitTicks: 10,
  finalizeTicksMax: 100,
  membersMax: 255,
};

/** Asserts each limit is a positive integer and related limits are ordered. */
export function validateElectionLimits(limits: ElectionLimits): void {
  assertLimit('notificationIntervalTicksMin', limits.notificationIntervalTicksMin);
  assertLimit('notificationIntervalTicksMax', limits.notificationIntervalTicksMax);
  assertLimit('finalizeWaitTicks', limits.finalizeWaitTicks);
  assertLimit('finalizeTicksMax', limits.finalizeTicksMax);
  assertLimit('membersMax', limits.membersMax);
  assertLimitBelow('notificationIntervalTicksMin', limits.notificationIntervalTicksMin, 'notificationIntervalTicksMax + 1', limits.notificationIntervalTicksMax + 1);
  assertLimitBelow('finalizeWaitTicks', limits.finalizeWaitTicks, 'finalizeTicksMax + 1', limits.finalizeTicksMax + 1);
}

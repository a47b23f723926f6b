/**
 * Named limits of the broadcast machines (STYLE §6). Every queue a machine
 * holds has one; tests and the simulator use tiny values so that the limits
 * are actually reached.
 */
import { assert, assertLimit, assertLimitBelow } from '@corral/base';

/** Limits and timing of one broadcast machine. Ticks are the driver's tick interval. */
export interface BroadcastLimits {
  /** Proposals the leader holds without a quorum (propose() answers `busy` beyond). */
  readonly pendingProposalsMax: number;
  /**
   * Recent txns the leader keeps in memory to DIFF learners (ZooKeeper's committedLog); a
   * learner further behind gets a SNAP. Must exceed pendingProposalsMax: the window also holds
   * the proposals in flight.
   */
  readonly windowTxnsMax: number;
  /** Messages queued to one peer within one Ready; beyond it the leader drops that learner. */
  readonly outboundMessagesPerPeerMax: number;
  /** Txns a learner holds uncommitted (sync diff plus proposals in flight). */
  readonly learnerPendingTxnsMax: number;
  /**
   * Largest zxid counter the leader assigns; at it the leader moves to the next epoch
   * (README, "Epoch rollover"). 0xffffffff in production; tiny in tests.
   */
  readonly zxidCounterMax: number;
  /** Ticks for discovery and synchronisation (ZooKeeper's initLimit). */
  readonly initLimitTicks: number;
  /** Ticks without hearing from a quorum (leader) or from the leader (learner) in broadcast. */
  readonly syncLimitTicks: number;
}

/** Production defaults. */
export const defaultBroadcastLimits: BroadcastLimits = {
  pendingProposalsMax: 1000,
  windowTxnsMax: 10_000,
  outboundMessagesPerPeerMax: 50_000,
  learnerPendingTxnsMax: 20_000,
  zxidCounterMax: 0xffffffff,
  initLimitTicks: 10,
  syncLimitTicks: 5,
};

/** Asserts every limit is positive and the related ones are ordered. */
export function validateBroadcastLimits(limits: BroadcastLimits): void {
  assertLimit('pendingProposalsMax', limits.pendingProposalsMax);
  assertLimit('windowTxnsMax', limits.windowTxnsMax);
  assertLimit('outboundMessagesPerPeerMax', limits.outboundMessagesPerPeerMax);
  assertLimit('learnerPendingTxnsMax', limits.learnerPendingTxnsMax);
  assertLimit('zxidCounterMax', limits.zxidCounterMax);
  assertLimit('initLimitTicks', limits.initLimitTicks);
  assertLimit('syncLimitTicks', limits.syncLimitTicks);
  assertLimitBelow('pendingProposalsMax', limits.pendingProposalsMax, 'windowTxnsMax', limits.windowTxnsMax);
  assertLimitBelow('windowTxnsMax', limits.windowTxnsMax, 'learnerPendingTxnsMax', limits.learnerPendingTxnsMax + 1);
  // A sync sends up to two messages per window txn plus a header, a COMMIT and NEWLEADER. Until
  // establishment the window may hold up to learnerPendingTxnsMax (the log above the leader's tree).
  assertLimitBelow('2 * learnerPendingTxnsMax + 3', 2 * limits.learnerPendingTxnsMax + 3, 'outboundMessagesPerPeerMax', limits.outboundMessagesPerPeerMax);
  assert(limits.zxidCounterMax <= 0xffffffff, 'zxidCounterMax fits 32 bits');
  assert(limits.zxidCounterMax > 1, 'zxidCounterMax leaves room for one txn per epoch');
}

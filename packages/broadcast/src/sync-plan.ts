/**
 * How a leader brings one learner's log in line with its own history
 * (LearnerHandler.syncFollower / queueCommittedProposals in ZooKeeper):
 *
 * - DIFF  when the learner's last zxid is in the leader's window (or equal to its base):
 *         the learner's log is a prefix of the leader's; send what follows.
 * - TRUNC when the learner is ahead of the leader's last zxid: its extra txns were never
 *         committed (the leader holds every committed txn), so they are dropped.
 * - TRUNC+DIFF when the learner's last zxid lies inside the window but is not one of the
 *         leader's zxids: it logged proposals of an old epoch that were never committed.
 *         Truncate to the leader's largest zxid below it, then send the rest.
 * - SNAP  when the learner is behind the window: send the data tree at `snapshotZxid`,
 *         then the txns above it.
 */
import { assert, type Zxid } from '@corral/base';
import type { TxnWindow } from './txn-window.js';

/** The header a sync starts with (`kind` at `zxid`); the window's txns above `fromZxid` follow it. */
export interface SyncPlan {
  readonly kind: 'DIFF' | 'TRUNC' | 'SNAP';
  readonly zxid: Zxid;
  readonly fromZxid: Zxid;
}

/** Inputs of planSync. */
export interface SyncPlanInput {
  /** The learner's last logged zxid, from its ACKEPOCH. */
  readonly peerLastZxid: Zxid;
  readonly window: TxnWindow;
  /** Where the leader's data tree stands when the plan's messages are sent. */
  readonly snapshotZxid: Zxid;
  /** Test-only bug: DIFF where TRUNC is due. */
  readonly skipTrunc?: boolean;
}

/** Chooses DIFF, TRUNC, TRUNC+DIFF (a TRUNC followed by txns) or SNAP. */
export function planSync(input: SyncPlanInput): SyncPlan {
  const { peerLastZxid: peer, window } = input;
  const last = window.lastZxid;
  if (peer === last) return { kind: 'DIFF', zxid: peer, fromZxid: peer };
  if (peer > last) return truncOrDiff(last, input);
  if (peer === window.baseZxid || (peer > window.baseZxid && window.has(peer))) return { kind: 'DIFF', zxid: peer, fromZxid: peer };
  if (peer > window.baseZxid) return truncOrDiff(window.floor(peer), input);
  assert(input.snapshotZxid >= window.baseZxid, 'the window covers every txn above the snapshot');
  return { kind: 'SNAP', zxid: input.snapshotZxid, fromZxid: input.snapshotZxid };
}

function truncOrDiff(to: Zxid, input: SyncPlanInput): SyncPlan {
  // The bug: the learner keeps the txns it should drop, and the leader's follow them.
  if (input.skipTrunc === true) return { kind: 'DIFF', zxid: input.peerLastZxid, fromZxid: to };
  return { kind: 'TRUNC', zxid: to, fromZxid: to };
}

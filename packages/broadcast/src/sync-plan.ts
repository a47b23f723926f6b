/**
 * How a leader brings one learner's log in line with its own history
 * (LearnerHandler.syncFollower / queueCommittedProposals in ZooKeeper):
 *
 * - DIFF  when the learner's last zxid is one of the leader's (in the window, or its base):
 *         two logs that hold the same zxid agree up to it (one leader per epoch, and every
 *         learner log is a leader's history prefix plus that leader's proposals in order), so
 *         the learner's log is a prefix of the leader's; send what follows.
 * - TRUNC when the learner's last zxid is not one of the leader's (it is ahead of the leader,
 *         or holds proposals of an old epoch that were never committed): truncate to the
 *         learner's committed zxid, which the leader's history holds, then send the rest
 *         (TRUNC+DIFF). ZooKeeper truncates to the leader's largest zxid below the learner's
 *         last one instead; that loses txns when the learner's log forked earlier (a learner
 *         with 8.1 8.2 9.1 against a leader with 8.1 8.2 8.3 12.1 would keep no 8.3 yet claim
 *         it: found by the harness, seed 10044, testdata/sync-trunc-fork.txt). When the
 *         learner's committed zxid is below the window (a crash left its tree at an old
 *         snapshot), the leader's last zxid below the learner's, if of the learner's last epoch.
 * - SNAP  when the point is below the window: send the data tree at `snapshotZxid`, then the
 *         txns above it (or, when the disk log reaches back far enough, read it: Leader.logRead).
 */
import { assert, zxidEpoch, type Zxid } from '@corral/base';
import { mark } from './marks.js';
import type { TxnWindow } from './txn-window.js';
import type { PeerMsg, Txn } from './types.js';

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
  /** The learner's committed zxid (its log up to it is committed), from its ACKEPOCH; at most peerLastZxid. */
  readonly peerCommittedZxid: Zxid;
  readonly window: TxnWindow;
  /** Where the leader's data tree stands when the plan's messages are sent. */
  readonly snapshotZxid: Zxid;
  /** Test-only bug: DIFF where TRUNC is due (the learner's extra txns stay). */
  readonly skipTrunc?: boolean;
}

/** Chooses DIFF, TRUNC, TRUNC+DIFF (a TRUNC followed by txns) or SNAP. */
export function planSync(input: SyncPlanInput): SyncPlan {
  const { peerLastZxid: peer, peerCommittedZxid: committed, window } = input;
  assert(committed <= peer, 'a learner committed only what it logged');
  const base = window.baseZxid;
  if (peer === window.lastZxid || peer === base || (peer > base && window.has(peer))) return { kind: 'DIFF', zxid: peer, fromZxid: peer };
  if (input.skipTrunc === true && peer > base) {
    // The bug: the learner keeps the txns it should drop, and the leader's follow them.
    return { kind: 'DIFF', zxid: peer, fromZxid: peer > window.lastZxid ? window.lastZxid : window.floor(peer) };
  }
  if (committed === base || (committed > base && window.has(committed))) {
    if (zxidEpoch(peer) < zxidEpoch(window.lastZxid) && window.lastZxid > committed) mark('sync-trunc-diff-old-epoch');
    return { kind: 'TRUNC', zxid: committed, fromZxid: committed };
  }
  const shared = sharedPointOfEpoch(peer, committed, window);
  if (shared !== null) {
    mark('sync-trunc-shared-point');
    return { kind: 'TRUNC', zxid: shared, fromZxid: shared };
  }
  assert(input.snapshotZxid >= base, 'the window covers every txn above the snapshot');
  return { kind: 'SNAP', zxid: input.snapshotZxid, fromZxid: input.snapshotZxid };
}

/**
 * A point both logs hold when the learner's committed zxid is below the window (its tree is an
 * old snapshot after a crash): the leader's last zxid below the learner's, if it is of the same
 * epoch as the learner's last one and not below the learner's committed zxid. One leader per
 * epoch proposes that epoch's zxids in order, and a learner logs them in order from where it
 * joined the epoch (anything below came as a SNAP, so its committed zxid would be above the
 * point), so the learner holds it, and holding the same zxid the two logs agree up to it. This
 * is ZooKeeper's TRUNC to the leader's zxid below the learner's, kept to one epoch (its
 * LearnerHandler refuses a TRUNC across epochs as well), which the fork above cannot reach.
 */
function sharedPointOfEpoch(peer: Zxid, committed: Zxid, window: TxnWindow): Zxid | null {
  const point = window.floor(peer);
  return point <= peer && point >= committed && zxidEpoch(point) === zxidEpoch(peer) ? point : null;
}

/** Inputs of syncMessages. */
export interface SyncMessagesInput {
  readonly plan: SyncPlan;
  /** Txns read from the leader's disk log that precede the window (DIFF from disk), oldest first. */
  readonly fromDisk: readonly Txn[];
  readonly window: TxnWindow;
  /** Txns at or below it are sent with a COMMIT; observers get nothing above it. */
  readonly committedZxid: Zxid;
  readonly observer: boolean;
  readonly newLeaderZxid: Zxid;
}

/**
 * The messages of one sync, in stream order: the header; a COMMIT vouching for the learner's
 * own log up to the DIFF/TRUNC point (a SNAP is applied already); each txn as PROPOSAL, with a
 * COMMIT when committed; NEWLEADER.
 */
export function syncMessages(input: SyncMessagesInput): PeerMsg[] {
  const { plan, committedZxid: committed } = input;
  const messages: PeerMsg[] = [];
  if (plan.kind === 'SNAP') messages.push({ type: 'SNAP', zxid: plan.zxid, snapshot: null });
  else messages.push({ type: plan.kind, zxid: plan.zxid });
  const vouched = plan.zxid < committed ? plan.zxid : committed;
  if (plan.kind !== 'SNAP' && vouched > 0n) messages.push({ type: 'COMMIT', zxid: vouched });
  for (const txns of [input.fromDisk, input.window.after(plan.fromZxid)]) {
    for (const txn of txns) {
      if (input.observer && txn.zxid > committed) break;
      messages.push({ type: 'PROPOSAL', txn });
      if (txn.zxid <= committed) messages.push({ type: 'COMMIT', zxid: txn.zxid });
    }
  }
  messages.push({ type: 'NEWLEADER', zxid: input.newLeaderZxid });
  return messages;
}

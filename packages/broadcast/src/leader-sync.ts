/**
 * One learner's synchronisation, leader side (LearnerHandler.syncFollower):
 * the plan from the leader's window (sync-plan.ts), or, for a learner below
 * the window whose committed point the driver's disk log still holds, a log
 * read first and the plan once it is back; then the sync's messages and
 * NEWLEADER on the learner's stream.
 */
import { assert, makeZxid, type Zxid } from '@corral/base';
import type { LearnerHandle } from './learner-handle.js';
import type { BroadcastLimits } from './limits.js';
import { mark } from './marks.js';
import type { LearnerStreams } from './learner-streams.js';
import type { ReadyBuilder } from './ready-builder.js';
import { planSync, syncMessages, type SyncPlan } from './sync-plan.js';
import type { TxnWindow } from './txn-window.js';
import type { Epoch, LogRead, ServerId, Txn } from './types.js';

/** Where the leader stands when it synchronises a learner. */
export interface SyncPoint {
  /** The epoch led: NEWLEADER's. */
  readonly epoch: Epoch;
  /** Broadcast began: only committed txns count as committed (before, the whole history does). */
  readonly established: boolean;
  readonly committedZxid: Zxid;
  /** Where the leader's tree stands when the sync's messages are sent (a SNAP's zxid). */
  readonly appliedZxid: Zxid;
  readonly diskLogBaseZxid: Zxid;
}

/** Synchronises learners from one leader's window onto their streams. */
export class LearnerSync {
  private readonly builder: ReadyBuilder;
  private readonly streams: LearnerStreams;
  private readonly window: TxnWindow;
  private readonly limits: BroadcastLimits;
  private readonly skipTrunc: boolean;

  constructor(options: {
    readonly builder: ReadyBuilder; readonly streams: LearnerStreams; readonly window: TxnWindow; readonly limits: BroadcastLimits; readonly skipTrunc: boolean;
  }) {
    this.builder = options.builder;
    this.streams = options.streams;
    this.window = options.window;
    this.limits = options.limits;
    this.skipTrunc = options.skipTrunc;
  }

  /** Plans the learner's sync; a learner below the window but within the disk log waits for a log read. */
  start(h: LearnerHandle, at: SyncPoint): void {
    const start = startSync({
      sid: h.sid, stream: h.stream, peerLastZxid: h.peerLastZxid, peerCommittedZxid: h.peerCommittedZxid, window: this.window,
      appliedZxid: at.appliedZxid, diskLogBaseZxid: at.diskLogBaseZxid, limits: this.limits, skipTrunc: this.skipTrunc,
    });
    if (start.kind === 'plan') return this.queue(h, start.plan, [], at);
    h.state = 'log-read';
    this.builder.requestLogRead(start.read);
  }

  /** The driver's read for `h` is back. */
  afterLogRead(h: LearnerHandle, read: LogRead, txns: readonly Txn[], at: SyncPoint): void {
    const { plan, fromDisk } = planAfterLogRead({ read, txns, peerLastZxid: h.peerLastZxid, window: this.window, appliedZxid: at.appliedZxid, limits: this.limits });
    this.queue(h, plan, fromDisk, at);
  }

  /** Queues DIFF/TRUNC/SNAP, the txns that follow, and NEWLEADER; the learner then gets every broadcast message. */
  private queue(h: LearnerHandle, plan: SyncPlan, fromDisk: readonly Txn[], at: SyncPoint): void {
    h.coveredZxid = this.window.lastZxid;
    h.newLeaderZxid = makeZxid(at.epoch, 0);
    h.state = 'syncing';
    // Before establishment the whole history is to be committed (it is the new epoch's initial history).
    const committedZxid = at.established ? at.committedZxid : this.window.lastZxid;
    const messages = syncMessages({ plan, fromDisk, window: this.window, committedZxid, observer: h.observer, newLeaderZxid: h.newLeaderZxid });
    for (const msg of messages) this.streams.sendTo(h, msg);
  }
}

/** What a learner's sync starts with. */
export type SyncStart = { readonly kind: 'plan'; readonly plan: SyncPlan } | { readonly kind: 'read'; readonly read: LogRead };

/** Inputs of {@link startSync}. */
export interface SyncStartInput {
  readonly sid: ServerId;
  readonly stream: number;
  readonly peerLastZxid: Zxid;
  readonly peerCommittedZxid: Zxid;
  readonly window: TxnWindow;
  /** Where the leader's tree stands when the sync's messages are sent (a SNAP's zxid). */
  readonly appliedZxid: Zxid;
  readonly diskLogBaseZxid: Zxid;
  readonly limits: BroadcastLimits;
  readonly skipTrunc: boolean;
}

/**
 * Disk records a DIFF may carry besides the window: the learner holds the whole sync until
 * UPTODATE (learnerPendingTxnsMax; the leader runs with the same limits), and proposals may
 * arrive before UPTODATE. Longer, the learner would stop at every attempt and never catch up
 * (sim seed 9003411 at 50d238d): a SNAP instead.
 */
export function diskDiffRecordsMax(limits: BroadcastLimits, windowSize: number): number {
  return limits.learnerPendingTxnsMax - limits.pendingProposalsMax - windowSize;
}

/** The plan, or a log read when the learner is below the window but its committed point is on disk. */
export function startSync(input: SyncStartInput): SyncStart {
  const plan = planSync({
    peerLastZxid: input.peerLastZxid,
    peerCommittedZxid: input.peerCommittedZxid,
    window: input.window,
    snapshotZxid: input.appliedZxid,
    skipTrunc: input.skipTrunc,
  });
  if (plan.kind !== 'SNAP') return { kind: 'plan', plan };
  const recordsMax = diskDiffRecordsMax(input.limits, input.window.size);
  if (input.peerCommittedZxid < input.diskLogBaseZxid || recordsMax < 1) {
    mark('sync-snap');
    return { kind: 'plan', plan };
  }
  const read: LogRead = {
    sid: input.sid, stream: input.stream, fromZxid: input.peerCommittedZxid, upToZxid: input.window.baseZxid, diskLogBaseZxid: input.diskLogBaseZxid, recordsMax,
  };
  return { kind: 'read', read };
}

/**
 * A log read served from records in memory (the simulator's and tests' drivers): the records in
 * the range, or none when they are more than `recordsMax` (as the server's driver does).
 */
export function serveLogRead(records: readonly Txn[], read: LogRead): Txn[] {
  const txns = records.filter((txn) => txn.zxid >= read.fromZxid && txn.zxid <= read.upToZxid);
  return txns.length > read.recordsMax ? [] : txns;
}

/** A SNAP at the zxid the leader's tree stands at. */
export function snapPlan(appliedZxid: Zxid): SyncPlan {
  return { kind: 'SNAP', zxid: appliedZxid, fromZxid: appliedZxid };
}

/** Inputs of {@link planAfterLogRead}. */
export interface LogReadResult {
  readonly read: LogRead;
  /** The records read, oldest first. */
  readonly txns: readonly Txn[];
  readonly peerLastZxid: Zxid;
  readonly window: TxnWindow;
  readonly appliedZxid: Zxid;
  readonly limits: BroadcastLimits;
}

/**
 * The sync once the read is back: a DIFF from disk when the learner's last zxid is one of the
 * records, a TRUNC to its committed zxid (the read's start) otherwise, a SNAP if the read is not
 * contiguous with the window any more (it moved while the read ran) or the sync would hold
 * more than the learner takes (diskDiffRecordsMax, with the window as it is now).
 */
export function planAfterLogRead(result: LogReadResult): { readonly plan: SyncPlan; readonly fromDisk: readonly Txn[] } {
  const { read, txns } = result;
  let last = read.fromZxid - 1n;
  for (const txn of txns) {
    assert(txn.zxid > last && txn.zxid >= read.fromZxid && txn.zxid <= read.upToZxid, 'a log read returns its range in zxid order');
    last = txn.zxid;
  }
  const start = read.fromZxid === read.diskLogBaseZxid || txns[0]?.zxid === read.fromZxid;
  const contiguous = (txns.at(-1)?.zxid ?? read.fromZxid) === read.upToZxid && result.window.baseZxid === read.upToZxid;
  const fits = txns.length <= read.recordsMax && txns.length <= diskDiffRecordsMax(result.limits, result.window.size);
  if (!start || !contiguous || !fits) {
    mark('sync-snap');
    return { plan: snapPlan(result.appliedZxid), fromDisk: [] };
  }
  mark('sync-diff-from-disk');
  const peer = result.peerLastZxid;
  const diff = peer === read.fromZxid || txns.some((txn) => txn.zxid === peer);
  const point = diff ? peer : read.fromZxid;
  return { plan: { kind: diff ? 'DIFF' : 'TRUNC', zxid: point, fromZxid: read.upToZxid }, fromDisk: txns.filter((txn) => txn.zxid > point) };
}

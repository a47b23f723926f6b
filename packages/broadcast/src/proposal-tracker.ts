/**
 * The leader's proposals and commits (ZooKeeper's Leader.propose,
 * outstandingProposals, processAck/tryToCommit): each new txn goes to the
 * window, the log and every forwarding voter; the voters that acknowledged
 * each proposal are counted; proposals commit in zxid order, each once a
 * quorum acked it and every older one committed. A COMMIT (INFORM for
 * observers) goes to every forwarding learner.
 */
import { assert, type Zxid } from '@corral/base';
import { isForwarding } from './learner-handle.js';
import type { LearnerStreams } from './learner-streams.js';
import type { QuorumVerifier } from './quorum.js';
import type { ReadyBuilder } from './ready-builder.js';
import type { TxnWindow } from './txn-window.js';
import type { ServerId, Txn } from './types.js';

/** Options of {@link ProposalTracker}. */
export interface ProposalTrackerOptions {
  readonly sid: ServerId;
  readonly quorum: QuorumVerifier;
  readonly builder: ReadyBuilder;
  readonly streams: LearnerStreams;
  readonly window: TxnWindow;
  /** Where the leader's history is known committed when it starts (its tree). */
  readonly committedZxid: Zxid;
  /** Test-only bug: commit on the leader's own ack. */
  readonly commitWithoutQuorum: boolean;
}

/** Proposals without a quorum yet, oldest first, with the voters that acked each; the committed point. */
export class ProposalTracker {
  private readonly options: ProposalTrackerOptions;
  private readonly outstanding = new Map<Zxid, Set<ServerId>>();
  private committed: Zxid;

  constructor(options: ProposalTrackerOptions) {
    this.options = options;
    this.committed = options.committedZxid;
  }

  get size(): number {
    return this.outstanding.size;
  }

  get committedZxid(): Zxid {
    return this.committed;
  }

  /** Orders `txn`: window, log, PROPOSAL to forwarding voters, and the leader's own ACK once durable. */
  propose(txn: Txn): void {
    const { window, builder, streams, sid } = this.options;
    window.push(txn);
    builder.appendTxn(txn);
    this.outstanding.set(txn.zxid, new Set());
    streams.sendToForwarding({ type: 'PROPOSAL', txn }, true);
    // The leader's own ack waits for its disk, like any follower's (AckRequestProcessor).
    builder.send(sid, { type: 'ACK', zxid: txn.zxid }, true);
  }

  /** `sid` has `zxid` durable. False when it is neither committed nor outstanding. */
  ack(zxid: Zxid, sid: ServerId): boolean {
    if (zxid <= this.committed) return true;
    const acks = this.outstanding.get(zxid);
    if (acks === undefined) return false;
    acks.add(sid);
    this.tryCommit();
    return true;
  }

  /** A NEWLEADER ack vouches for every proposal queued to the learner before NEWLEADER. */
  ackUpTo(upTo: Zxid, sid: ServerId): void {
    for (const [zxid, acks] of this.outstanding) if (zxid <= upTo) acks.add(sid);
  }

  /** Commits proposals in zxid order while the oldest has a quorum of acks. */
  tryCommit(): void {
    const { quorum, sid } = this.options;
    for (const [zxid, acks] of this.outstanding) {
      const commits = this.options.commitWithoutQuorum ? acks.has(sid) : quorum.containsQuorum(acks);
      if (!commits) return;
      this.outstanding.delete(zxid);
      this.commit(zxid);
    }
  }

  /** Establishment: the whole history (the new epoch's initial history) commits, without messages. */
  commitHistory(): void {
    const { window, builder } = this.options;
    for (const txn of window.after(this.committed)) builder.commit(txn);
    this.committed = window.lastZxid;
  }

  private commit(zxid: Zxid): void {
    assert(zxid > this.committed, 'commits only move forward');
    const { window, builder, streams } = this.options;
    const txn = window.get(zxid);
    this.committed = zxid;
    builder.commit(txn);
    for (const h of streams.all()) {
      if (isForwarding(h)) streams.sendTo(h, h.observer ? { type: 'INFORM', txn } : { type: 'COMMIT', zxid });
    }
  }
}

/**
 * The leader's proposals and commits (ZooKeeper's Leader.propose,
 * outstandingProposals, processAck/tryToCommit): each new txn goes to the
 * window, the log and every forwarding voter; the voters that acknowledged
 * each proposal are counted; proposals commit in zxid order, each once a
 * quorum acked it and every older one committed. A COMMIT (INFORM for
 * observers) goes to every forwarding learner.
 *
 * Every write passes through here, so the outstanding proposals are an
 * array queue in zxid order (a counter-indexed lookup, no map keyed by
 * bigint) and each one's acks a short array of sids; the quorum question
 * is asked of one reused set.
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

/** One proposal without a quorum yet and the servers that acked it. */
interface Outstanding {
  readonly txn: Txn;
  readonly acks: ServerId[];
}

/** Dropped slots kept before the queue is compacted. */
const compactAfterDropped = 256;

/** Proposals without a quorum yet, oldest first, with the voters that acked each; the committed point. */
export class ProposalTracker {
  private readonly options: ProposalTrackerOptions;
  /** `queue[head..]` are outstanding, in zxid order. */
  private queue: Outstanding[] = [];
  private head = 0;
  /** Reused for each quorum question, so asking allocates nothing. */
  private readonly scratch = new Set<ServerId>();
  /** The leader alone is a quorum (an ensemble of one): its own ack commits, no set is built. */
  private readonly selfIsQuorum: boolean;
  private committed: Zxid;

  constructor(options: ProposalTrackerOptions) {
    this.options = options;
    this.committed = options.committedZxid;
    this.selfIsQuorum = options.quorum.containsQuorum(new Set([options.sid]));
  }

  get size(): number {
    return this.queue.length - this.head;
  }

  get committedZxid(): Zxid {
    return this.committed;
  }

  /** Orders `txn`: window, log, PROPOSAL to forwarding voters, and the leader's own ACK once durable. */
  propose(txn: Txn): void {
    const { window, builder, streams, sid } = this.options;
    window.push(txn);
    builder.appendTxn(txn);
    this.queue.push({ txn, acks: [] });
    streams.sendToForwarding({ type: 'PROPOSAL', txn }, true);
    // The leader's own ack waits for its disk, like any follower's (AckRequestProcessor); one per Ready.
    builder.ackOwnProposal(sid, txn.zxid);
  }

  /**
   * `sid` has `zxid` durable, and every older proposal too: a learner logs its stream's proposals
   * in order and acks only once they are durable, so one ACK vouches for the older ones (a
   * learner's link sends only the last ACK of a write). Acks of a voter are a prefix of the
   * queue (in-order ACKs, NEWLEADER's ackUpTo), so marking stops at the first already acked.
   * False when `zxid` is neither committed nor outstanding.
   */
  ack(zxid: Zxid, sid: ServerId): boolean {
    if (zxid <= this.committed) return true;
    const index = this.indexOf(zxid);
    if (index < 0) return false;
    for (let i = index; i >= this.head; i--) {
      const acks = (this.queue[i] as Outstanding).acks;
      if (acks.includes(sid)) break;
      acks.push(sid);
    }
    this.tryCommit();
    return true;
  }

  /** The leader's own ACK: its log is appended in order, so it holds every proposal up to `zxid` (ReadyBuilder.ackOwnProposal). */
  ackOwnUpTo(zxid: Zxid): void {
    this.ackUpTo(zxid, this.options.sid);
    this.tryCommit();
  }

  /** A NEWLEADER ack vouches for every proposal queued to the learner before NEWLEADER. */
  ackUpTo(upTo: Zxid, sid: ServerId): void {
    for (let i = this.head; i < this.queue.length; i++) {
      const proposal = this.queue[i] as Outstanding;
      if (proposal.txn.zxid > upTo) break;
      if (!proposal.acks.includes(sid)) proposal.acks.push(sid);
    }
  }

  /** Commits proposals in zxid order while the oldest has a quorum of acks. */
  tryCommit(): void {
    const queue = this.queue;
    while (this.head < queue.length) {
      const proposal = queue[this.head] as Outstanding;
      if (!this.hasQuorum(proposal.acks)) break;
      this.head++;
      this.commit(proposal.txn);
    }
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= compactAfterDropped && this.head * 2 >= queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Establishment: the whole history (the new epoch's initial history) commits, without messages. */
  commitHistory(): void {
    const { window, builder } = this.options;
    for (const txn of window.after(this.committed)) builder.commit(txn);
    this.committed = window.lastZxid;
  }

  private hasQuorum(acks: readonly ServerId[]): boolean {
    const { quorum, sid, commitWithoutQuorum } = this.options;
    // Quorums are monotone: any set holding a quorum is one.
    if (commitWithoutQuorum || this.selfIsQuorum) return acks.includes(sid);
    const scratch = this.scratch;
    scratch.clear();
    for (const acked of acks) scratch.add(acked);
    return quorum.containsQuorum(scratch);
  }

  /**
   * The index in `queue` of the outstanding proposal of `zxid`, or -1. Counters within an epoch are dense,
   * so its place is first guessed as an offset from the oldest; an epoch
   * rollover breaks that, and a binary search answers then.
   */
  private indexOf(zxid: Zxid): number {
    const queue = this.queue;
    const oldest = queue[this.head];
    if (oldest === undefined || zxid < oldest.txn.zxid) return -1;
    const offset = zxid - oldest.txn.zxid;
    if (offset < BigInt(queue.length - this.head)) {
      const guess = this.head + Number(offset);
      if ((queue[guess] as Outstanding).txn.zxid === zxid) return guess;
    }
    let low = this.head;
    let high = queue.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((queue[mid] as Outstanding).txn.zxid < zxid) low = mid + 1;
      else high = mid;
    }
    return queue[low]?.txn.zxid === zxid ? low : -1;
  }

  private commit(txn: Txn): void {
    const zxid = txn.zxid;
    assert(zxid > this.committed, 'commits only move forward');
    const { builder, streams } = this.options;
    this.committed = zxid;
    builder.commit(txn);
    for (const h of streams.all()) {
      if (isForwarding(h)) streams.sendTo(h, h.observer ? { type: 'INFORM', txn } : { type: 'COMMIT', zxid });
    }
  }
}

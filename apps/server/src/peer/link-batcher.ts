/**
 * The outbound side of one broadcast stream: the messages a turn of the
 * event loop sends on it are collected and leave together, in order, at the
 * end of that synchronous run (a microtask), as one LeaderBatch/LearnerBatch
 * per batchMessagesMax/batchBytesMax. Per ZAB message a grpc-js write, an
 * HTTP/2 frame and its callbacks cost about as much CPU as the txn itself
 * (the ensemble-performance profile); per batch they do not. Until the peer
 * said it accepts batches (FollowerInfo/LeaderInfo.accepts_batches) each
 * message goes on its own, as servers without batches send them.
 */
import { batchWire, splitIntoBatches, type BatchLimits, type BroadcastWire } from './batch-codec.js';
import type { PeerStream } from './peer-stream.js';
import { hopTrace } from '../stats/hop-trace.js';

/** The part of a PeerStream a batcher writes through. */
export type BatchedStream = Pick<PeerStream, 'reserve' | 'writeCounted'>;

/**
 * Messages of one turn that make earlier ones redundant. A COMMIT vouches for every txn up to
 * its zxid (the learner commits cumulatively), so of two COMMITs with only PROPOSALs between
 * them the earlier one says nothing the later does not: it is dropped (the learner applies the
 * same txns once it has read the turn's messages). Anything else between them (a PING, a
 * REVALIDATE answer) keeps both, so no message is read with less committed than before.
 */
export interface SupersedeRule<W> {
  /** A message a later one of its kind makes redundant, and that makes an earlier one redundant. */
  supersedes(wire: W): boolean;
  /** A message a superseding one may be moved past (it does not look at what is committed). */
  passes(wire: W): boolean;
}

/** How a batcher hands a group of messages to its stream, and which messages it may drop. */
export interface LinkBatcherOptions<W> {
  /** What the call writes for a group (default: batchWire); the leader's links share encoded bytes. */
  readonly encode?: (group: readonly W[]) => object;
  readonly supersede?: SupersedeRule<W>;
}

/** Collects one stream's outbound messages for one turn. */
export class LinkBatcher<W extends BroadcastWire> {
  /** The peer decodes batches (it said so in its LeaderInfo/FollowerInfo/ObserverInfo). */
  peerAcceptsBatches = false;
  /** This turn's messages; null where a later message superseded one. */
  private pending: (W | null)[] = [];
  private superseded = 0;
  /** Index in `pending` of the message a later superseding one replaces, or -1. */
  private supersedable = -1;
  private flushQueued = false;
  private readonly encode: (group: readonly W[]) => object;
  /** Which messages a later one makes redundant; null: none (set once the peer said it allows it). */
  supersede: SupersedeRule<W> | null;

  constructor(
    private readonly peer: BatchedStream,
    private readonly limits: BatchLimits,
    options: LinkBatcherOptions<W> = {},
  ) {
    this.encode = options.encode ?? batchWire;
    this.supersede = options.supersede ?? null;
  }

  /**
   * Queues messages that must go in this order after those queued before; false (and the link
   * dropped) when they would take the link's outbound queue above its limit, or it is closed.
   */
  add(wires: readonly W[]): boolean {
    if (!this.peer.reserve(this.pending.length - this.superseded + wires.length)) {
      this.clear();
      return false;
    }
    for (const wire of wires) this.queue(wire);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  /** Writes what is queued: now, before a close, or at the end of the turn. */
  flush(): void {
    this.flushQueued = false;
    const wires = this.superseded === 0 ? (this.pending as W[]) : this.pending.filter((wire): wire is W => wire !== null);
    this.clear();
    if (wires.length === 0) return;
    if (hopTrace.enabled) hopTrace.mark('peer-out', wires.map((wire) => wire.msg).join(','));
    if (!this.peerAcceptsBatches) {
      for (const wire of wires) this.peer.writeCounted(this.encode([wire]), 1);
      return;
    }
    for (const group of splitIntoBatches(wires, this.limits)) this.peer.writeCounted(this.encode(group), group.length);
  }

  private queue(wire: W): void {
    const rule = this.supersede;
    if (rule !== null) {
      if (rule.supersedes(wire)) {
        if (this.supersedable >= 0) {
          this.pending[this.supersedable] = null;
          this.superseded += 1;
        }
        this.supersedable = this.pending.length;
      } else if (!rule.passes(wire)) {
        this.supersedable = -1;
      }
    }
    this.pending.push(wire);
  }

  private clear(): void {
    this.pending = [];
    this.superseded = 0;
    this.supersedable = -1;
  }
}

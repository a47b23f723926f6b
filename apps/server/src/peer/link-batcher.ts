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

/** The part of a PeerStream a batcher writes through. */
export type BatchedStream = Pick<PeerStream, 'reserve' | 'writeCounted'>;

/** Collects one stream's outbound messages for one turn. */
export class LinkBatcher<W extends BroadcastWire> {
  /** The peer decodes batches (it said so in its LeaderInfo/FollowerInfo/ObserverInfo). */
  peerAcceptsBatches = false;
  private pending: W[] = [];
  private flushQueued = false;

  constructor(
    private readonly peer: BatchedStream,
    private readonly limits: BatchLimits,
  ) {}

  /**
   * Queues messages that must go in this order after those queued before; false (and the link
   * dropped) when they would take the link's outbound queue above its limit, or it is closed.
   */
  add(wires: readonly W[]): boolean {
    if (!this.peer.reserve(this.pending.length + wires.length)) {
      this.pending = [];
      return false;
    }
    for (const wire of wires) this.pending.push(wire);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  /** Writes what is queued: now, before a close, or at the end of the turn. */
  flush(): void {
    this.flushQueued = false;
    const wires = this.pending;
    if (wires.length === 0) return;
    this.pending = [];
    if (!this.peerAcceptsBatches) {
      for (const wire of wires) this.peer.writeCounted(wire, 1);
      return;
    }
    for (const group of splitIntoBatches(wires, this.limits)) this.peer.writeCounted(batchWire(group), group.length);
  }
}

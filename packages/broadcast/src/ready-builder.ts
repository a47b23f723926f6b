/**
 * Collects one Ready's outputs between two ready() calls. It keeps the one
 * ordering rule a machine could otherwise break by accident: per peer,
 * messages leave in the order they were queued, so once a message to a peer
 * must wait for the disk, every later message to that peer waits too.
 */
import { assert, type Zxid } from '@corral/base';
import type { HardState, Inbound, LogRead, OutMsg, PeerMsg, Ready, ServerId, SnapshotInstall, Stopped, StreamRef, Txn } from './types.js';

/** Mutable accumulator of a Ready; `take()` empties it. */
export class ReadyBuilder {
  private snapshot: SnapshotInstall | null = null;
  private truncate: Zxid | null = null;
  private messages: OutMsg[] = [];
  /** Messages that may pass anything queued before them (sendUnordered); the next Ready sends them first. */
  private unordered: OutMsg[] = [];
  private committed: Txn[] = [];
  private append: Txn[] = [];
  private hardState: HardState | null = null;
  private messagesAfterPersist: OutMsg[] = [];
  private disconnect: StreamRef[] = [];
  private inbound: Inbound[] = [];
  private logReads: LogRead[] = [];
  private established = false;
  private stopped: Stopped | null = null;
  /** Peers that already have a message waiting for the disk in this Ready. */
  private readonly waitingPeers = new Set<ServerId>();
  /** Messages per peer in this Ready, for the outbound limit. */
  private readonly perPeer = new Map<ServerId, number>();
  /** Where the leader's own proposal ACK sits in messagesAfterPersist while it is the last message to itself, else -1. */
  private ownAckIndex = -1;
  private ownAckSid: ServerId | null = null;

  /** Queues `msg` to `to`; after the disk if `afterPersist` or an earlier message to `to` waits. Returns the peer's count. */
  send(to: ServerId, msg: PeerMsg, afterPersist = false, stream?: number): number {
    return this.queue(to, msg, afterPersist || this.waitingPeers.has(to), stream);
  }

  /**
   * Queues a learner's message that says nothing about its log (REQUEST, REVALIDATE, a PING
   * echo) before the disk even when an ACK to the same peer waits for it: the leader handles
   * them independently of ACKs, and holding a forwarded write behind the learner's fsync adds
   * that fsync to every write its clients make. Never for a leader's messages: a COMMIT or a
   * sync's answer must not pass what was queued before it.
   */
  sendUnordered(to: ServerId, msg: PeerMsg): number {
    assert(msg.type === 'REQUEST' || msg.type === 'REVALIDATE' || msg.type === 'PING', () => `${msg.type} carries log state`);
    this.unordered.push({ to, msg });
    const count = (this.perPeer.get(to) ?? 0) + 1;
    this.perPeer.set(to, count);
    return count;
  }

  /** Unordered messages wait to be taken (see sendUnordered). */
  hasUnordered(): boolean {
    return this.unordered.length > 0;
  }

  /** The unordered messages queued so far (see sendUnordered), taken out of the next Ready; any time. */
  takeUnordered(): OutMsg[] {
    const taken = this.unordered;
    this.unordered = [];
    return taken;
  }

  private queue(to: ServerId, msg: PeerMsg, afterPersist: boolean, stream: number | undefined): number {
    if (to === this.ownAckSid) this.ownAckIndex = -1;
    const out: OutMsg = stream === undefined ? { to, msg } : { to, msg, stream };
    if (afterPersist) {
      this.waitingPeers.add(to);
      this.messagesAfterPersist.push(out);
    } else {
      this.messages.push(out);
    }
    const count = (this.perPeer.get(to) ?? 0) + 1;
    this.perPeer.set(to, count);
    return count;
  }

  /**
   * The leader's ACK of its own proposal `zxid`, after the disk. One per
   * Ready is enough: the Ready's appends become durable together, so while
   * it is still the last message to itself a later proposal's ACK replaces
   * it, and the leader counts its own ACK for every proposal up to it.
   */
  ackOwnProposal(sid: ServerId, zxid: Zxid): void {
    const msg: PeerMsg = { type: 'ACK', zxid };
    if (this.ownAckIndex >= 0 && this.ownAckSid === sid) {
      this.messagesAfterPersist[this.ownAckIndex] = { to: sid, msg };
      return;
    }
    this.send(sid, msg, true);
    this.ownAckSid = sid;
    this.ownAckIndex = this.messagesAfterPersist.length - 1;
  }

  commit(txn: Txn): void {
    const last = this.committed.at(-1);
    assert(last === undefined || txn.zxid > last.zxid, () => `commits in zxid order: ${txn.zxid} after ${last?.zxid}`);
    this.committed.push(txn);
  }

  appendTxn(txn: Txn): void {
    const last = this.append.at(-1);
    assert(last === undefined || txn.zxid > last.zxid, () => `appends in zxid order: ${txn.zxid} after ${last?.zxid}`);
    this.append.push(txn);
  }

  /** Log truncation: anything appended earlier in this Ready above `zxid` is dropped too. */
  truncateTo(zxid: Zxid): void {
    assert(this.snapshot === null, 'one log rewrite per Ready');
    assert(this.append.length === 0, 'truncation precedes appends in a Ready');
    this.truncate = zxid;
  }

  installSnapshot(install: SnapshotInstall): void {
    assert(this.truncate === null && this.snapshot === null, 'one log rewrite per Ready');
    assert(this.append.length === 0, 'snapshot install precedes appends in a Ready');
    this.snapshot = install;
  }

  /** Records the epochs to persist; a later call in the same Ready supersedes an earlier one. */
  persistHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  disconnectPeer(ref: StreamRef): void {
    if (!this.disconnect.some((d) => d.sid === ref.sid && d.stream === ref.stream)) this.disconnect.push(ref);
  }

  requestLogRead(read: LogRead): void {
    this.logReads.push(read);
  }

  deliverInbound(inbound: Inbound): void {
    this.inbound.push(inbound);
  }

  /** The inbound REQUEST/REVALIDATE messages so far, taken out of the next Ready; any time. */
  takeInbound(): Inbound[] {
    const taken = this.inbound;
    this.inbound = [];
    return taken;
  }

  markEstablished(): void {
    this.established = true;
  }

  stop(reason: string): void {
    if (this.stopped === null) this.stopped = { role: 'LOOKING', reason };
  }

  /** True when the log would change (a rewrite or an append) in this Ready. */
  hasLogWrites(): boolean {
    return this.snapshot !== null || this.truncate !== null || this.append.length > 0;
  }

  isEmpty(): boolean {
    return (
      this.snapshot === null &&
      this.truncate === null &&
      this.messages.length === 0 &&
      this.unordered.length === 0 &&
      this.committed.length === 0 &&
      this.append.length === 0 &&
      this.hardState === null &&
      this.messagesAfterPersist.length === 0 &&
      this.disconnect.length === 0 &&
      this.inbound.length === 0 &&
      this.logReads.length === 0 &&
      !this.established &&
      this.stopped === null
    );
  }

  /** Returns the Ready and starts an empty one. */
  take(): Ready {
    const ready: Ready = {
      snapshot: this.snapshot,
      truncate: this.truncate,
      messages: this.unordered.length === 0 ? this.messages : [...this.unordered, ...this.messages],
      committed: this.committed,
      append: this.append,
      hardState: this.hardState,
      messagesAfterPersist: this.messagesAfterPersist,
      disconnect: this.disconnect,
      inbound: this.inbound,
      logReads: this.logReads,
      established: this.established,
      stopped: this.stopped,
    };
    this.snapshot = null;
    this.truncate = null;
    this.messages = [];
    this.unordered = [];
    this.committed = [];
    this.append = [];
    this.hardState = null;
    this.messagesAfterPersist = [];
    this.disconnect = [];
    this.inbound = [];
    this.logReads = [];
    this.established = false;
    this.waitingPeers.clear();
    this.perPeer.clear();
    this.ownAckIndex = -1;
    return ready;
  }
}

/**
 * ZAB's learner (follower or observer) as a pure state machine: ZooKeeper's
 * Learner.registerWithLeader / syncWithLeader and Follower/Observer's
 * processPacket, as one machine per leader it follows. When anything goes
 * wrong (a protocol violation, a silent leader, a lost stream) it stops and
 * the server goes back to election; a fresh machine follows the next leader.
 *
 * Phases: discovery (FOLLOWERINFO sent, waiting for LEADERINFO), epoch-acked
 * (ACKEPOCH sent, waiting for DIFF/TRUNC/SNAP), sync (txns until NEWLEADER),
 * newleader-acked (waiting for UPTODATE) and broadcast.
 */
import { assert, zxidEpoch, type Zxid } from '@corral/base';
import { validateBroadcastLimits, type BroadcastLimits } from './limits.js';
import { mark } from './marks.js';
import { ReadyBuilder } from './ready-builder.js';
import type { Epoch, InitialState, OutMsg, PeerMsg, Ready, ServerId, SnapshotInstall, Txn, UnsafeFaults } from './types.js';

/** Configuration of a Learner. */
export interface LearnerConfig {
  readonly sid: ServerId;
  /** The leader the election chose. */
  readonly leaderSid: ServerId;
  /** Observers receive INFORM, never ACK a proposal and never count for a quorum. */
  readonly observer: boolean;
  readonly limits: BroadcastLimits;
  readonly state: InitialState;
  /** Test-only deliberate bugs. */
  readonly faults?: UnsafeFaults;
}

/** A learner's phase. */
export type LearnerPhase = 'discovery' | 'epoch-acked' | 'sync' | 'newleader-acked' | 'broadcast' | 'stopped';

/** Learner state machine. Inputs: step, tick, forward/revalidate; outputs: hasReady, ready, advance. */
export class Learner {
  readonly sid: ServerId;
  readonly leaderSid: ServerId;
  readonly observer: boolean;
  private readonly limits: BroadcastLimits;
  private readonly faults: UnsafeFaults;
  private readonly builder = new ReadyBuilder();
  private outstandingReady: Ready | null = null;

  private phase: LearnerPhase = 'discovery';
  private acceptedEpoch: Epoch;
  private currentEpoch: Epoch;
  private lastLoggedZxid: Zxid;
  /** Highest zxid handed to the driver as committed (or applied when the machine started). */
  private appliedZxid: Zxid;
  /** Highest zxid the leader said is committed; applied once UPTODATE arrived. */
  private commitZxid: Zxid;
  /** Logged txns above appliedZxid, oldest first. */
  private pending: Txn[] = [];
  /**
   * The sync's log rewrite and txns, held until NEWLEADER and then written in one Ready with
   * currentEpoch after them (Learner.syncWithLeader holds packetsNotCommitted the same way). A
   * TRUNC or SNAP made durable alone would leave a log shorter than the currentEpoch on disk
   * vouches for; a crash there lets this server win an election without committed txns
   * (harness, seed 100137).
   */
  private syncRewrite: { readonly truncate: Zxid } | { readonly install: SnapshotInstall } | null = null;
  private syncAppends: Txn[] = [];
  private ticksSinceHeard = 0;

  constructor(config: LearnerConfig) {
    validateBroadcastLimits(config.limits);
    const { state } = config;
    assert(config.sid !== config.leaderSid, 'a learner does not follow itself');
    assert(state.currentEpoch <= state.acceptedEpoch, 'currentEpoch <= acceptedEpoch');
    this.sid = config.sid;
    this.leaderSid = config.leaderSid;
    this.observer = config.observer;
    this.limits = config.limits;
    this.faults = config.faults ?? {};
    this.acceptedEpoch = state.acceptedEpoch;
    this.currentEpoch = state.currentEpoch;
    this.appliedZxid = state.appliedZxid;
    this.commitZxid = state.appliedZxid;
    let last = state.logBaseZxid;
    for (const txn of state.log) {
      assert(txn.zxid > last, 'the initial log is in zxid order');
      last = txn.zxid;
      if (txn.zxid > state.appliedZxid) this.pending.push(txn);
    }
    assert(state.appliedZxid <= last, 'the tree is not ahead of the log');
    assert(this.pending.length <= config.limits.learnerPendingTxnsMax, 'the initial log tail fits');
    this.lastLoggedZxid = last;
    this.builder.send(this.leaderSid, { type: this.observer ? 'OBSERVERINFO' : 'FOLLOWERINFO', acceptedEpoch: this.acceptedEpoch });
  }

  get state(): LearnerPhase {
    return this.phase;
  }

  get lastZxid(): Zxid {
    return this.lastLoggedZxid;
  }

  get lastAppliedZxid(): Zxid {
    return this.appliedZxid;
  }

  get epochs(): { readonly acceptedEpoch: Epoch; readonly currentEpoch: Epoch } {
    return { acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch };
  }

  /** Forwards a client's write to the leader (REQUEST). False unless in broadcast. */
  forward(payload: Uint8Array): boolean {
    if (this.phase !== 'broadcast') return false;
    this.builder.sendUnordered(this.leaderSid, { type: 'REQUEST', payload });
    return true;
  }

  /** Sends a session revalidation to the leader (REVALIDATE). False unless in broadcast. */
  revalidate(payload: Uint8Array): boolean {
    if (this.phase !== 'broadcast') return false;
    this.builder.sendUnordered(this.leaderSid, { type: 'REVALIDATE', payload });
    return true;
  }

  /** The driver lost the stream to the leader. */
  connectionLost(): void {
    this.stop('connection to the leader lost');
  }

  /** One tick: a learner that hears nothing from its leader for too long returns to election. */
  tick(): void {
    if (this.phase === 'stopped') return;
    this.ticksSinceHeard++;
    const limit = this.phase === 'broadcast' ? this.limits.syncLimitTicks : this.limits.initLimitTicks;
    if (this.ticksSinceHeard <= limit) return;
    mark('learner-leader-silent');
    this.stop(`leader silent for ${this.ticksSinceHeard} ticks`);
  }

  /** Handles one message from the leader. */
  step(from: ServerId, msg: PeerMsg): void {
    if (this.phase === 'stopped') return;
    // Not from our leader: a stale stream; the driver closes it.
    if (from !== this.leaderSid) return;
    this.ticksSinceHeard = 0;
    switch (msg.type) {
      case 'LEADERINFO':
        return this.onLeaderInfo(msg.newEpoch);
      case 'DIFF':
        if (this.phase !== 'epoch-acked') return this.stop('DIFF out of order');
        if (msg.zxid !== this.lastLoggedZxid) return this.stop('DIFF from a zxid that is not my last');
        this.phase = 'sync';
        return;
      case 'TRUNC':
        return this.onTrunc(msg.zxid);
      case 'SNAP':
        return this.onSnap(msg.zxid, msg.snapshot);
      case 'PROPOSAL':
        if (this.observer && this.phase !== 'sync') return this.stop('observers get PROPOSAL only while syncing');
        return this.onTxn(msg.txn, false);
      case 'INFORM':
        if (!this.observer) return this.stop('INFORM to a follower');
        return this.onTxn(msg.txn, true);
      case 'COMMIT':
        return this.onCommit(msg.zxid);
      case 'NEWLEADER':
        return this.onNewLeader(msg.zxid);
      case 'UPTODATE':
        if (this.phase !== 'newleader-acked') return this.stop('UPTODATE out of order');
        this.phase = 'broadcast';
        this.builder.markEstablished();
        return this.applyCommitted();
      case 'PING':
        if (this.phase !== 'discovery') this.builder.sendUnordered(this.leaderSid, msg.round === undefined ? { type: 'PING' } : { type: 'PING', round: msg.round });
        return;
      case 'REVALIDATE':
        this.builder.deliverInbound({ from, msg });
        return;
      default:
        return this.stop(`unexpected ${msg.type} from the leader`);
    }
  }

  /**
   * REQUEST, REVALIDATE and PING echoes queued so far, for the driver to send now, even while a
   * Ready's write is in flight: they say nothing about the log, so they may pass the ACKs that
   * wait for it (a forwarded write does not wait for this learner's fsync). Those not taken go
   * out first in the next Ready.
   */
  takeUnordered(): OutMsg[] {
    return this.builder.takeUnordered();
  }

  /** REQUEST/REVALIDATE/PING echoes wait for `takeUnordered` (a driver may send them even while a Ready is outstanding). */
  hasUnordered(): boolean {
    return this.builder.hasUnordered();
  }

  hasReady(): boolean {
    return this.outstandingReady === null && !this.builder.isEmpty();
  }

  /** Takes the next Ready. Only one may be outstanding (see Ready for the order of its steps). */
  ready(): Ready {
    assert(this.outstandingReady === null, 'advance the previous Ready first');
    const ready = this.builder.take();
    this.outstandingReady = ready;
    return ready;
  }

  /** The driver finished every step of `ready`. */
  advance(ready: Ready): void {
    assert(ready === this.outstandingReady, 'advance the Ready that was taken');
    this.outstandingReady = null;
  }

  private onLeaderInfo(newEpoch: Epoch): void {
    if (this.phase === 'newleader-acked' || this.phase === 'broadcast') return this.onRollover(newEpoch);
    if (this.phase !== 'discovery') return this.stop('LEADERINFO out of order');
    if (newEpoch < this.acceptedEpoch) return this.stop(`leader epoch ${newEpoch} is below acceptedEpoch ${this.acceptedEpoch}`);
    if (newEpoch > this.acceptedEpoch) {
      this.acceptedEpoch = newEpoch;
      this.builder.persistHardState({ acceptedEpoch: newEpoch, currentEpoch: this.currentEpoch });
    }
    this.phase = 'epoch-acked';
    // ACKEPOCH promises not to accept an older leader: only once acceptedEpoch is durable.
    const ack = { type: 'ACKEPOCH', currentEpoch: this.currentEpoch, lastZxid: this.lastLoggedZxid, committedZxid: this.appliedZxid } as const;
    this.builder.send(this.leaderSid, ack, this.faults.ackEpochBeforeDurable !== true);
  }

  /**
   * The leader moves to a new epoch in band (see README, "Epoch rollover"): acceptedEpoch only,
   * as in discovery. currentEpoch waits for the rollover's NEWLEADER, which the leader sends once
   * a quorum accepted the epoch: a learner that raised it here would name, with its log, a
   * history of an epoch its leader may never get (another leader may establish that epoch).
   */
  private onRollover(newEpoch: Epoch): void {
    if (newEpoch <= this.acceptedEpoch) return this.stop('epoch rollover to an epoch not above acceptedEpoch');
    const ack = { type: 'ACKEPOCH', currentEpoch: this.currentEpoch, lastZxid: this.lastLoggedZxid, committedZxid: this.appliedZxid } as const;
    this.acceptedEpoch = newEpoch;
    if (this.faults.currentEpochAtRolloverAck === true) this.currentEpoch = newEpoch;
    this.builder.persistHardState({ acceptedEpoch: newEpoch, currentEpoch: this.currentEpoch });
    this.builder.send(this.leaderSid, ack, true);
  }

  /**
   * The rollover's NEWLEADER: a quorum accepted the new epoch, and this log (every proposal the
   * leader sent before it) is the new epoch's initial history. currentEpoch follows the log to
   * disk (Ready step 4) and the ACK waits for both, as NEWLEADER's in synchronisation.
   */
  private onRolloverNewLeader(zxid: Zxid): void {
    if (zxidEpoch(zxid) !== this.acceptedEpoch) return this.stop('NEWLEADER of an epoch not accepted');
    const raisedEarly = this.faults.currentEpochAtRolloverAck === true;
    if (this.currentEpoch >= this.acceptedEpoch && !raisedEarly) return this.stop('NEWLEADER of an epoch already acknowledged');
    this.currentEpoch = this.acceptedEpoch;
    this.builder.persistHardState({ acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch });
    this.builder.send(this.leaderSid, { type: 'ACK', zxid }, true);
  }

  private onTrunc(zxid: Zxid): void {
    if (this.phase !== 'epoch-acked') return this.stop('TRUNC out of order');
    if (zxid > this.lastLoggedZxid) return this.stop('TRUNC above my last zxid');
    this.phase = 'sync';
    this.syncRewrite = { truncate: zxid };
    this.pending = this.pending.filter((txn) => txn.zxid <= zxid);
    this.lastLoggedZxid = zxid;
    // A tree that applied past the point is rebuilt by the driver (Ready.truncate).
    if (this.appliedZxid > zxid) this.appliedZxid = zxid;
    if (this.commitZxid > zxid) this.commitZxid = zxid;
  }

  private onSnap(zxid: Zxid, snapshot: Uint8Array | null): void {
    if (this.phase !== 'epoch-acked') return this.stop('SNAP out of order');
    if (snapshot === null) return this.stop('SNAP without a snapshot');
    this.phase = 'sync';
    this.syncRewrite = { install: { zxid, snapshot } };
    this.pending = [];
    this.lastLoggedZxid = zxid;
    this.appliedZxid = zxid;
    this.commitZxid = zxid;
  }

  private onTxn(txn: Txn, committed: boolean): void {
    if (this.phase !== 'sync' && this.phase !== 'newleader-acked' && this.phase !== 'broadcast') return this.stop('txn out of order');
    if (txn.zxid <= this.lastLoggedZxid) return this.stop('txn zxid does not grow');
    // While syncing, txns of the leader's history (up to the epoch it leads); after NEWLEADER,
    // only txns of the epoch acknowledged (a rollover's proposals follow its NEWLEADER).
    const epochMax = this.phase === 'sync' ? this.acceptedEpoch : this.currentEpoch;
    if (zxidEpoch(txn.zxid) > epochMax) return this.stop('txn from an epoch not acknowledged');
    if (this.pending.length >= this.limits.learnerPendingTxnsMax) return this.stop('too many uncommitted txns');
    this.lastLoggedZxid = txn.zxid;
    this.pending.push(txn);
    if (this.phase === 'sync') this.syncAppends.push(txn);
    else this.builder.appendTxn(txn);
    // Before NEWLEADER the NEWLEADER ack vouches for the whole sync; after it, each proposal is acked.
    const acks = !this.observer && (this.phase === 'newleader-acked' || this.phase === 'broadcast');
    if (acks) this.builder.send(this.leaderSid, { type: 'ACK', zxid: txn.zxid }, this.faults.ackBeforeDurable !== true);
    if (committed) this.onCommit(txn.zxid);
  }

  private onCommit(zxid: Zxid): void {
    if (this.phase !== 'sync' && this.phase !== 'newleader-acked' && this.phase !== 'broadcast') return this.stop('COMMIT out of order');
    if (zxid > this.lastLoggedZxid) return this.stop('COMMIT of a txn not logged');
    if (zxid <= this.commitZxid) return;
    this.commitZxid = zxid;
    if (this.phase === 'broadcast') this.applyCommitted();
  }

  private onNewLeader(zxid: Zxid): void {
    if (this.phase === 'newleader-acked' || this.phase === 'broadcast') return this.onRolloverNewLeader(zxid);
    if (this.phase !== 'sync') return this.stop('NEWLEADER out of order');
    if (zxidEpoch(zxid) !== this.acceptedEpoch) return this.stop('NEWLEADER of an epoch not accepted');
    this.phase = 'newleader-acked';
    this.currentEpoch = this.acceptedEpoch;
    const rewrite = this.syncRewrite;
    if (rewrite !== null && 'truncate' in rewrite) this.builder.truncateTo(rewrite.truncate);
    if (rewrite !== null && 'install' in rewrite) this.builder.installSnapshot(rewrite.install);
    for (const txn of this.syncAppends) this.builder.appendTxn(txn);
    this.syncRewrite = null;
    this.syncAppends = [];
    // Ready writes the log before the hard state: currentEpoch never vouches for a log not on disk.
    this.builder.persistHardState({ acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch });
    this.builder.send(this.leaderSid, { type: 'ACK', zxid }, true);
  }

  private applyCommitted(): void {
    let count = 0;
    while (count < this.pending.length && (this.pending[count] as Txn).zxid <= this.commitZxid) {
      this.builder.commit(this.pending[count] as Txn);
      count++;
    }
    if (count === 0) return;
    this.appliedZxid = (this.pending[count - 1] as Txn).zxid;
    // splice, not slice: one COMMIT per proposal must not copy the whole pending list.
    this.pending.splice(0, count);
  }

  private stop(reason: string): void {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    this.builder.stop(reason);
  }
}

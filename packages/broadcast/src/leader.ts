/**
 * ZAB's leader as a pure state machine (Zab.tla's leader actions; ZooKeeper's
 * Leader.java with one LearnerHandler per learner folded in).
 *
 * Phases: discovery (collect FOLLOWERINFO from a quorum, choose an epoch above
 * every acceptedEpoch seen, LEADERINFO, collect ACKEPOCH), synchronisation
 * (DIFF/TRUNC/SNAP + txns + NEWLEADER to each learner; wait for a quorum of
 * NEWLEADER acks, its own included) and broadcast (PROPOSAL, ACK, COMMIT).
 * Learners that connect later go through the same steps on their own.
 * See README.md for the persist/ack ordering.
 */
import { assert, makeZxid, zxidCounter, zxidEpoch, type Zxid } from '@corral/base';
import { validateBroadcastLimits, type BroadcastLimits } from './limits.js';
import type { QuorumVerifier } from './quorum.js';
import { ReadyBuilder } from './ready-builder.js';
import { planSync, syncMessages, type SyncPlan } from './sync-plan.js';
import { TxnWindow } from './txn-window.js';
import type { AckEpochMsg, Epoch, InitialState, LearnerInfoMsg, LogRead, PeerMsg, Ready, ServerId, Txn, UnsafeFaults } from './types.js';

/** Configuration of a Leader. */
export interface LeaderConfig {
  readonly sid: ServerId;
  readonly quorum: QuorumVerifier;
  readonly limits: BroadcastLimits;
  readonly state: InitialState;
  /** The configured observers; an OBSERVERINFO from any other sid is refused. */
  readonly observers: readonly ServerId[];
  /** Test-only deliberate bugs. */
  readonly faults?: UnsafeFaults;
}

/** What propose() did. */
export type ProposeResult =
  | { readonly ok: true; readonly zxid: Zxid }
  | { readonly ok: false; readonly reason: 'not-established' | 'busy' | 'epoch-change' | 'stopped' };

/** The leader's view of one learner (ZooKeeper's LearnerHandler state). */
interface LearnerHandle {
  readonly sid: ServerId;
  readonly observer: boolean;
  /**
   * info: sent FOLLOWERINFO; epoch: sent LEADERINFO; epoch-acked: ACKEPOCH in discovery;
   * log-read: waiting for the driver's disk read; syncing: sent NEWLEADER; synced: acked it.
   */
  state: 'info' | 'epoch' | 'epoch-acked' | 'log-read' | 'syncing' | 'synced';
  acceptedEpoch: Epoch;
  peerLastZxid: Zxid;
  peerCommittedZxid: Zxid;
  lastHeardTick: number;
  /** The highest leadership round this learner echoed (confirmRound). */
  echoedRound: number;
  /** The NEWLEADER zxid this learner must acknowledge. */
  newLeaderZxid: Zxid;
  /** Last proposal queued to it before NEWLEADER: its NEWLEADER ack vouches for all of them. */
  coveredZxid: Zxid;
  /** The driver's number for the stream this learner is on. */
  readonly stream: number;
}

/** Leader state machine. Inputs: step, tick, propose; outputs: hasReady, ready, advance. */
export class Leader {
  readonly sid: ServerId;
  /** The last leadership round started (confirmRound). */
  private round = 0;
  private readonly quorum: QuorumVerifier;
  private readonly observers: ReadonlySet<ServerId>;
  private readonly limits: BroadcastLimits;
  private readonly faults: UnsafeFaults;
  private readonly builder = new ReadyBuilder();
  private outstandingReady: Ready | null = null;

  private phase: 'discovery' | 'sync' | 'broadcast' | 'stopped' = 'discovery';
  private acceptedEpoch: Epoch;
  private currentEpoch: Epoch;
  /** The epoch this leader leads, once discovery chose it. */
  private epoch: Epoch | null = null;
  private readonly summary: { readonly currentEpoch: Epoch; readonly lastZxid: Zxid };
  private readonly window: TxnWindow;
  /** The driver's log on disk holds every record above it: a DIFF can reach below the window. */
  private diskLogBaseZxid: Zxid;
  private committedZxid: Zxid;
  /** The zxid the driver's tree stands at when the next Ready's messages are sent. */
  private appliedZxid: Zxid;
  /** Proposals without a quorum yet, in zxid order, with the voters that acked. */
  private readonly outstanding = new Map<Zxid, Set<ServerId>>();
  private readonly learners = new Map<ServerId, LearnerHandle>();
  private readonly connectingEpochs = new Map<ServerId, Epoch>();
  private readonly epochAcks = new Set<ServerId>();
  private readonly newLeaderAcks = new Set<ServerId>();
  /**
   * An epoch change in band: 'epoch' collects ACKEPOCHs of the new acceptedEpoch, 'newleader' the
   * ACKs of its NEWLEADER (learners raise currentEpoch on it). Proposals wait until both had a quorum.
   */
  private rollover: { readonly epoch: Epoch; phase: 'epoch' | 'newleader'; acks: Set<ServerId>; readonly startTick: number } | null = null;
  private tickCount = 0;
  private phaseStartTick = 0;

  constructor(config: LeaderConfig) {
    validateBroadcastLimits(config.limits);
    const { state } = config;
    assert(config.quorum.isVoter(config.sid), 'the leader is a voter');
    assert(state.currentEpoch <= state.acceptedEpoch, 'currentEpoch <= acceptedEpoch');
    assert(state.appliedZxid >= state.logBaseZxid, 'the log covers every txn above the applied zxid');
    this.sid = config.sid;
    this.quorum = config.quorum;
    this.observers = new Set(config.observers);
    for (const sid of config.observers) assert(!config.quorum.isVoter(sid), () => `observer ${sid} is not a voter`);
    this.limits = config.limits;
    this.faults = config.faults ?? {};
    this.acceptedEpoch = state.acceptedEpoch;
    this.currentEpoch = state.currentEpoch;
    this.window = new TxnWindow(state.logBaseZxid, state.log);
    this.diskLogBaseZxid = state.diskLogBaseZxid ?? state.logBaseZxid;
    assert(this.diskLogBaseZxid <= state.logBaseZxid, 'the disk log reaches at least as far back as the window');
    // Records above appliedZxid are not known committed: the leader keeps them all until
    // establishment commits them (advance then prunes the window back). A learner that synced
    // again and again without reaching UPTODATE holds up to learnerPendingTxnsMax of them and is
    // then the most up-to-date voter (replica's TestEnsemble, seed 843 at e54a75d). Older records are trimmed.
    this.window.prune(config.limits.windowTxnsMax, state.appliedZxid);
    assert(this.window.size <= Math.max(config.limits.windowTxnsMax, config.limits.learnerPendingTxnsMax),
      'the initial log above the applied zxid fits learnerPendingTxnsMax');
    assert(state.appliedZxid <= this.window.lastZxid, 'the tree is not ahead of the log');
    assert(zxidEpoch(this.window.lastZxid) <= state.currentEpoch, 'the log is not ahead of currentEpoch');
    this.summary = { currentEpoch: state.currentEpoch, lastZxid: this.window.lastZxid };
    this.committedZxid = state.appliedZxid;
    this.appliedZxid = state.appliedZxid;
    this.connectingEpochs.set(this.sid, this.acceptedEpoch);
    this.maybeChooseEpoch();
  }

  /** discovery → sync → broadcast; `stopped` after the machine returned the server to LOOKING. */
  get state(): 'discovery' | 'sync' | 'broadcast' | 'stopped' {
    return this.phase;
  }

  /** The epoch being led, once chosen. */
  get leadingEpoch(): Epoch | null {
    return this.epoch;
  }

  get lastZxid(): Zxid {
    return this.window.lastZxid;
  }

  get lastCommittedZxid(): Zxid {
    return this.committedZxid;
  }

  /** Learners in broadcast (NEWLEADER acknowledged), for status output. */
  syncedLearners(): ServerId[] {
    return [...this.learners.values()].filter((h) => h.state === 'synced').map((h) => h.sid);
  }

  /** Orders a txn. Only an established leader proposes; the zxid is returned. */
  /**
   * The zxid the next propose() will assign, or null when it would be
   * refused. Prep names its change records by zxid before the txn exists
   * (replica), so it asks first; the two calls happen in one synchronous step.
   */
  nextZxid(): Zxid | null {
    if (this.phase !== 'broadcast' || this.rollover !== null) return null;
    if (this.outstanding.size >= this.limits.pendingProposalsMax) return null;
    const epoch = this.currentEpoch;
    const last = this.window.lastZxid;
    const counter = zxidEpoch(last) === epoch ? zxidCounter(last) + 1 : 1;
    assert(counter <= this.limits.zxidCounterMax, 'the counter stays below its maximum (rollover starts at it)');
    return makeZxid(epoch, counter);
  }

  propose(bytes: Uint8Array): ProposeResult {
    if (this.phase === 'stopped') return { ok: false, reason: 'stopped' };
    if (this.phase !== 'broadcast') return { ok: false, reason: 'not-established' };
    if (this.rollover !== null) return { ok: false, reason: 'epoch-change' };
    if (this.outstanding.size >= this.limits.pendingProposalsMax) return { ok: false, reason: 'busy' };
    const zxid = this.nextZxid();
    assert(zxid !== null, 'a proposable leader names its next zxid');
    const txn: Txn = { zxid, bytes };
    this.window.push(txn);
    this.builder.appendTxn(txn);
    this.outstanding.set(txn.zxid, new Set());
    for (const h of this.learners.values()) {
      if (!h.observer && isForwarding(h)) this.sendTo(h, { type: 'PROPOSAL', txn });
    }
    // The leader's own ack waits for its disk, like any follower's (AckRequestProcessor).
    this.builder.send(this.sid, { type: 'ACK', zxid: txn.zxid }, true);
    if (zxidCounter(zxid) === this.limits.zxidCounterMax) this.startRollover(this.currentEpoch + 1);
    return { ok: true, zxid: txn.zxid };
  }

  /** The driver purged its log up to `zxid` (after a snapshot): DIFFs from disk start above it. */
  logCompacted(zxid: Zxid): void {
    if (zxid > this.diskLogBaseZxid) this.diskLogBaseZxid = zxid;
  }

  /**
   * The driver read the log records a Ready's `logReads` asked for: `txns` are the records with
   * `fromZxid <= zxid <= upToZxid`, oldest first. The learner's sync continues: a DIFF from disk
   * when the learner's last zxid is one of them, a TRUNC to its committed zxid (the read's start)
   * otherwise, a SNAP if the read is not contiguous with the window any more.
   */
  logRead(read: LogRead, txns: readonly Txn[]): void {
    const h = this.learners.get(read.sid);
    if (this.phase === 'stopped' || h === undefined || h.stream !== read.stream || h.state !== 'log-read') return;
    let last = read.fromZxid - 1n;
    for (const txn of txns) {
      assert(txn.zxid > last && txn.zxid >= read.fromZxid && txn.zxid <= read.upToZxid, 'a log read returns its range in zxid order');
      last = txn.zxid;
    }
    const start = read.fromZxid === read.diskLogBaseZxid || txns[0]?.zxid === read.fromZxid;
    // The window may have moved past the read while it ran; then a SNAP is the only way.
    const contiguous = (txns.at(-1)?.zxid ?? read.fromZxid) === read.upToZxid && this.window.baseZxid === read.upToZxid;
    if (!start || !contiguous) return this.queueSync(h, this.snapPlan(), []);
    const peer = h.peerLastZxid;
    const diff = peer === read.fromZxid || txns.some((txn) => txn.zxid === peer);
    const point = diff ? peer : read.fromZxid;
    const fromDisk = txns.filter((txn) => txn.zxid > point);
    this.queueSync(h, { kind: diff ? 'DIFF' : 'TRUNC', zxid: point, fromZxid: read.upToZxid }, fromDisk);
  }

  /** Sends an opaque REVALIDATE answer to a learner (the replica layer's session revalidation). */
  revalidate(to: ServerId, payload: Uint8Array): void {
    const h = this.learners.get(to);
    if (this.phase === 'stopped' || h === undefined) return;
    this.sendTo(h, { type: 'REVALIDATE', payload });
  }

  /** The driver's stream `stream` to learner `sid` closed: forget that learner (unless it already reconnected). */
  learnerDisconnected(sid: ServerId, stream: number): void {
    if (this.learners.get(sid)?.stream !== stream) return;
    this.learners.delete(sid);
    this.connectingEpochs.delete(sid);
  }

  /**
   * Handles one message from a learner that arrived on the driver's stream number `stream`, or
   * a self-addressed ack from this server's driver (from = sid; no stream).
   */
  step(from: ServerId, msg: PeerMsg, stream = 0): void {
    if (this.phase === 'stopped') return;
    if (from === this.sid) return this.stepSelf(msg);
    if (msg.type === 'FOLLOWERINFO' || msg.type === 'OBSERVERINFO') return this.onLearnerInfo(from, stream, msg);
    const h = this.learners.get(from);
    // From a learner the leader dropped, or from its previous stream: that stream is closing.
    if (h === undefined || h.stream !== stream) return;
    h.lastHeardTick = this.tickCount;
    switch (msg.type) {
      case 'ACKEPOCH':
        return this.onAckEpoch(h, msg);
      case 'ACK':
        return this.onAck(h, msg.zxid);
      case 'PING':
        if (msg.round !== undefined && msg.round > h.echoedRound && msg.round <= this.round) h.echoedRound = msg.round;
        return;
      case 'REQUEST':
      case 'REVALIDATE':
        if (h.state === 'synced') this.builder.deliverInbound({ from, msg });
        return;
      default:
        return this.drop(h, `unexpected ${msg.type} from learner`);
    }
  }

  /**
   * Starts a leadership round: a numbered PING to every synced voter now. The round is confirmed
   * once a quorum (this leader included) echoed it: followers answered a message sent after the
   * round began, so no other leader had a quorum in between. A linearizable sync waits for one
   * (ZOOKEEPER-1675: a deposed leader that still believes it leads cannot collect the quorum).
   */
  confirmRound(): number {
    this.round++;
    for (const h of this.learners.values()) if (!h.observer && h.state === 'synced') this.sendTo(h, { type: 'PING', round: this.round });
    return this.round;
  }

  /** True once a quorum echoed `round` or a later one (see confirmRound). */
  roundConfirmed(round: number): boolean {
    if (this.phase !== 'broadcast') return false;
    const echoed = new Set<ServerId>([this.sid]);
    for (const h of this.learners.values()) if (!h.observer && h.state === 'synced' && h.echoedRound >= round) echoed.add(h.sid);
    return this.quorum.containsQuorum(echoed);
  }

  /** One tick: pings, and the liveness checks of ZooKeeper's Leader.lead loop. */
  tick(): void {
    if (this.phase === 'stopped') return;
    this.tickCount++;
    if (this.phase !== 'broadcast') {
      if (this.tickCount - this.phaseStartTick > this.limits.initLimitTicks) this.stop(`no quorum within initLimit in ${this.phase}`);
      return;
    }
    for (const h of [...this.learners.values()]) {
      const limit = h.state === 'synced' ? this.limits.syncLimitTicks : this.limits.initLimitTicks;
      if (this.tickCount - h.lastHeardTick > limit) this.drop(h, 'learner silent');
      else if (isForwarding(h)) this.sendTo(h, { type: 'PING' });
    }
    const alive = new Set<ServerId>([this.sid]);
    for (const h of this.learners.values()) if (h.state === 'synced') alive.add(h.sid);
    if (!this.quorum.containsQuorum(alive)) return this.stop('no quorum of synced followers within syncLimit');
    if (this.rollover !== null && this.tickCount - this.rollover.startTick > this.limits.initLimitTicks) {
      this.stop('epoch rollover found no quorum');
    }
  }

  hasReady(): boolean {
    return this.outstandingReady === null && !this.builder.isEmpty();
  }

  /** Takes the next Ready. Only one may be outstanding (see Ready for the order of its steps). */
  ready(): Ready {
    assert(this.outstandingReady === null, 'advance the previous Ready first');
    const ready = this.builder.take();
    const last = ready.committed.at(-1);
    if (last !== undefined) this.appliedZxid = last.zxid;
    this.outstandingReady = ready;
    return ready;
  }

  /** The driver finished every step of `ready`. */
  advance(ready: Ready): void {
    assert(ready === this.outstandingReady, 'advance the Ready that was taken');
    this.outstandingReady = null;
    this.window.prune(this.limits.windowTxnsMax, this.appliedZxid);
  }

  private stepSelf(msg: PeerMsg): void {
    if (msg.type === 'ACK') return this.onSelfAck(msg.zxid);
    if (msg.type === 'ACKEPOCH' && this.rollover?.phase === 'epoch') {
      this.rollover.acks.add(this.sid);
      return this.maybeAdvanceRollover();
    }
    assert(msg.type === 'ACKEPOCH', () => `only acks are self-addressed, got ${msg.type}`);
  }

  private onSelfAck(zxid: Zxid): void {
    if (this.rollover?.phase === 'newleader' && zxid === makeZxid(this.rollover.epoch, 0)) {
      this.rollover.acks.add(this.sid);
      return this.maybeAdvanceRollover();
    }
    if (this.epoch !== null && zxid === makeZxid(this.epoch, 0)) {
      this.newLeaderAcks.add(this.sid);
      return this.maybeEstablish();
    }
    this.outstanding.get(zxid)?.add(this.sid);
    this.tryCommit();
  }

  private onLearnerInfo(sid: ServerId, stream: number, msg: LearnerInfoMsg): void {
    const observer = msg.type === 'OBSERVERINFO';
    const acceptedEpoch = msg.acceptedEpoch;
    // A new stream from a known learner replaces the old one (a reconnect).
    const old = this.learners.get(sid);
    if (old !== undefined) this.drop(old, 'reconnected');
    // Only configured members: voters send FOLLOWERINFO, observers OBSERVERINFO.
    const known = observer ? this.observers.has(sid) : this.quorum.isVoter(sid);
    if (!known || sid === this.sid || this.rollover !== null) {
      this.builder.disconnectPeer({ sid, stream });
      return;
    }
    // A straggler that accepted the epoch of a leader that never established, above this one's:
    // it would refuse LEADERINFO (as in ZooKeeper's registerWithLeader) and could not join until
    // the next epoch. Move to an epoch above it in band, and refuse it until then; it retries.
    if (this.phase === 'broadcast' && this.epoch !== null && acceptedEpoch > this.epoch) {
      this.builder.disconnectPeer({ sid, stream });
      return this.startRollover(acceptedEpoch + 1);
    }
    const h: LearnerHandle = {
      sid,
      observer,
      state: 'info',
      acceptedEpoch,
      peerLastZxid: 0n,
      peerCommittedZxid: 0n,
      lastHeardTick: this.tickCount,
      newLeaderZxid: 0n,
      coveredZxid: 0n,
      echoedRound: 0,
      stream,
    };
    this.learners.set(sid, h);
    if (this.epoch === null) {
      this.connectingEpochs.set(sid, acceptedEpoch);
      return this.maybeChooseEpoch();
    }
    h.state = 'epoch';
    // Any earlier write of the epoch must be durable before a learner hears of it.
    this.builder.send(sid, { type: 'LEADERINFO', newEpoch: this.epoch }, true, stream);
  }

  /** Getting the epoch to propose: above every acceptedEpoch, once a quorum of voters connected. */
  private maybeChooseEpoch(): void {
    const voters = new Set([...this.connectingEpochs.keys()].filter((sid) => sid === this.sid || this.learners.has(sid)));
    if (!this.quorum.containsQuorum(voters)) return;
    let max = 0;
    for (const epoch of this.connectingEpochs.values()) max = Math.max(max, epoch);
    const epoch = max + 1;
    assert(epoch > this.acceptedEpoch, 'the new epoch is above acceptedEpoch');
    this.epoch = epoch;
    this.acceptedEpoch = epoch;
    this.builder.persistHardState({ acceptedEpoch: epoch, currentEpoch: this.currentEpoch });
    for (const h of this.learners.values()) {
      h.state = 'epoch';
      this.builder.send(h.sid, { type: 'LEADERINFO', newEpoch: epoch }, true, h.stream);
    }
    this.epochAcks.add(this.sid);
    this.maybeFinishDiscovery();
  }

  private onAckEpoch(h: LearnerHandle, msg: AckEpochMsg): void {
    const { currentEpoch, lastZxid } = msg;
    if (isForwarding(h)) {
      // An epoch rollover's ACKEPOCH; it may arrive after a quorum already accepted the epoch.
      if (this.rollover?.phase !== 'epoch') return;
      if (currentEpoch !== this.currentEpoch) return this.drop(h, 'rollover ACKEPOCH from another epoch');
      if (!h.observer) this.rollover.acks.add(h.sid);
      return this.maybeAdvanceRollover();
    }
    if (h.state !== 'epoch') return this.drop(h, 'ACKEPOCH out of order');
    if (msg.committedZxid > lastZxid) return this.drop(h, 'ACKEPOCH committed beyond its last zxid');
    h.state = 'epoch-acked';
    h.peerLastZxid = lastZxid;
    h.peerCommittedZxid = msg.committedZxid;
    if (this.phase === 'discovery') {
      // A quorum member ahead of this leader means the election chose wrongly: give up.
      const ahead = currentEpoch > this.summary.currentEpoch || (currentEpoch === this.summary.currentEpoch && lastZxid > this.summary.lastZxid);
      if (ahead) return this.stop(`learner ${h.sid} is ahead of the leader`);
      // A learner that had accepted this epoch number before it connected (from this leader on an
      // earlier stream, or from another leader that chose the same number) acks without promising
      // anything new: not counted, as ZooKeeper's ACKEPOCH of -1. Counting it would let two
      // leaders collect a quorum for one epoch.
      if (h.acceptedEpoch < (this.epoch ?? 0)) this.epochAcks.add(h.sid);
      return this.maybeFinishDiscovery();
    }
    this.startSync(h);
  }

  private maybeFinishDiscovery(): void {
    if (this.phase !== 'discovery' || !this.quorum.containsQuorum(this.epochAcks)) return;
    const epoch = this.epoch;
    assert(epoch !== null, 'discovery chose an epoch');
    this.phase = 'sync';
    this.phaseStartTick = this.tickCount;
    this.currentEpoch = epoch;
    this.builder.persistHardState({ acceptedEpoch: this.acceptedEpoch, currentEpoch: epoch });
    this.builder.send(this.sid, { type: 'ACK', zxid: makeZxid(epoch, 0) }, true);
    for (const h of this.learners.values()) if (h.state === 'epoch-acked') this.startSync(h);
  }

  /** Plans the learner's sync; a learner below the window but within the disk log waits for a log read. */
  private startSync(h: LearnerHandle): void {
    const plan = planSync({
      peerLastZxid: h.peerLastZxid,
      peerCommittedZxid: h.peerCommittedZxid,
      window: this.window,
      snapshotZxid: this.appliedZxid,
      skipTrunc: this.faults.skipTrunc === true,
    });
    // Below the window: the disk log may still hold everything from the learner's committed point.
    if (plan.kind === 'SNAP' && h.peerCommittedZxid >= this.diskLogBaseZxid) {
      h.state = 'log-read';
      const read: LogRead = { sid: h.sid, stream: h.stream, fromZxid: h.peerCommittedZxid, upToZxid: this.window.baseZxid, diskLogBaseZxid: this.diskLogBaseZxid };
      this.builder.requestLogRead(read);
      return;
    }
    this.queueSync(h, plan, []);
  }

  private snapPlan(): SyncPlan {
    return { kind: 'SNAP', zxid: this.appliedZxid, fromZxid: this.appliedZxid };
  }

  /** Queues DIFF/TRUNC/SNAP, the txns that follow, and NEWLEADER; the learner then gets every broadcast message. */
  private queueSync(h: LearnerHandle, plan: SyncPlan, fromDisk: readonly Txn[]): void {
    const epoch = this.epoch;
    assert(epoch !== null, 'sync runs in an epoch');
    h.coveredZxid = this.window.lastZxid;
    h.newLeaderZxid = makeZxid(epoch, 0);
    h.state = 'syncing';
    // Before establishment the whole history is to be committed (it is the new epoch's initial history).
    const committedZxid = this.phase === 'broadcast' ? this.committedZxid : this.window.lastZxid;
    const messages = syncMessages({ plan, fromDisk, window: this.window, committedZxid, observer: h.observer, newLeaderZxid: h.newLeaderZxid });
    for (const msg of messages) this.sendTo(h, msg);
  }

  private onAck(h: LearnerHandle, zxid: Zxid): void {
    if (zxid === h.newLeaderZxid && h.state === 'syncing') return this.onNewLeaderAck(h);
    if (zxidCounter(zxid) === 0 && isForwarding(h)) return this.onRolloverNewLeaderAck(h, zxid);
    if (h.observer || h.state !== 'synced') return this.drop(h, 'ACK out of order');
    if (zxid <= this.committedZxid) return;
    const acks = this.outstanding.get(zxid);
    if (acks === undefined) return this.drop(h, 'ACK of an unknown proposal');
    acks.add(h.sid);
    this.tryCommit();
  }

  private onNewLeaderAck(h: LearnerHandle): void {
    h.state = 'synced';
    if (!h.observer) {
      for (const [zxid, acks] of this.outstanding) if (zxid <= h.coveredZxid) acks.add(h.sid);
      this.newLeaderAcks.add(h.sid);
    }
    if (this.phase === 'sync') return this.maybeEstablish();
    this.sendTo(h, { type: 'UPTODATE' });
    this.tryCommit();
  }

  /** A quorum acknowledged NEWLEADER: the history is committed and broadcast begins. */
  private maybeEstablish(): void {
    if (this.phase !== 'sync' || !this.quorum.containsQuorum(this.newLeaderAcks) || !this.newLeaderAcks.has(this.sid)) return;
    this.phase = 'broadcast';
    this.phaseStartTick = this.tickCount;
    this.builder.markEstablished();
    for (const txn of this.window.after(this.committedZxid)) this.builder.commit(txn);
    this.committedZxid = this.window.lastZxid;
    for (const h of this.learners.values()) if (h.state === 'synced') this.sendTo(h, { type: 'UPTODATE' });
  }

  /** Commits proposals in zxid order while the oldest has a quorum of acks. */
  private tryCommit(): void {
    for (const [zxid, acks] of this.outstanding) {
      const quorum = this.faults.commitWithoutQuorum === true ? acks.has(this.sid) : this.quorum.containsQuorum(acks);
      if (!quorum) return;
      this.outstanding.delete(zxid);
      this.commit(zxid);
    }
  }

  private commit(zxid: Zxid): void {
    assert(zxid > this.committedZxid, 'commits only move forward');
    const txn = this.window.get(zxid);
    this.committedZxid = zxid;
    this.builder.commit(txn);
    for (const h of this.learners.values()) {
      if (!isForwarding(h)) continue;
      this.sendTo(h, h.observer ? { type: 'INFORM', txn } : { type: 'COMMIT', zxid });
    }
  }

  /**
   * Epoch change in band: at the counter's maximum (ZooKeeper throws XidRolloverException and
   * forces an election instead), or for a straggler whose acceptedEpoch is above this epoch. The
   * two steps of discovery and synchronisation on the open streams: LEADERINFO(epoch), each
   * learner persists acceptedEpoch and answers ACKEPOCH; with a quorum (itself included, after its
   * own write) NEWLEADER(epoch): each persists currentEpoch after its log and ACKs; with a quorum
   * of those, proposals resume in the new epoch. See README, "Epoch rollover".
   */
  private startRollover(epoch: Epoch): void {
    assert(epoch > this.acceptedEpoch, 'rollover epoch is above acceptedEpoch');
    this.rollover = { epoch, phase: 'epoch', acks: new Set(), startTick: this.tickCount };
    this.acceptedEpoch = epoch;
    this.builder.persistHardState({ acceptedEpoch: epoch, currentEpoch: this.currentEpoch });
    for (const h of [...this.learners.values()]) {
      if (isForwarding(h)) this.sendTo(h, { type: 'LEADERINFO', newEpoch: epoch });
      else this.drop(h, 'still in discovery at an epoch rollover');
    }
    const self = { type: 'ACKEPOCH', currentEpoch: this.currentEpoch, lastZxid: this.window.lastZxid, committedZxid: this.committedZxid } as const;
    this.builder.send(this.sid, self, true);
  }

  private onRolloverNewLeaderAck(h: LearnerHandle, zxid: Zxid): void {
    const rollover = this.rollover;
    if (rollover?.phase === 'newleader' && zxid === makeZxid(rollover.epoch, 0)) {
      if (!h.observer) rollover.acks.add(h.sid);
      return this.maybeAdvanceRollover();
    }
    // A late ack of a rollover that already had its quorum.
    if (zxid > makeZxid(this.currentEpoch, 0)) this.drop(h, 'ACK of a NEWLEADER not sent');
  }

  private maybeAdvanceRollover(): void {
    const rollover = this.rollover;
    if (rollover === null || !rollover.acks.has(this.sid) || !this.quorum.containsQuorum(rollover.acks)) return;
    if (rollover.phase === 'newleader') {
      this.rollover = null;
      return;
    }
    rollover.phase = 'newleader';
    rollover.acks = new Set();
    this.currentEpoch = rollover.epoch;
    this.epoch = rollover.epoch;
    this.builder.persistHardState({ acceptedEpoch: this.acceptedEpoch, currentEpoch: rollover.epoch });
    const newLeader = { type: 'NEWLEADER', zxid: makeZxid(rollover.epoch, 0) } as const;
    for (const h of this.learners.values()) if (isForwarding(h)) this.sendTo(h, newLeader);
    this.builder.send(this.sid, { type: 'ACK', zxid: newLeader.zxid }, true);
  }

  private sendTo(h: LearnerHandle, msg: PeerMsg): void {
    const count = this.builder.send(h.sid, msg, false, h.stream);
    if (count > this.limits.outboundMessagesPerPeerMax) this.drop(h, 'outbound limit');
  }

  private drop(h: LearnerHandle, _reason: string): void {
    this.learners.delete(h.sid);
    this.connectingEpochs.delete(h.sid);
    this.builder.disconnectPeer({ sid: h.sid, stream: h.stream });
  }

  private stop(reason: string): void {
    this.phase = 'stopped';
    for (const h of this.learners.values()) this.builder.disconnectPeer({ sid: h.sid, stream: h.stream });
    this.learners.clear();
    this.builder.stop(reason);
  }
}

function isForwarding(h: LearnerHandle): boolean {
  return h.state === 'syncing' || h.state === 'synced';
}

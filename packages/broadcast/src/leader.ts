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
 *
 * This file holds the message switch and the phase changes; the state of
 * each job lives beside it: discovery's acks (leader-discovery.ts), each
 * learner's sync (leader-sync.ts, sync-plan.ts), proposals in flight
 * (proposal-tracker.ts), the in-band epoch change (epoch-rollover.ts),
 * leadership rounds (leadership-rounds.ts), the learners and sending to them
 * (learner-streams.ts, learner-handle.ts).
 */
import { assert, makeZxid, zxidCounter, zxidEpoch, type Zxid } from '@corral/base';
import { EpochRollover, type RolloverLeader } from './epoch-rollover.js';
import { Discovery } from './leader-discovery.js';
import { LearnerSync, type SyncPoint } from './leader-sync.js';
import { LeadershipRounds } from './leadership-rounds.js';
import { mark } from './marks.js';
import { isForwarding, newLearnerHandle, type LearnerHandle } from './learner-handle.js';
import { LearnerStreams } from './learner-streams.js';
import { validateBroadcastLimits, type BroadcastLimits } from './limits.js';
import { ProposalTracker } from './proposal-tracker.js';
import type { QuorumVerifier } from './quorum.js';
import { ReadyBuilder } from './ready-builder.js';
import { TxnWindow } from './txn-window.js';
import type { AckEpochMsg, Epoch, Inbound, InitialState, LearnerInfoMsg, LogRead, PeerMsg, Ready, ServerId, Txn, UnsafeFaults } from './types.js';

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

/** Leader state machine. Inputs: step, tick, propose; outputs: hasReady, ready, advance. */
export class Leader {
  readonly sid: ServerId;
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
  /** The zxid the driver's tree stands at when the next Ready's messages are sent. */
  private appliedZxid: Zxid;
  private readonly proposals: ProposalTracker;
  private readonly learners: LearnerStreams;
  private readonly sync: LearnerSync;
  private readonly discovery: Discovery;
  /** What an epoch rollover uses of this leader. */
  private readonly rolloverLeader: RolloverLeader;
  private readonly rounds = new LeadershipRounds();
  private rollover: EpochRollover | null = null;
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
    this.appliedZxid = state.appliedZxid;
    this.discovery = new Discovery(this.sid, this.acceptedEpoch);
    this.learners = new LearnerStreams(this.builder, this.limits, (sid) => this.discovery.forget(sid));
    this.proposals = new ProposalTracker({
      sid: this.sid, quorum: this.quorum, builder: this.builder, streams: this.learners, window: this.window,
      committedZxid: state.appliedZxid, commitWithoutQuorum: this.faults.commitWithoutQuorum === true,
    });
    this.sync = new LearnerSync({ builder: this.builder, streams: this.learners, window: this.window, limits: this.limits, skipTrunc: this.faults.skipTrunc === true });
    this.rolloverLeader = { sid: this.sid, quorum: this.quorum, builder: this.builder, streams: this.learners };
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
    return this.proposals.committedZxid;
  }

  /** Learners in broadcast (NEWLEADER acknowledged), for status output. */
  syncedLearners(): ServerId[] {
    return this.learners.synced().map((h) => h.sid);
  }

  /**
   * The zxid the next propose() will assign, or null when it would be
   * refused. Prep names its change records by zxid before the txn exists
   * (replica), so it asks first; the two calls happen in one synchronous step.
   */
  nextZxid(): Zxid | null {
    if (this.phase !== 'broadcast' || this.rollover !== null) return null;
    if (this.proposals.size >= this.limits.pendingProposalsMax) return null;
    const epoch = this.currentEpoch;
    const last = this.window.lastZxid;
    const counter = zxidEpoch(last) === epoch ? zxidCounter(last) + 1 : 1;
    assert(counter <= this.limits.zxidCounterMax, 'the counter stays below its maximum (rollover starts at it)');
    return makeZxid(epoch, counter);
  }

  /** Orders a txn. Only an established leader proposes; the zxid is returned. */
  propose(bytes: Uint8Array): ProposeResult {
    if (this.phase === 'stopped') return { ok: false, reason: 'stopped' };
    if (this.phase !== 'broadcast') return { ok: false, reason: 'not-established' };
    if (this.rollover !== null) return { ok: false, reason: 'epoch-change' };
    if (this.proposals.size >= this.limits.pendingProposalsMax) return { ok: false, reason: 'busy' };
    const zxid = this.nextZxid();
    assert(zxid !== null, 'a proposable leader names its next zxid');
    this.proposals.propose({ zxid, bytes });
    if (zxidCounter(zxid) === this.limits.zxidCounterMax) {
      mark('rollover-counter');
      this.startRollover(this.currentEpoch + 1);
    }
    return { ok: true, zxid };
  }

  /** The driver purged its log up to `zxid` (after a snapshot): DIFFs from disk start above it. */
  logCompacted(zxid: Zxid): void {
    if (zxid > this.diskLogBaseZxid) this.diskLogBaseZxid = zxid;
  }

  /**
   * The driver read the log records a Ready's `logReads` asked for: `txns` are the records with
   * `fromZxid <= zxid <= upToZxid`, oldest first. The learner's sync continues (planAfterLogRead).
   */
  logRead(read: LogRead, txns: readonly Txn[]): void {
    const h = this.learners.get(read.sid);
    if (this.phase === 'stopped' || h === undefined || h.stream !== read.stream || h.state !== 'log-read') return;
    this.sync.afterLogRead(h, read, txns, this.syncPoint());
  }

  /** Sends an opaque REVALIDATE answer to a learner (the replica layer's session revalidation). */
  revalidate(to: ServerId, payload: Uint8Array): void {
    const h = this.learners.get(to);
    if (this.phase === 'stopped' || h === undefined) return;
    this.learners.sendTo(h, { type: 'REVALIDATE', payload });
  }

  /** The driver's stream `stream` to learner `sid` closed: forget that learner (unless it already reconnected). */
  learnerDisconnected(sid: ServerId, stream: number): void {
    this.learners.closed(sid, stream);
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
        if (msg.round !== undefined) this.rounds.echo(h, msg.round);
        return;
      case 'REQUEST':
      case 'REVALIDATE':
        if (h.state === 'synced') this.builder.deliverInbound({ from, msg });
        return;
      default:
        return this.learners.drop(h, `unexpected ${msg.type} from learner`);
    }
  }

  /**
   * Starts a leadership round: a numbered PING to every synced voter now. The round is confirmed
   * once a quorum (this leader included) echoed it: followers answered a message sent after the
   * round began, so no other leader had a quorum in between. A linearizable sync waits for one
   * (ZOOKEEPER-1675: a deposed leader that still believes it leads cannot collect the quorum).
   */
  confirmRound(): number {
    const round = this.rounds.start();
    for (const h of this.learners.synced()) if (!h.observer) this.learners.sendTo(h, { type: 'PING', round });
    return round;
  }

  /** True once a quorum echoed `round` or a later one (see confirmRound). */
  roundConfirmed(round: number): boolean {
    return this.phase === 'broadcast' && this.rounds.confirmed(round, this.sid, this.learners.all(), this.quorum);
  }

  /** One tick: pings, and the liveness checks of ZooKeeper's Leader.lead loop. */
  tick(): void {
    if (this.phase === 'stopped') return;
    this.tickCount++;
    if (this.phase !== 'broadcast') {
      if (this.tickCount - this.phaseStartTick > this.limits.initLimitTicks) this.stop(`no quorum within initLimit in ${this.phase}`);
      return;
    }
    const alive = new Set<ServerId>([this.sid, ...this.learners.tick(this.tickCount)]);
    if (!this.quorum.containsQuorum(alive)) {
      mark('step-down-sync-limit');
      return this.stop('no quorum of synced followers within syncLimit');
    }
    if (this.rollover !== null && this.tickCount - this.rollover.startTick > this.limits.initLimitTicks) {
      this.stop('epoch rollover found no quorum');
    }
  }

  /**
   * REQUEST and REVALIDATE messages from synced learners so far, for the replica to handle now,
   * even while a Ready's write is in flight (a learner's forwarded write is then proposed in the
   * next Ready, as a local client's, instead of one Ready later). Those not taken come in the
   * next Ready's `inbound`.
   */
  takeInbound(): Inbound[] {
    return this.builder.takeInbound();
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
    const rollover = this.rollover;
    if (msg.type === 'ACK' && rollover?.phase === 'newleader' && msg.zxid === rollover.newLeaderZxid) {
      rollover.ackNewLeader(this.sid);
      return this.maybeAdvanceRollover();
    }
    if (msg.type === 'ACK') return this.onSelfAck(msg.zxid);
    assert(msg.type === 'ACKEPOCH', () => `only acks are self-addressed, got ${msg.type}`);
    if (rollover === null) return;
    rollover.ackEpoch(this.sid);
    this.maybeAdvanceRollover();
  }

  private onSelfAck(zxid: Zxid): void {
    if (this.epoch !== null && zxid === makeZxid(this.epoch, 0)) {
      this.discovery.ackNewLeader(this.sid);
      return this.maybeEstablish();
    }
    this.proposals.ackOwnUpTo(zxid);
  }

  private onLearnerInfo(sid: ServerId, stream: number, msg: LearnerInfoMsg): void {
    const observer = msg.type === 'OBSERVERINFO';
    const acceptedEpoch = msg.acceptedEpoch;
    // A new stream from a known learner replaces the old one (a reconnect).
    const old = this.learners.get(sid);
    if (old !== undefined) this.learners.drop(old, 'reconnected');
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
      mark('rollover-straggler');
      return this.startRollover(acceptedEpoch + 1);
    }
    const h = newLearnerHandle({ sid, stream, observer, acceptedEpoch, tick: this.tickCount });
    this.learners.add(h);
    if (this.epoch === null) {
      this.discovery.connect(sid, acceptedEpoch);
      return this.maybeChooseEpoch();
    }
    h.state = 'epoch';
    // Any earlier write of the epoch must be durable before a learner hears of it.
    this.builder.send(sid, { type: 'LEADERINFO', newEpoch: this.epoch }, true, stream);
  }

  /** Getting the epoch to propose: above every acceptedEpoch, once a quorum of voters connected. */
  private maybeChooseEpoch(): void {
    const epoch = this.discovery.epochToPropose(this.quorum, (sid) => this.learners.has(sid));
    if (epoch === null) return;
    assert(epoch > this.acceptedEpoch, 'the new epoch is above acceptedEpoch');
    this.epoch = epoch;
    this.acceptedEpoch = epoch;
    this.discovery.announce(epoch, this.currentEpoch, { builder: this.builder, streams: this.learners });
    this.maybeFinishDiscovery();
  }

  private onAckEpoch(h: LearnerHandle, msg: AckEpochMsg): void {
    const { currentEpoch, lastZxid } = msg;
    if (isForwarding(h)) {
      // An epoch rollover's ACKEPOCH; it may arrive after a quorum already accepted the epoch.
      const rollover = this.rollover;
      if (rollover?.phase !== 'epoch') return;
      if (currentEpoch !== this.currentEpoch) return this.learners.drop(h, 'rollover ACKEPOCH from another epoch');
      if (!h.observer) rollover.ackEpoch(h.sid);
      return this.maybeAdvanceRollover();
    }
    if (h.state !== 'epoch') return this.learners.drop(h, 'ACKEPOCH out of order');
    if (msg.committedZxid > lastZxid) return this.learners.drop(h, 'ACKEPOCH committed beyond its last zxid');
    h.state = 'epoch-acked';
    h.peerLastZxid = lastZxid;
    h.peerCommittedZxid = msg.committedZxid;
    if (this.phase !== 'discovery') return this.sync.start(h, this.syncPoint());
    if (this.discovery.ackEpoch(h, msg, this.epoch ?? 0, this.summary) === 'ahead') {
      // An observer ahead holds proposals no quorum logged; it has no vote, so a new election
      // would choose this leader again (a livelock). As ZooKeeper's waitForEpochAck, only its
      // stream goes; once established, the leader TRUNCs it. A follower ahead means the
      // election chose wrongly: the leader gives up and it is elected instead.
      if (h.observer) return this.learners.drop(h, 'observer is ahead of the leader');
      return this.stop(`learner ${h.sid} is ahead of the leader`);
    }
    this.maybeFinishDiscovery();
  }

  private maybeFinishDiscovery(): void {
    if (this.phase !== 'discovery' || !this.discovery.epochQuorum(this.quorum)) return;
    const epoch = this.epoch;
    assert(epoch !== null, 'discovery chose an epoch');
    this.phase = 'sync';
    this.phaseStartTick = this.tickCount;
    this.currentEpoch = epoch;
    this.builder.persistHardState({ acceptedEpoch: this.acceptedEpoch, currentEpoch: epoch });
    this.builder.send(this.sid, { type: 'ACK', zxid: makeZxid(epoch, 0) }, true);
    for (const h of this.learners.all()) if (h.state === 'epoch-acked') this.sync.start(h, this.syncPoint());
  }

  /** Where this leader stands for a learner's sync (leader-sync.ts). */
  private syncPoint(): SyncPoint {
    const epoch = this.epoch;
    assert(epoch !== null, 'sync runs in an epoch');
    const { appliedZxid, diskLogBaseZxid } = this;
    const committedZxid = this.proposals.committedZxid;
    return { epoch, established: this.phase === 'broadcast', committedZxid, appliedZxid, diskLogBaseZxid };
  }

  private onAck(h: LearnerHandle, zxid: Zxid): void {
    if (zxid === h.newLeaderZxid && h.state === 'syncing') return this.onNewLeaderAck(h);
    if (zxidCounter(zxid) === 0 && isForwarding(h)) return this.onRolloverNewLeaderAck(h, zxid);
    if (h.observer || h.state !== 'synced') return this.learners.drop(h, 'ACK out of order');
    if (!this.proposals.ack(zxid, h.sid)) this.learners.drop(h, 'ACK of an unknown proposal');
  }

  private onNewLeaderAck(h: LearnerHandle): void {
    h.state = 'synced';
    if (!h.observer) {
      this.proposals.ackUpTo(h.coveredZxid, h.sid);
      this.discovery.ackNewLeader(h.sid);
    }
    if (this.phase === 'sync') return this.maybeEstablish();
    this.learners.sendTo(h, { type: 'UPTODATE' });
    this.proposals.tryCommit();
  }

  /** A quorum acknowledged NEWLEADER: the history is committed and broadcast begins. */
  private maybeEstablish(): void {
    if (this.phase !== 'sync' || !this.discovery.newLeaderQuorum(this.quorum)) return;
    this.phase = 'broadcast';
    this.phaseStartTick = this.tickCount;
    this.builder.markEstablished();
    this.proposals.commitHistory();
    for (const h of this.learners.synced()) this.learners.sendTo(h, { type: 'UPTODATE' });
  }

  /** Epoch change in band (epoch-rollover.ts; README, "Epoch rollover"). */
  private startRollover(epoch: Epoch): void {
    assert(epoch > this.acceptedEpoch, 'rollover epoch is above acceptedEpoch');
    this.acceptedEpoch = epoch;
    const at = { epoch, tick: this.tickCount, currentEpoch: this.currentEpoch, lastZxid: this.window.lastZxid, committedZxid: this.proposals.committedZxid };
    this.rollover = EpochRollover.start(this.rolloverLeader, at);
  }

  private onRolloverNewLeaderAck(h: LearnerHandle, zxid: Zxid): void {
    const rollover = this.rollover;
    if (rollover?.phase === 'newleader' && zxid === rollover.newLeaderZxid) {
      if (!h.observer) rollover.ackNewLeader(h.sid);
      return this.maybeAdvanceRollover();
    }
    // A late ack of a rollover that already had its quorum.
    if (zxid > makeZxid(this.currentEpoch, 0)) this.learners.drop(h, 'ACK of a NEWLEADER not sent');
  }

  /** A quorum accepted the new epoch: currentEpoch moves; a quorum of NEWLEADER acks ends the rollover. */
  private maybeAdvanceRollover(): void {
    const rollover = this.rollover;
    const step = rollover?.advance(this.rolloverLeader, this.acceptedEpoch) ?? null;
    if (step === 'done') this.rollover = null;
    if (step !== 'newleader' || rollover === null) return;
    this.currentEpoch = rollover.epoch;
    this.epoch = rollover.epoch;
  }

  private stop(reason: string): void {
    this.phase = 'stopped';
    this.learners.dropAll();
    this.builder.stop(reason);
  }
}

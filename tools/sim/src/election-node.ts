/**
 * Today's simulated server: the real `@corral/election` machine plus the
 * step-down rule its README says the server must add (FLE alone can split,
 * and ZAB undoes a wrong decision):
 * - a follower or observer pings its leader every `pingIntervalTicks` and
 *   goes back to LOOKING when its leader has not answered for
 *   `initLimitTicks` after the decision, or `syncLimitTicks` once it has;
 * - a leader answers pings from servers that follow it, and goes back to
 *   LOOKING when it has not heard from a quorum within those same bounds.
 * The ping and its answer stand in for ZAB's FOLLOWERINFO/LEADERINFO and
 * PING until packages/broadcast plugs in. A decision is written to disk
 * before the server talks to its leader, as acceptedEpoch is in ZAB.
 *
 * `bugs` break the node on purpose, for the tests that show the simulator
 * catches a broken server (issue 8 item 7); the CLI never sets them.
 */
import { assert } from '@corral/base';
import type { QuorumVerifier, ServerId } from '@corral/base';
import { Election } from '@corral/election';
import type { ElectionLimits, ElectionResult, LogPosition, Notification, Ready, ServerState, Vote } from '@corral/election';
import type { Envelope, NodeEvent, NodeReady, NodeStart, SimNode } from './node.js';
import { decidedRecord, positionOf } from './records.js';

/** A message between simulated election servers. */
export type ElectionMessage =
  | { readonly kind: 'notification'; readonly notification: Notification }
  /** "I follow you": ZAB's FOLLOWERINFO/PING stand-in. */
  | { readonly kind: 'ping'; readonly leader: ServerId; readonly peerEpoch: bigint }
  /** "I lead": ZAB's LEADERINFO/PING stand-in. */
  | { readonly kind: 'ack'; readonly peerEpoch: bigint };

/** The step-down bounds, in this server's ticks (ZooKeeper's tickTime multiples). */
export interface StepDownLimits {
  readonly pingIntervalTicks: number;
  /** Bound until the first answer after a decision (ZooKeeper's initLimit). */
  readonly initLimitTicks: number;
  /** Bound between answers once confirmed (ZooKeeper's syncLimit). */
  readonly syncLimitTicks: number;
}

/** Deliberate defects, for tests only. */
export interface ElectionNodeBugs {
  /** Never go back to LOOKING: breaks liveness after a split decision or a dead leader. */
  readonly ignoreStepDown?: boolean;
  /** Count each LOOKING vote twice, once as if another voter had sent it: breaks the quorum. */
  readonly doubleCountVotes?: boolean;
}

/** Options of {@link ElectionNode}. */
export interface ElectionNodeOptions extends NodeStart {
  readonly verifier: QuorumVerifier;
  readonly electionLimits: Partial<ElectionLimits>;
  readonly stepDown: StepDownLimits;
  readonly bugs?: ElectionNodeBugs;
}

/** A decision, with the log position the server had. */
export interface DecidedEvent extends NodeEvent {
  readonly kind: 'decided';
  readonly sid: ServerId;
  readonly result: ElectionResult;
}

/** The server (re)starts or goes back to LOOKING, proposing `position`. */
export interface LookingEvent extends NodeEvent {
  readonly kind: 'looking';
  readonly sid: ServerId;
  readonly position: LogPosition;
}

/** Events of the election node. */
export type ElectionNodeEvent = DecidedEvent | LookingEvent;

/** What checkers see of an election node. */
export interface ElectionNodeView {
  readonly sid: ServerId;
  readonly state: ServerState;
  readonly vote: Vote;
  readonly position: LogPosition;
  /** Follower/observer: its leader answered within the bound. Leader: a quorum pinged within the bound. */
  readonly confirmed: boolean;
}

/** The election machine plus ZAB's step-down rule, driven as a {@link SimNode}. */
export class ElectionNode implements SimNode<ElectionMessage, ElectionNodeView, ElectionNodeEvent> {
  readonly sid: ServerId;
  private readonly election: Election;
  private readonly verifier: QuorumVerifier;
  private readonly limits: StepDownLimits;
  private readonly bugs: ElectionNodeBugs;
  private readonly position: LogPosition;
  private localTick = 0;
  /** The decision being acted on; null while LOOKING. */
  private decided: ElectionResult | null = null;
  private decidedAtTick = 0;
  /** Null until the decision record is durable: nothing goes to the leader before that. */
  private decisionDurable = false;
  private decisionWriteId: number | null = null;
  private lastConfirmedTick: number | null = null;
  /** Leader: when each server last pinged us. */
  private readonly heardFrom = new Map<ServerId, number>();
  private outbox: Envelope<ElectionMessage>[] = [];
  private persistQueue: Uint8Array[] = [];
  private events: ElectionNodeEvent[] = [];
  private lastReady: { ready: NodeReady<ElectionMessage, ElectionNodeEvent>; election: Ready | null } | null = null;

  constructor(options: ElectionNodeOptions) {
    this.sid = options.sid;
    this.verifier = options.verifier;
    this.limits = options.stepDown;
    assert(this.limits.pingIntervalTicks > 0 && this.limits.pingIntervalTicks < this.limits.syncLimitTicks, 'pingIntervalTicks must be below syncLimitTicks');
    assert(this.limits.syncLimitTicks <= this.limits.initLimitTicks, 'syncLimitTicks must not exceed initLimitTicks');
    this.bugs = options.bugs ?? {};
    this.position = positionOf(options.recovered);
    this.election = new Election({ sid: this.sid, verifier: this.verifier, limits: options.electionLimits, ...this.position });
    this.events.push(this.lookingEvent());
  }

  step(from: ServerId, message: ElectionMessage): void {
    switch (message.kind) {
      case 'notification':
        this.election.step(message.notification);
        if (this.bugs.doubleCountVotes === true && message.notification.state === 'LOOKING') this.stepForged(message.notification);
        return;
      case 'ping':
        return this.onPing(from, message.leader, message.peerEpoch);
      case 'ack':
        return this.onAck(from, message.peerEpoch);
    }
  }

  tick(): void {
    this.localTick++;
    this.election.tick();
    if (this.decided === null || !this.decisionDurable) return;
    if (this.decided.state === 'LEADING') this.leaderTick();
    else this.learnerTick();
  }

  persisted(writeId: number): void {
    if (writeId !== this.decisionWriteId) return;
    this.decisionDurable = true;
    this.decisionWriteId = null;
    if (this.decided !== null && this.decided.state !== 'LEADING') this.sendPing(this.decided);
  }

  hasReady(): boolean {
    return this.election.hasReady() || this.outbox.length > 0 || this.persistQueue.length > 0 || this.events.length > 0;
  }

  ready(): NodeReady<ElectionMessage, ElectionNodeEvent> {
    const election = this.election.hasReady() ? this.election.ready() : null;
    if (election?.result != null) this.onDecided(election.result);
    const send: Envelope<ElectionMessage>[] = (election?.messages ?? []).map(({ to, notification }) => ({ to, message: { kind: 'notification', notification } }));
    send.push(...this.outbox);
    const ready: NodeReady<ElectionMessage, ElectionNodeEvent> = { send, persist: this.persistQueue, sendAfterPersist: [], events: this.events };
    this.outbox = [];
    this.persistQueue = [];
    this.events = [];
    this.lastReady = { ready, election };
    return ready;
  }

  advance(ready: NodeReady<ElectionMessage, ElectionNodeEvent>, writeId: number | null): void {
    assert(this.lastReady !== null && this.lastReady.ready === ready, 'advance must get the Ready last returned by ready()');
    if (this.lastReady.election !== null) this.election.advance(this.lastReady.election);
    this.lastReady = null;
    if (ready.persist.length > 0) {
      assert(writeId !== null, 'a Ready with records to persist has a write id');
      // Only the latest decision's write matters: an older one belongs to a decision since abandoned.
      if (this.decided !== null && !this.decisionDurable) this.decisionWriteId = writeId;
    }
  }

  view(): ElectionNodeView {
    const status = this.election.status();
    return { sid: this.sid, state: status.state, vote: status.vote, position: this.position, confirmed: this.isConfirmed() };
  }

  private isConfirmed(): boolean {
    if (this.decided === null || !this.decisionDurable) return false;
    if (this.decided.state === 'LEADING') return this.hasQuorum();
    return this.lastConfirmedTick !== null && this.localTick - this.lastConfirmedTick <= this.limits.syncLimitTicks;
  }

  private onDecided(result: ElectionResult): void {
    this.decided = result;
    this.decidedAtTick = this.localTick;
    this.decisionDurable = false;
    this.lastConfirmedTick = null;
    this.heardFrom.clear();
    this.persistQueue.push(decidedRecord(result.leader, Number(result.peerEpoch)));
    this.events.push({ kind: 'decided', sid: this.sid, result, text: `${this.sid} decided ${result.state} leader=${result.leader} peerEpoch=${result.peerEpoch} round=${result.electionEpoch}` });
  }

  private learnerTick(): void {
    const decided = this.decided;
    assert(decided !== null, 'a learner has a decision');
    if ((this.localTick - this.decidedAtTick) % this.limits.pingIntervalTicks === 0) this.sendPing(decided);
    const since = this.lastConfirmedTick ?? this.decidedAtTick;
    const bound = this.lastConfirmedTick === null ? this.limits.initLimitTicks : this.limits.syncLimitTicks;
    if (this.localTick - since > bound) this.stepDown();
  }

  private leaderTick(): void {
    if (this.hasQuorum()) {
      this.lastConfirmedTick = this.localTick;
      return;
    }
    const since = this.lastConfirmedTick ?? this.decidedAtTick;
    const bound = this.lastConfirmedTick === null ? this.limits.initLimitTicks : this.limits.syncLimitTicks;
    if (this.localTick - since > bound) this.stepDown();
  }

  /** The leader plus every voter that pinged within syncLimitTicks. */
  private hasQuorum(): boolean {
    const recent = new Set<ServerId>([this.sid]);
    for (const [sid, at] of this.heardFrom) if (this.localTick - at <= this.limits.syncLimitTicks) recent.add(sid);
    return this.verifier.containsQuorum(recent);
  }

  private onPing(from: ServerId, leader: ServerId, peerEpoch: bigint): void {
    const decided = this.decided;
    if (decided === null || decided.state !== 'LEADING' || !this.decisionDurable) return;
    if (leader !== this.sid || peerEpoch !== decided.peerEpoch || !this.verifier.isMember(from)) return;
    this.heardFrom.set(from, this.localTick);
    this.outbox.push({ to: from, message: { kind: 'ack', peerEpoch } });
  }

  private onAck(from: ServerId, peerEpoch: bigint): void {
    const decided = this.decided;
    if (decided === null || decided.state === 'LEADING' || !this.decisionDurable) return;
    if (from !== decided.leader || peerEpoch !== decided.peerEpoch) return;
    this.lastConfirmedTick = this.localTick;
  }

  private sendPing(decided: ElectionResult): void {
    this.outbox.push({ to: decided.leader, message: { kind: 'ping', leader: decided.leader, peerEpoch: decided.peerEpoch } });
  }

  private stepDown(): void {
    if (this.bugs.ignoreStepDown === true) return;
    this.decided = null;
    this.decisionDurable = false;
    this.decisionWriteId = null;
    this.lastConfirmedTick = null;
    this.heardFrom.clear();
    this.election.startElection(this.position);
    this.events.push(this.lookingEvent());
  }

  /** The doubleCountVotes defect: the same vote again, claimed by the next voter after the sender. */
  private stepForged(n: Notification): void {
    const voters = this.verifier.votingMembers;
    const index = voters.indexOf(n.sid);
    for (let offset = 1; offset < voters.length; offset++) {
      const other = voters[(index + offset) % voters.length];
      if (other !== undefined && other !== this.sid && other !== n.sid) {
        this.election.step({ ...n, sid: other });
        return;
      }
    }
  }

  private lookingEvent(): LookingEvent {
    const { currentEpoch, lastLoggedZxid } = this.position;
    return { kind: 'looking', sid: this.sid, position: this.position, text: `${this.sid} looking epoch=${currentEpoch} zxid=0x${lastLoggedZxid.toString(16)}` };
  }
}

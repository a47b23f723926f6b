/**
 * ZooKeeper's fast leader election (`FastLeaderElection.lookForLeader` and
 * its `WorkerReceiver`) as a pure state machine (STYLE §2): notifications
 * and ticks in, notifications and one result out. No sockets, timers or
 * clocks; the poll timeouts of the Java code are counted in ticks.
 *
 * A round ("election epoch", ZooKeeper's logical clock) works so: each voter
 * proposes itself with its last logged zxid and current epoch, sends that
 * vote to every voter, and adopts any better vote it hears (voteBeats). Once
 * a quorum's votes in this round equal its proposal it waits
 * `finalizeWaitTicks` for anything better, then decides. A server joining an
 * ensemble that has already decided learns the leader from the FOLLOWING and
 * LEADING answers it gets, without a new round.
 *
 * FLE alone does not guarantee that all servers decide the same leader: a
 * server may decide before a better vote reaches it (message loss or delay
 * beyond the finalize wait). ZooKeeper relies on ZAB's epoch establishment
 * (a leader needs a quorum of followers) to reject such a decision, and so
 * must broadcast; testdata/split-decision.txt shows the case.
 */
import { assert, unreachable } from '@corral/base';
import type { QuorumVerifier, ServerId, Zxid } from '@corral/base';
import { answerPeerWhileDecided } from './answer.js';
import { defaultElectionLimits, validateElectionLimits } from './limits.js';
import type { ElectionLimits } from './limits.js';
import type { DecidedState, ElectionResult, Notification, OutboundNotification, Ready, ServerState, Vote, VoteKey } from './types.js';
import { agreeingSenders, voteBeats } from './vote-order.js';
import type { RecordedVote } from './vote-order.js';

/** This server's log position, which its own vote proposes. */
export interface LogPosition {
  /** Last zxid in the local log (ZooKeeper's `getLastLoggedZxid`). */
  readonly lastLoggedZxid: Zxid;
  /** The epoch persisted as currentEpoch (ZooKeeper's `getCurrentEpoch`). */
  readonly currentEpoch: bigint;
}

/** Options of {@link Election}. */
export interface ElectionOptions extends LogPosition {
  readonly sid: ServerId;
  readonly verifier: QuorumVerifier;
  readonly limits?: Partial<ElectionLimits>;
  /** Logical clock to start from; ZooKeeper starts at 0 on every process start. */
  readonly logicalClock?: bigint;
}

/** What `step` did with a notification; for logs, tests and counters. */
export type StepOutcome =
  | 'ignored-malformed'
  | 'ignored-unknown-sender'
  | 'ignored-own'
  | 'ignored-non-voter'
  | 'ignored-non-voter-leader'
  | 'ignored-older-round'
  | 'ignored-observer-state'
  | 'ignored-decided'
  | 'answered'
  | 'dropped-in-finalize'
  | 'recorded'
  | 'finalize-wait'
  | 'decided';

/** A snapshot of the machine's state, for status pages and tests. */
export interface ElectionStatus {
  readonly state: ServerState;
  readonly logicalClock: bigint;
  /** While LOOKING, the vote we currently propose; once decided, the decided vote. */
  readonly vote: Vote;
  readonly finalizing: boolean;
}

/** The vote of a non-voter: it proposes nobody, and any voter's vote beats it. */
const noVote: VoteKey = { leader: -1, zxid: -1n, peerEpoch: -1n };

const serverStates: ReadonlySet<string> = new Set(['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING']);

function wellFormed(n: Notification): boolean {
  return (
    Number.isSafeInteger(n.sid) &&
    n.sid >= 0 &&
    Number.isSafeInteger(n.leader) &&
    serverStates.has(n.state) &&
    typeof n.zxid === 'bigint' &&
    typeof n.peerEpoch === 'bigint' &&
    typeof n.configVersion === 'bigint' &&
    typeof n.electionEpoch === 'bigint' &&
    n.electionEpoch >= 0n
  );
}

/** One server's fast leader election: `step`, `tick`, `hasReady`, `ready`, `advance`. */
export class Election {
  readonly sid: ServerId;
  readonly limits: ElectionLimits;
  private readonly verifier: QuorumVerifier;
  private state: ServerState = 'LOOKING';
  private logicalClock: bigint;
  /** Our vote at the start of the current election: ourselves, or noVote for an observer. */
  private initialVote: VoteKey = noVote;
  private proposal: VoteKey = noVote;
  /** Set once decided; answers to LOOKING peers carry it. */
  private decidedVote: Vote | null = null;
  /** Votes of this round (ZooKeeper's recvset), our own included. */
  private readonly roundVotes = new Map<ServerId, RecordedVote>();
  /** FOLLOWING/LEADING votes of any round (ZooKeeper's outofelection, ZOOKEEPER-1732). */
  private readonly outOfElection = new Map<ServerId, RecordedVote>();
  private notificationIntervalTicks: number;
  private idleTicks = 0;
  private finalizing = false;
  private finalizeIdleTicks = 0;
  private finalizeTotalTicks = 0;
  private readonly outbox = new Map<ServerId, Notification>();
  private result: ElectionResult | null = null;
  private lastReady: Ready | null = null;

  constructor(options: ElectionOptions) {
    this.limits = { ...defaultElectionLimits, ...options.limits };
    validateElectionLimits(this.limits);
    const memberCount = options.verifier.votingMembers.length + options.verifier.observingMembers.length;
    assert(memberCount <= this.limits.membersMax, `${memberCount} members exceed membersMax ${this.limits.membersMax}`);
    assert(options.verifier.isMember(options.sid), `server ${options.sid} is not a member of its configuration`);
    this.sid = options.sid;
    this.verifier = options.verifier;
    this.logicalClock = options.logicalClock ?? 0n;
    assert(this.logicalClock >= 0n, 'logical clock must not be negative');
    this.notificationIntervalTicks = this.limits.notificationIntervalTicksMin;
    this.startElection(options);
  }

  /**
   * Starts a new round (ZooKeeper's `lookForLeader`): called at start-up by
   * the constructor, and by the server whenever it goes back to LOOKING
   * (its leader is gone, or it lost its quorum). Pass the log position as it
   * is now: a vote proposes what is durable.
   */
  startElection(position: LogPosition): void {
    assert(position.currentEpoch >= 0n, 'currentEpoch must not be negative');
    assert(position.lastLoggedZxid >= 0n, 'lastLoggedZxid must not be negative');
    this.logicalClock += 1n;
    this.state = 'LOOKING';
    this.decidedVote = null;
    this.result = null;
    this.roundVotes.clear();
    this.outOfElection.clear();
    this.finalizing = false;
    this.idleTicks = 0;
    this.notificationIntervalTicks = this.limits.notificationIntervalTicksMin;
    this.initialVote = this.verifier.isVoter(this.sid)
      ? { leader: this.sid, zxid: position.lastLoggedZxid, peerEpoch: position.currentEpoch }
      : noVote;
    this.proposal = this.initialVote;
    this.sendNotifications();
    this.assertInvariants();
  }

  /** Handles one notification from a peer. Bad input is ignored (and reported), never asserted. */
  step(n: Notification): StepOutcome {
    const outcome = this.stepUnchecked(n);
    this.assertInvariants();
    return outcome;
  }

  private stepUnchecked(n: Notification): StepOutcome {
    if (!wellFormed(n)) return 'ignored-malformed';
    if (n.sid === this.sid) return 'ignored-own';
    // Only members get answers: the outbox holds one entry per member, so a
    // flood of invented sids cannot grow it (ZooKeeper answers any sid).
    if (!this.verifier.isMember(n.sid)) return 'ignored-unknown-sender';
    if (this.state !== 'LOOKING') return this.answerWhileDecided(n);
    if (!this.verifier.isVoter(n.sid)) {
      // A LOOKING observer is answered at once (by voters only, see
      // answerPeerWhileDecided) and its vote never counted.
      if (n.state !== 'LOOKING' || !this.verifier.isVoter(this.sid)) return 'ignored-non-voter';
      this.send(n.sid, this.lookingNotification());
      return 'answered';
    }
    // ZooKeeper's WorkerReceiver: a LOOKING peer in an older round gets our
    // vote back straight away, so it catches up instead of waiting to time out.
    // Unlike ZooKeeper, an observer does not: voters ignore its vote, and its
    // answer to their answer ping-pongs for as long as they are LOOKING.
    const lagging = n.state === 'LOOKING' && n.electionEpoch < this.logicalClock;
    if (lagging && this.verifier.isVoter(this.sid)) this.send(n.sid, this.lookingNotification());
    return this.stepLooking(n);
  }

  /**
   * Counts one tick. While LOOKING it resends our vote after
   * `notificationIntervalTicks` of silence, doubling the interval each time
   * (ZooKeeper's exponential backoff), and ends a finalize wait that has
   * seen no better vote.
   */
  tick(): void {
    this.tickUnchecked();
    this.assertInvariants();
  }

  private tickUnchecked(): void {
    if (this.state !== 'LOOKING') return;
    if (this.finalizing) {
      this.finalizeIdleTicks++;
      this.finalizeTotalTicks++;
      if (this.finalizeIdleTicks >= this.limits.finalizeWaitTicks || this.finalizeTotalTicks >= this.limits.finalizeTicksMax) {
        this.decide({ ...this.proposal, electionEpoch: this.logicalClock });
      }
      return;
    }
    this.idleTicks++;
    if (this.idleTicks < this.notificationIntervalTicks) return;
    this.idleTicks = 0;
    this.sendNotifications();
    this.notificationIntervalTicks = Math.min(this.notificationIntervalTicks * 2, this.limits.notificationIntervalTicksMax);
  }

  /** True when there are notifications to send or a result to hand over. */
  hasReady(): boolean {
    return this.outbox.size > 0 || this.result !== null;
  }

  /** The pending output; call `advance` with it once it has been acted on. */
  ready(): Ready {
    const messages: OutboundNotification[] = [];
    for (const [to, notification] of this.outbox) messages.push({ to, notification });
    this.lastReady = { messages, result: this.result };
    return this.lastReady;
  }

  /** Acknowledges a Ready: its messages were handed to the transport and its result to the server. */
  advance(ready: Ready): void {
    assert(ready === this.lastReady, 'advance must get the Ready last returned by ready()');
    this.lastReady = null;
    for (const { to, notification } of ready.messages) {
      // A vote queued after ready() replaced this one and still has to go out.
      if (this.outbox.get(to) === notification) this.outbox.delete(to);
    }
    if (ready.result !== null && ready.result === this.result) this.result = null;
  }

  /** The current state, round and vote. */
  status(): ElectionStatus {
    const vote = this.decidedVote ?? { ...this.proposal, electionEpoch: this.logicalClock };
    return { state: this.state, logicalClock: this.logicalClock, vote, finalizing: this.finalizing };
  }

  /**
   * Postconditions of every public input (STYLE §5): maps stay bounded by the
   * configuration, a decided server has a vote and no wait in progress, and
   * a LOOKING voter has recorded its own current vote and never proposes
   * anything worse than itself.
   */
  private assertInvariants(): void {
    const voterCount = this.verifier.votingMembers.length;
    assert(this.outbox.size <= voterCount + this.verifier.observingMembers.length, 'outbox bounded by members');
    assert(this.roundVotes.size <= voterCount, 'round votes bounded by voters');
    assert(this.outOfElection.size <= voterCount, 'out-of-election votes bounded by voters');
    if (this.state !== 'LOOKING') {
      assert(this.decidedVote !== null, 'a decided server has a vote');
      assert(!this.finalizing, 'a decided server is not finalizing');
      return;
    }
    assert(this.decidedVote === null, 'a LOOKING server has no decided vote');
    assert(!voteBeats(this.initialVote, this.proposal, this.verifier), 'the proposal is never worse than our own vote');
    if (!this.verifier.isVoter(this.sid)) return;
    const own = this.roundVotes.get(this.sid);
    assert(own !== undefined, 'a LOOKING voter has recorded its own vote');
    assert(own.leader === this.proposal.leader && own.zxid === this.proposal.zxid, 'our recorded vote is our proposal');
    assert(own.electionEpoch === this.logicalClock, 'our recorded vote is of this round');
  }

  private answerWhileDecided(n: Notification): StepOutcome {
    assert(this.decidedVote !== null, 'a decided server has a vote');
    const self = { sid: this.sid, state: this.state as DecidedState, vote: this.decidedVote, verifier: this.verifier };
    const answer = answerPeerWhileDecided(self, n);
    if (answer === null) return 'ignored-decided';
    this.send(answer.to, answer.notification);
    return 'answered';
  }

  private stepLooking(n: Notification): StepOutcome {
    if (this.finalizing) {
      // ZooKeeper's finalize loop consumes notifications that cannot change
      // the vote, each one restarting the wait; a better one ends the wait
      // and is processed as usual.
      if (!voteBeats(n, this.proposal, this.verifier)) {
        this.finalizeIdleTicks = 0;
        return 'dropped-in-finalize';
      }
      this.finalizing = false;
    }
    // Unlike ZooKeeper's poll loop, hearing a notification does not restart
    // the resend wait; only sending our vote does (sendNotifications).
    // Otherwise a peer that lost our vote and keeps resending its worse one
    // (a faster clock backs off less) keeps us silent for ever, and the round
    // never ends. ZooKeeper escapes this because its SendWorker resends the
    // last message on every reconnect; our transport may drop it. Found by
    // tools/sim (seeds 20, 2234, 2398, 3551).
    if (!this.verifier.isVoter(n.leader)) return 'ignored-non-voter-leader';
    switch (n.state) {
      case 'LOOKING':
        return this.stepLookingPeer(n);
      case 'OBSERVING':
        return 'ignored-observer-state';
      case 'FOLLOWING':
      case 'LEADING':
        return this.stepDecidedPeer(n);
      default:
        return unreachable(n.state);
    }
  }

  private stepLookingPeer(n: Notification): StepOutcome {
    if (n.electionEpoch > this.logicalClock) {
      // A later round overrides ours: its votes are the only ones that count now.
      this.logicalClock = n.electionEpoch;
      this.roundVotes.clear();
      this.proposal = voteBeats(n, this.initialVote, this.verifier) ? keyOf(n) : this.initialVote;
      this.sendNotifications();
    } else if (n.electionEpoch < this.logicalClock) {
      return 'ignored-older-round';
    } else if (voteBeats(n, this.proposal, this.verifier)) {
      this.proposal = keyOf(n);
      this.sendNotifications();
    }
    this.roundVotes.set(n.sid, recordedOf(n));
    const ours: RecordedVote = { ...this.proposal, electionEpoch: this.logicalClock, state: 'LOOKING' };
    if (!this.verifier.containsQuorum(agreeingSenders(this.roundVotes, ours))) return 'recorded';
    this.finalizing = true;
    this.finalizeIdleTicks = 0;
    this.finalizeTotalTicks = 0;
    return 'finalize-wait';
  }

  /**
   * A FOLLOWING or LEADING peer tells us who leads. We follow that leader
   * once a quorum reports it (in this round, or in any round through the
   * out-of-election votes) and the leader itself says it leads (checkLeader),
   * so a restarted server joins without a new election, and nobody keeps
   * electing a leader that has crashed.
   */
  private stepDecidedPeer(n: Notification): StepOutcome {
    const vote = recordedOf(n);
    if (n.electionEpoch === this.logicalClock) {
      this.roundVotes.set(n.sid, vote);
      if (this.verifier.containsQuorum(agreeingSenders(this.roundVotes, vote)) && this.leaderConfirmed(this.roundVotes, vote)) {
        this.decide(vote);
        return 'decided';
      }
    }
    this.outOfElection.set(n.sid, vote);
    if (this.verifier.containsQuorum(agreeingSenders(this.outOfElection, vote)) && this.leaderConfirmed(this.outOfElection, vote)) {
      this.decide(vote);
      return 'decided';
    }
    // Followers of one leader may hold votes of different peerEpochs: one decided in an earlier
    // round than the leader (a split decision that ZAB then accepted), or before epoch rollovers.
    // ZooKeeper's rule then never finds a quorum and a restarted server never joins (tools/sim
    // full stack, seed 549 at 5d22421). A quorum of decided peers naming the leader, with the
    // leader's own LEADING vote among them, is enough to follow it: ZAB's discovery, not the
    // vote, decides whether the leader really leads.
    const leaderVote = this.outOfElection.get(vote.leader);
    if (leaderVote?.state === 'LEADING' && vote.leader !== this.sid && this.verifier.containsQuorum(this.namingLeader(vote.leader))) {
      this.decide(leaderVote);
      return 'decided';
    }
    return 'recorded';
  }

  /** The decided peers out of election whose vote names `leader`. */
  private namingLeader(leader: ServerId): Set<ServerId> {
    const senders = new Set<ServerId>();
    for (const [sid, recorded] of this.outOfElection) if (recorded.leader === leader && recorded.state !== 'LOOKING') senders.add(sid);
    return senders;
  }

  /** ZooKeeper's checkLeader: the proposed leader must itself say LEADING; if it is us, only in our round. */
  private leaderConfirmed(votes: ReadonlyMap<ServerId, RecordedVote>, vote: Vote): boolean {
    if (vote.leader === this.sid) return this.logicalClock === vote.electionEpoch;
    return votes.get(vote.leader)?.state === 'LEADING';
  }

  private decide(vote: Vote): void {
    assert(this.state === 'LOOKING', 'only a LOOKING server decides');
    // Joining through out-of-election votes adopts the ensemble's round, even
    // a lower one, as ZooKeeper does: our answers then carry the round the
    // others decided in.
    this.logicalClock = vote.electionEpoch;
    const state: DecidedState = vote.leader === this.sid ? 'LEADING' : this.verifier.isVoter(this.sid) ? 'FOLLOWING' : 'OBSERVING';
    assert(state !== 'LEADING' || this.verifier.isVoter(this.sid), 'only a voter leads');
    this.state = state;
    this.finalizing = false;
    this.decidedVote = { leader: vote.leader, zxid: vote.zxid, peerEpoch: vote.peerEpoch, electionEpoch: vote.electionEpoch };
    this.result = { ...this.decidedVote, state };
    this.roundVotes.clear();
    this.outOfElection.clear();
  }

  private lookingNotification(): Notification {
    return {
      sid: this.sid,
      state: 'LOOKING',
      ...this.proposal,
      electionEpoch: this.logicalClock,
      configVersion: this.verifier.version,
    };
  }

  /** Sends our proposal to every voter; our own copy is recorded directly (ZooKeeper loops it back). */
  private sendNotifications(): void {
    this.idleTicks = 0;
    const notification = this.lookingNotification();
    for (const voter of this.verifier.votingMembers) {
      if (voter === this.sid) this.roundVotes.set(this.sid, recordedOf(notification));
      else this.send(voter, notification);
    }
  }

  private send(to: ServerId, notification: Notification): void {
    assert(to !== this.sid, 'no notification to ourselves');
    assert(this.verifier.isMember(to), () => `notification to non-member ${to}`);
    this.outbox.set(to, notification);
  }
}

function keyOf(n: Notification): VoteKey {
  return { leader: n.leader, zxid: n.zxid, peerEpoch: n.peerEpoch };
}

function recordedOf(n: Notification): RecordedVote {
  return { leader: n.leader, zxid: n.zxid, peerEpoch: n.peerEpoch, electionEpoch: n.electionEpoch, state: n.state };
}

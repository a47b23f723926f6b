/**
 * WAITS FOR h/broadcast: a minimal stand-in for broadcast's Leader and
 * Learner, enough to drive Replicas in tests until the real machines are on
 * main. It has the real Ready shape and its ordering rules (the leader's
 * self-ack and a follower's ACK go out only after the append is durable;
 * COMMIT in zxid order once a quorum acked) but no discovery, no sync, no
 * timeouts: every learner is synced from the start and the leader is
 * established at once. Replace with the real machines when broadcast lands.
 */
import { assert, makeZxid, zxidEpoch, type Zxid } from '@corral/base';
import type {
  Inbound, LeaderMachine, LearnerMachine, OutMsg, PeerMsg, ProposeResult, Ready, ServerId, Stopped, Txn,
} from '../broadcast-port.js';

/** Collects one Ready's worth of outputs; one Ready outstanding at a time. */
class ReadyCollector {
  private messages: OutMsg[] = [];
  private messagesAfterPersist: OutMsg[] = [];
  private committed: Txn[] = [];
  private append: Txn[] = [];
  private inbound: Inbound[] = [];
  private stopped: Stopped | null = null;
  /** The first Ready says the role is established (the fake has no discovery or sync). */
  private established = true;
  private outstanding: Ready | null = null;

  send(to: ServerId, msg: PeerMsg, afterPersist: boolean): void {
    (afterPersist ? this.messagesAfterPersist : this.messages).push({ to, msg });
  }

  commit(txn: Txn): void {
    this.committed.push(txn);
  }

  log(txn: Txn): void {
    this.append.push(txn);
  }

  deliver(inbound: Inbound): void {
    this.inbound.push(inbound);
  }

  stop(reason: string): void {
    this.stopped = { role: 'LOOKING', reason };
  }

  hasReady(): boolean {
    return this.outstanding === null && (this.messages.length + this.messagesAfterPersist.length + this.committed.length
      + this.append.length + this.inbound.length > 0 || this.stopped !== null || this.established);
  }

  take(): Ready {
    assert(this.outstanding === null, 'advance the previous Ready first');
    const ready: Ready = {
      snapshot: null, truncate: null, messages: this.messages, committed: this.committed, append: this.append, hardState: null,
      messagesAfterPersist: this.messagesAfterPersist, disconnect: [], inbound: this.inbound, logReads: [], stopped: this.stopped,
      established: this.established,
    };
    this.established = false;
    this.messages = [];
    this.messagesAfterPersist = [];
    this.committed = [];
    this.append = [];
    this.inbound = [];
    this.stopped = null;
    this.outstanding = ready;
    return ready;
  }

  advance(ready: Ready): void {
    assert(ready === this.outstanding, 'advance the Ready that was taken');
    this.outstanding = null;
  }
}

/** The RawNode half both fakes share: one Ready outstanding, no liveness. */
abstract class FakeMachine {
  protected readonly out = new ReadyCollector();

  tick(): void {
    // Liveness is not modelled.
  }

  hasReady(): boolean {
    return this.out.hasReady();
  }

  ready(): Ready {
    return this.out.take();
  }

  advance(ready: Ready): void {
    this.out.advance(ready);
  }
}

/** An established leader of `voters` (itself included) at `epoch`; observers get INFORM. */
export class FakeLeader extends FakeMachine implements LeaderMachine {
  private readonly sid: ServerId;
  private readonly voters: readonly ServerId[];
  private readonly observers: readonly ServerId[];
  private readonly epoch: number;
  private readonly pendingMax: number;
  private lastZxid: Zxid;
  private committedZxid: Zxid;
  /** Proposals without a quorum, in zxid order, with who acked. */
  private readonly pending: { txn: Txn; acks: Set<ServerId> }[] = [];
  private stopped = false;

  constructor(options: { sid: ServerId; voters: readonly ServerId[]; observers?: readonly ServerId[]; epoch: number; lastZxid: Zxid; pendingMax?: number }) {
    super();
    this.sid = options.sid;
    this.voters = options.voters;
    this.observers = options.observers ?? [];
    this.epoch = options.epoch;
    this.lastZxid = options.lastZxid;
    this.committedZxid = options.lastZxid;
    this.pendingMax = options.pendingMax ?? 1000;
    assert(zxidEpoch(options.lastZxid) < options.epoch, 'the fake leader starts a new epoch');
  }

  nextZxid(): Zxid | null {
    if (this.stopped || this.pending.length >= this.pendingMax) return null;
    return zxidEpoch(this.lastZxid) === this.epoch ? this.lastZxid + 1n : makeZxid(this.epoch, 1);
  }

  propose(bytes: Uint8Array): ProposeResult {
    const zxid = this.nextZxid();
    if (zxid === null) return { ok: false, reason: this.stopped ? 'stopped' : 'busy' };
    const txn: Txn = { zxid, bytes };
    this.lastZxid = zxid;
    this.pending.push({ txn, acks: new Set() });
    this.out.log(txn);
    for (const voter of this.voters) if (voter !== this.sid) this.out.send(voter, { type: 'PROPOSAL', txn }, false);
    this.out.send(this.sid, { type: 'ACK', zxid }, true);
    return { ok: true, zxid };
  }

  revalidate(to: ServerId, payload: Uint8Array): void {
    if (!this.stopped) this.out.send(to, { type: 'REVALIDATE', payload }, false);
  }

  learnerDisconnected(): void {
    // Nothing: the fake has no streams.
  }

  logRead(): void {
    // Nothing: the fake never asks for log reads (no sync).
  }

  logCompacted(): void {
    // Nothing: the fake keeps no window.
  }

  step(from: ServerId, msg: PeerMsg): void {
    if (this.stopped) return;
    if (msg.type === 'ACK') {
      const entry = this.pending.find((candidate) => candidate.txn.zxid === msg.zxid);
      entry?.acks.add(from);
      this.tryCommit();
    } else if (msg.type === 'REQUEST' || msg.type === 'REVALIDATE') {
      this.out.deliver({ from, msg });
    }
  }

  private tryCommit(): void {
    const quorum = Math.floor(this.voters.length / 2) + 1;
    while (this.pending.length > 0) {
      const head = this.pending[0];
      assert(head !== undefined, 'pending is not empty');
      if (head.acks.size < quorum) return;
      this.pending.shift();
      this.committedZxid = head.txn.zxid;
      this.out.commit(head.txn);
      for (const voter of this.voters) if (voter !== this.sid) this.out.send(voter, { type: 'COMMIT', zxid: head.txn.zxid }, false);
      for (const observer of this.observers) this.out.send(observer, { type: 'INFORM', txn: head.txn }, false);
    }
  }

  /** Test control: the leader loses its quorum. */
  stop(reason: string): void {
    this.stopped = true;
    this.out.stop(reason);
  }

  get lastCommittedZxid(): Zxid {
    return this.committedZxid;
  }
}

/** A follower (or observer) of `leaderSid`, synced from the start. */
export class FakeLearner extends FakeMachine implements LearnerMachine {
  readonly leaderSid: ServerId;
  private readonly sid: ServerId;
  private readonly observer: boolean;
  private readonly logged: Txn[] = [];
  private stopped = false;

  constructor(options: { sid: ServerId; leaderSid: ServerId; observer?: boolean }) {
    super();
    this.sid = options.sid;
    this.leaderSid = options.leaderSid;
    this.observer = options.observer ?? false;
  }

  forward(payload: Uint8Array): boolean {
    if (this.stopped) return false;
    this.out.send(this.leaderSid, { type: 'REQUEST', payload }, false);
    return true;
  }

  revalidate(payload: Uint8Array): boolean {
    if (this.stopped) return false;
    this.out.send(this.leaderSid, { type: 'REVALIDATE', payload }, false);
    return true;
  }

  connectionLost(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.out.stop('connection to the leader lost');
  }

  step(from: ServerId, msg: PeerMsg): void {
    if (this.stopped || from !== this.leaderSid) return;
    switch (msg.type) {
      case 'PROPOSAL':
        this.logged.push(msg.txn);
        this.out.log(msg.txn);
        if (!this.observer) this.out.send(this.leaderSid, { type: 'ACK', zxid: msg.txn.zxid }, true);
        return;
      case 'COMMIT':
        while (this.logged.length > 0 && (this.logged[0]?.zxid ?? 0n) <= msg.zxid) {
          const txn = this.logged.shift();
          assert(txn !== undefined, 'logged is not empty');
          this.out.commit(txn);
        }
        return;
      case 'INFORM':
        this.out.log(msg.txn);
        this.out.commit(msg.txn);
        return;
      case 'REVALIDATE':
        this.out.deliver({ from, msg });
        return;
      default:
        return;
    }
  }

  get id(): ServerId {
    return this.sid;
  }
}

/**
 * The surface of @corral/broadcast that the replica drives: broadcast's
 * message and Ready types, and the methods of Leader and Learner the
 * replica calls (interfaces: the replica depends on what it uses, not on the classes).
 */
import type { Zxid } from '@corral/base';
import type {
  AckEpochMsg, AckMsg, CommitMsg, DiffMsg, Epoch, HardState, Inbound, InformMsg, LeaderInfoMsg, LearnerInfoMsg, LogRead,
  NewLeaderMsg, OutMsg, PeerMsg, PingMsg, ProposalMsg, Ready, RequestMsg, RevalidateMsg, ServerId, SnapMsg, SnapshotInstall,
  Stopped, StreamRef, Txn, TruncMsg, UpToDateMsg, ProposeResult as BroadcastProposeResult,
} from '@corral/broadcast';

export type {
  AckEpochMsg, AckMsg, CommitMsg, DiffMsg, Epoch, HardState, Inbound, InformMsg, LeaderInfoMsg, LearnerInfoMsg, LogRead,
  NewLeaderMsg, OutMsg, PeerMsg, PingMsg, ProposalMsg, Ready, RequestMsg, RevalidateMsg, ServerId, SnapMsg, SnapshotInstall,
  Stopped, StreamRef, Txn, TruncMsg, UpToDateMsg,
};

/** What both of broadcast's machines offer (etcd raft's RawNode shape, STYLE §2). */
export interface BroadcastMachine {
  step(from: ServerId, msg: PeerMsg, stream?: number): void;
  tick(): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(ready: Ready): void;
}

/** broadcast's ProposeResult. */
export type ProposeResult = BroadcastProposeResult;

/** The methods of broadcast's `Leader` the replica calls. */
export interface LeaderMachine extends BroadcastMachine {
  /**
   * The zxid the next `propose` will assign, or null when `propose` would be
   * refused now (not established, epoch rollover in progress, pending limit).
   * Prep keys its change records and the txn header by it; the propose that
   * follows in the same synchronous step must return exactly this zxid.
   */
  nextZxid(): Zxid | null;
  propose(bytes: Uint8Array): ProposeResult;
  /** REQUEST/REVALIDATE from learners so far, taken out of the next Ready (any time). */
  takeInbound(): Inbound[];
  /** An opaque REVALIDATE to learner `to` (the replica's session answers). */
  revalidate(to: ServerId, payload: Uint8Array): void;
  /** The driver's stream to learner `sid` closed. */
  learnerDisconnected(sid: ServerId, stream: number): void;
  /** The driver read the log records a Ready's `logReads` asked for. */
  logRead(read: LogRead, txns: readonly Txn[]): void;
  /** The driver purged its log up to `zxid` (after a snapshot). */
  logCompacted(zxid: Zxid): void;
  /** Starts a leadership round (a numbered PING to the synced voters) and returns its number. */
  confirmRound(): number;
  /** A quorum echoed `round`: no other leader had a quorum since the round began. */
  roundConfirmed(round: number): boolean;
}

/** The methods of broadcast's `Learner` the replica calls. */
export interface LearnerMachine extends BroadcastMachine {
  readonly leaderSid: ServerId;
  /** REQUEST to the leader; false unless in broadcast. */
  forward(payload: Uint8Array): boolean;
  /** REVALIDATE to the leader; false unless in broadcast. */
  revalidate(payload: Uint8Array): boolean;
  /** The driver lost the stream to the leader. */
  connectionLost(): void;
}

/**
 * The values fast leader election exchanges and produces. They are plain
 * data: the Driver encodes them into proto/peer.proto messages at the edge,
 * and the server hands an {@link ElectionResult} to broadcast unchanged.
 */
import type { ServerId, Zxid } from '@corral/base';

/** ZooKeeper's `QuorumPeer.ServerState`; the wire order is LOOKING=0, FOLLOWING=1, LEADING=2, OBSERVING=3. */
export const ServerState = {
  LOOKING: 'LOOKING',
  FOLLOWING: 'FOLLOWING',
  LEADING: 'LEADING',
  OBSERVING: 'OBSERVING',
} as const;

/** One of the four peer states. */
export type ServerState = (typeof ServerState)[keyof typeof ServerState];

/** A state in which the server has finished electing. */
export type DecidedState = Exclude<ServerState, 'LOOKING'>;

/**
 * The part of a vote that the total order compares (ZooKeeper's
 * `totalOrderPredicate` arguments): which server is proposed as leader, the
 * last zxid it has logged, and its current epoch.
 */
export interface VoteKey {
  readonly leader: ServerId;
  readonly zxid: Zxid;
  readonly peerEpoch: bigint;
}

/** A vote in one election round (ZooKeeper's `Vote`). */
export interface Vote extends VoteKey {
  /** The round (ZooKeeper's logical clock) the vote was cast in. */
  readonly electionEpoch: bigint;
}

/**
 * One election message between servers (ZooKeeper's `Notification`, sent as
 * FastLeaderElection's `buildMsg`). Every field is on the wire; 64-bit values
 * are bigints. proto/peer.proto carries exactly these fields.
 */
export interface Notification {
  /** The sender. */
  readonly sid: ServerId;
  /** The sender's state when it sent this. */
  readonly state: ServerState;
  /** The leader the sender proposes (LOOKING) or follows/is (FOLLOWING/LEADING). */
  readonly leader: ServerId;
  /** The proposed leader's last logged zxid. */
  readonly zxid: Zxid;
  /** The sender's round (logical clock), or for a decided sender the round it decided in. */
  readonly electionEpoch: bigint;
  /** The proposed leader's current epoch. */
  readonly peerEpoch: bigint;
  /** The sender's quorum configuration version; carried, not acted on (no reconfig yet). */
  readonly configVersion: bigint;
}

/** A notification to send, and to whom. */
export interface OutboundNotification {
  readonly to: ServerId;
  readonly notification: Notification;
}

/**
 * What a finished election hands to the server, which passes it to
 * broadcast as a plain value (STYLE §1: election and broadcast never import
 * each other). `zxid` and `peerEpoch` are the winning vote's, i.e. the
 * leader's as the voters saw them, not necessarily this server's own.
 */
export interface ElectionResult {
  readonly leader: ServerId;
  readonly zxid: Zxid;
  readonly peerEpoch: bigint;
  readonly electionEpoch: bigint;
  /** LEADING when `leader` is this server, FOLLOWING for another voter, OBSERVING for an observer. */
  readonly state: DecidedState;
}

/**
 * The output of one batch of steps and ticks (STYLE §2). Send `messages`
 * (they may be lost; the machine resends), act on `result`, then call
 * `advance(ready)`.
 */
export interface Ready {
  /** At most one notification per destination: a later vote supersedes an earlier unsent one. */
  readonly messages: readonly OutboundNotification[];
  /** Set once, when the election finishes. */
  readonly result: ElectionResult | null;
}

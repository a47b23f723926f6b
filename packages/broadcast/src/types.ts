/**
 * The plain values ZAB's machines exchange with their driver: peer messages
 * (what proto/peer.proto's broadcast stream carries, before encoding), the
 * txns broadcast orders, and the Ready that says what the driver must do and
 * in which order. Names follow Zab.tla and ZooKeeper's Leader/Learner
 * packet types (STYLE §9).
 */
import type { Zxid } from '@corral/base';

/** A server's id (ZooKeeper's `sid`, `myid`): a positive safe integer. */
export type ServerId = number;

/** An epoch: the high 32 bits of a zxid, as ZooKeeper's acceptedEpoch/currentEpoch files hold. */
export type Epoch = number;

/**
 * One txn as broadcast orders it: its zxid and the server's encoded bytes.
 * Broadcast never looks inside `bytes` (a data-tree digest may ride along in
 * them). Structurally the same as txn-log's `LogRecord`, so a Ready's
 * `append` can be handed to the log as it is.
 */
export interface Txn {
  readonly zxid: Zxid;
  readonly bytes: Uint8Array;
}

/** Learner → leader, first message of discovery (ZooKeeper FOLLOWERINFO / OBSERVERINFO). */
export interface LearnerInfoMsg {
  readonly type: 'FOLLOWERINFO' | 'OBSERVERINFO';
  /** The learner's acceptedEpoch: the leader proposes an epoch above every one a quorum reports. */
  readonly acceptedEpoch: Epoch;
}

/**
 * Leader → learner: the new epoch (discovery), or, on a learner already in
 * broadcast, the leader's move to the next epoch before the zxid counter
 * overflows (see README, "Epoch rollover").
 */
export interface LeaderInfoMsg {
  readonly type: 'LEADERINFO';
  readonly newEpoch: Epoch;
}

/** Learner → leader: acceptedEpoch is durable at `newEpoch`; here is my history's summary. */
export interface AckEpochMsg {
  readonly type: 'ACKEPOCH';
  /** The learner's currentEpoch: the epoch of the last leader whose NEWLEADER it acknowledged. */
  readonly currentEpoch: Epoch;
  /** The learner's last logged zxid. */
  readonly lastZxid: Zxid;
  /** The learner's committed zxid: its log up to here is committed (the zxid its tree stands at). */
  readonly committedZxid: Zxid;
}

/** Leader → learner: keep your log up to `zxid` (it is a prefix of mine); txns follow. */
export interface DiffMsg {
  readonly type: 'DIFF';
  readonly zxid: Zxid;
}

/** Leader → learner: drop every record above `zxid` (never committed); txns follow. */
export interface TruncMsg {
  readonly type: 'TRUNC';
  readonly zxid: Zxid;
}

/**
 * Leader → learner: replace your state with a snapshot of the data tree at
 * `zxid`; txns follow. The leader machine emits `snapshot: null`; its driver
 * serializes the tree (which stands exactly at `zxid` when it sends the
 * message, see Ready) and fills it in. Encoded as chunks on the wire.
 */
export interface SnapMsg {
  readonly type: 'SNAP';
  readonly zxid: Zxid;
  readonly snapshot: Uint8Array | null;
}

/** Leader → follower: log this txn and acknowledge it once durable. */
export interface ProposalMsg {
  readonly type: 'PROPOSAL';
  readonly txn: Txn;
}

/** Follower → leader: `zxid` (a PROPOSAL, or NEWLEADER's zxid) is durable in my log. */
export interface AckMsg {
  readonly type: 'ACK';
  readonly zxid: Zxid;
}

/** Leader → learner: every txn up to `zxid` is committed. */
export interface CommitMsg {
  readonly type: 'COMMIT';
  readonly zxid: Zxid;
}

/** Leader → observer: a committed txn (PROPOSAL and COMMIT in one; observers never ack). */
export interface InformMsg {
  readonly type: 'INFORM';
  readonly txn: Txn;
}

/** Leader → learner: synchronisation is over; acknowledge once your log is durable. zxid = epoch<<32. */
export interface NewLeaderMsg {
  readonly type: 'NEWLEADER';
  readonly zxid: Zxid;
}

/** Leader → learner: a quorum acknowledged NEWLEADER; apply what you hold and serve. */
export interface UpToDateMsg {
  readonly type: 'UPTODATE';
}

/**
 * Either way: liveness. The leader pings each tick; a learner answers each ping. A ping with a
 * `round` is a leadership round (`Leader.confirmRound`, for a linearizable sync): the learner
 * echoes the round, so its answer proves it still follows this leader after the round started.
 */
export interface PingMsg {
  readonly type: 'PING';
  readonly round?: number;
}

/** Learner → leader: a write a client sent to the learner (opaque to broadcast; the replica preps it). */
export interface RequestMsg {
  readonly type: 'REQUEST';
  readonly payload: Uint8Array;
}

/** Either way: session revalidation (opaque; the replica layer owns its meaning). */
export interface RevalidateMsg {
  readonly type: 'REVALIDATE';
  readonly payload: Uint8Array;
}

/** Every message of one leader–learner stream (ordered, as over one TCP/HTTP2 stream). */
export type PeerMsg =
  | LearnerInfoMsg
  | LeaderInfoMsg
  | AckEpochMsg
  | DiffMsg
  | TruncMsg
  | SnapMsg
  | ProposalMsg
  | AckMsg
  | CommitMsg
  | InformMsg
  | NewLeaderMsg
  | UpToDateMsg
  | PingMsg
  | RequestMsg
  | RevalidateMsg;

/**
 * A message with its destination. `to` may be the sender itself (the leader's self-ack).
 * A leader's message to a learner names the learner's `stream` (the number the driver gave
 * the stream its FOLLOWERINFO came on): the driver drops the message if that stream has closed
 * since, so nothing meant for a learner's old connection reaches its new one.
 */
export interface OutMsg {
  readonly to: ServerId;
  readonly msg: PeerMsg;
  readonly stream?: number;
}

/** One learner's stream, as the driver numbered it. */
export interface StreamRef {
  readonly sid: ServerId;
  readonly stream: number;
}

/** An opaque message for the replica layer (REQUEST, REVALIDATE) with its sender. */
export interface Inbound {
  readonly from: ServerId;
  readonly msg: RequestMsg | RevalidateMsg;
}

/** What ZooKeeper keeps in its acceptedEpoch and currentEpoch files. */
export interface HardState {
  readonly acceptedEpoch: Epoch;
  readonly currentEpoch: Epoch;
}

/** A leader's request for the log records with fromZxid <= zxid <= upToZxid, for one learner's sync. */
export interface LogRead {
  readonly sid: ServerId;
  readonly stream: number;
  readonly fromZxid: Zxid;
  readonly upToZxid: Zxid;
  /** The disk log's base when the read was asked for (fromZxid may equal it: no record there). */
  readonly diskLogBaseZxid: Zxid;
  /** Records the learner can take; when the range holds more, the driver returns none (the leader sends a SNAP). */
  readonly recordsMax: number;
}

/** A learner installs the snapshot a SNAP carried: the tree and log are replaced at `zxid`. */
export interface SnapshotInstall {
  readonly zxid: Zxid;
  readonly snapshot: Uint8Array;
}

/** The machine is finished: the server goes back to election (LOOKING). */
export interface Stopped {
  readonly role: 'LOOKING';
  /** Why, for logs and test output ("no quorum for syncLimit", "leader epoch behind", ...). */
  readonly reason: string;
}

/**
 * What the driver must do, in this order (each step may assume the ones before it):
 *
 * 1. `snapshot` (learner): install it; the tree becomes the snapshot, log records are discarded.
 *    `truncate`: remove every log record above the zxid; if the tree applied beyond it, rebuild
 *    the tree from the latest snapshot at or below it plus the log (ZKDatabase.truncateLog).
 * 2. Send `messages`, in order per peer. Serialize the tree into every SNAP of this Ready now,
 *    also those in `messagesAfterPersist` (they are sent later, as they are): all earlier Readies'
 *    `committed` are applied and this Ready's are not, so the tree stands at SNAP.zxid.
 * 3. Apply `committed` to the data tree, in order. It does not wait for this Ready's writes:
 *    a commit is decided by a quorum's durable ACKs, not by the local disk.
 * 4. Write `append`, then `hardState`, as one atomic batch or in that order: a currentEpoch
 *    must never be durable ahead of the log it vouches for (ZOOKEEPER-4643). A learner's
 *    `snapshot`/`truncate` comes only in the Ready of its NEWLEADER, with the sync's appends
 *    and the new currentEpoch: the rewrite and the appends must become durable together (one
 *    batch, or a new log swapped in by rename), never the rewrite alone.
 * 5. When every write of steps 1 and 4 is durable, send `messagesAfterPersist` (ACKs, ACKEPOCH,
 *    the NEWLEADER ack, the leader's self-ack addressed to itself: deliver it with `step`).
 * 6. Call `advance(ready)`. Only one Ready is outstanding at a time; inputs may be stepped while
 *    it is, and collect into the next one (that is the group commit).
 */
export interface Ready {
  readonly snapshot: SnapshotInstall | null;
  readonly truncate: Zxid | null;
  readonly messages: readonly OutMsg[];
  readonly committed: readonly Txn[];
  readonly append: readonly Txn[];
  readonly hardState: HardState | null;
  readonly messagesAfterPersist: readonly OutMsg[];
  /** Learner streams the leader gave up on: close them if still open (each learner then goes LOOKING). */
  readonly disconnect: readonly StreamRef[];
  /** REQUEST and REVALIDATE messages for the replica layer, in arrival order. */
  readonly inbound: readonly Inbound[];
  /**
   * Leader: log ranges to read from disk for a learner's DIFF below the window. Read them at any
   * time (the records are committed and never change) and hand each back with `leader.logRead`.
   */
  readonly logReads: readonly LogRead[];
  /**
   * True in the one Ready where broadcast begins: a quorum acknowledged NEWLEADER (leader) or
   * UPTODATE arrived (learner). The server may serve clients once this Ready's `committed` are
   * applied (ZooKeeper's "now serving"); `propose` works from here on.
   */
  readonly established: boolean;
  /** Set once: the machine has stopped and the server must return to election. */
  readonly stopped: Stopped | null;
}

/**
 * What the driver loaded from disk when the role starts. `log` holds contiguous log records
 * (oldest first, ending at the last logged zxid) and must contain every record above
 * `appliedZxid`; records at or below it may be included so that a new leader can DIFF
 * learners that are slightly behind.
 */
export interface InitialState {
  readonly acceptedEpoch: Epoch;
  readonly currentEpoch: Epoch;
  /**
   * The zxid the data tree stands at. It must be a committed point — a snapshot's zxid, or the
   * last zxid an earlier machine handed out in `committed` — never a replay of log records
   * beyond it: those may be uncommitted, and the learner reports this zxid as the point its log
   * is safe to truncate to. The machine re-commits the records above it once they are known
   * committed (after UPTODATE on a learner, at establishment on a leader).
   */
  readonly appliedZxid: Zxid;
  /**
   * The zxid just before `log[0]` (or the last zxid, when `log` is empty): the leader can DIFF a
   * learner whose last zxid is at or above it. A snapshot's zxid is the natural value.
   */
  readonly logBaseZxid: Zxid;
  readonly log: readonly Txn[];
  /**
   * Leader: the driver's on-disk log holds every record above this zxid (at most logBaseZxid), so a
   * learner behind the window but above it gets a DIFF read from disk instead of a SNAP. Defaults
   * to logBaseZxid (no disk reads).
   */
  readonly diskLogBaseZxid?: Zxid;
}

/**
 * Deliberate bugs, for tests that show the harness catches them (STYLE §5, issue 8 item 7).
 * Never set outside tests.
 */
export interface UnsafeFaults {
  /** Followers send ACK before the PROPOSAL is durable. */
  readonly ackBeforeDurable?: boolean;
  /** The leader commits on its own ack, without a quorum. */
  readonly commitWithoutQuorum?: boolean;
  /** The leader sends DIFF where TRUNC is needed. */
  readonly skipTrunc?: boolean;
  /**
   * Learners raise currentEpoch when they acknowledge an epoch rollover's LEADERINFO, before a
   * quorum accepted the epoch (the defect broadcast had until the rollover got its NEWLEADER).
   */
  readonly currentEpochAtRolloverAck?: boolean;
  /** Learners send ACKEPOCH before their new acceptedEpoch is durable (a crash then forgets the promise). */
  readonly ackEpochBeforeDurable?: boolean;
}

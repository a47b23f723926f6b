/**
 * What a Replica hands its Driver (STYLE §17: typed stage outputs). Client
 * outputs name the connection (`origin`, the Driver's number for it) they
 * were produced for: the Driver drops an output whose connection has closed
 * since, so a client never gets an xid it does not expect.
 */
import type { Zxid } from '@corral/base';
import type { ClientResponse } from '@corral/wire';
import type { Ready, Txn } from './broadcast-port.js';

/** The reply to one request of a local session, in that session's FIFO order. */
export interface ReplyOutput {
  readonly kind: 'reply';
  readonly sessionId: bigint;
  readonly origin: number;
  readonly cxid: number;
  /** The request's opcode (for `cons` counters and the Driver's encoding). */
  readonly type: number;
  /** The zxid the tree stood at when the reply was built (ReplyHeader.zxid). */
  readonly zxid: Zxid;
  readonly err: number;
  readonly response: ClientResponse | null;
  readonly receivedAtMs: number;
}

/** A watch event for a local session; it precedes any reply that reads the change it announces. */
export interface EventOutput {
  readonly kind: 'event';
  readonly sessionId: bigint;
  readonly origin: number;
  readonly type: number;
  readonly path: string;
}

/** A new session was committed, or a reconnect was accepted: send the ConnectResponse. */
export interface ConnectedOutput {
  readonly kind: 'connected';
  readonly sessionId: bigint;
  readonly origin: number;
  readonly timeoutMs: number;
  readonly passwd: Uint8Array;
}

/** A connect was refused (unknown or closing session, bad password, no quorum): answer timeout 0 and close. */
export interface RefusedOutput {
  readonly kind: 'refused';
  readonly origin: number;
  readonly reason: string;
  /**
   * True when the session is gone (expired, bad password): the client is told
   * so (timeout 0). False when this server cannot serve it now (not serving,
   * leader unreachable, role lost): the connection just closes and the client
   * tries another server, as ZooKeeper's "not running" close.
   */
  readonly expired: boolean;
}

/** Close this connection after the outputs before it (session closed or expired, queue overflow, role lost). */
export interface CloseOutput {
  readonly kind: 'close';
  readonly sessionId: bigint;
  readonly origin: number;
  readonly reason: string;
}

/** Everything the Driver writes to client connections. */
export type ClientOutput = ReplyOutput | EventOutput | ConnectedOutput | RefusedOutput | CloseOutput;

/** This server's role in the ensemble. */
export type Role = 'leading' | 'following' | 'observing' | 'looking';

/** The role changed; `reason` says why when it is LOOKING again. */
export interface RoleChange {
  readonly role: Role;
  readonly reason: string | null;
  /**
   * Set when broadcast asked to truncate below the zxid the tree has
   * applied (a restart replayed txns that were never committed): the Driver
   * rebuilds the tree from a snapshot at or below it plus the log, and a new
   * Replica. Not handled inside the Replica (it has no disk).
   */
  readonly rebuildAtOrBelow: Zxid | null;
}

/**
 * One Ready of the Replica. At most one Ready with a non-null `broadcast`
 * is outstanding: its persistence must finish before `advance`. A Ready
 * with `broadcast === null` carries only client outputs, applied txns and
 * role changes; the Driver writes them and advances it at once, so replies
 * never wait for an fsync that is not theirs.
 *
 * A broadcast Ready comes out in two halves so that its writes reach the
 * disk while this server applies: the Ready with `broadcast` only carries
 * what must happen before the writes start (SNAPs serialized, a SNAP
 * installed); its `committed`, `inbound`, `established` and `stopped` are
 * handled by the next `ready()` (or by `advance`, if that comes first),
 * whose Ready reports them in `applied`, `clientOutputs` and `role`. A Driver
 * therefore starts the writes of a broadcast part, then keeps taking
 * Readies: the commits are applied and answered while the disk works.
 */
export interface ReplicaReady {
  /**
   * broadcast's Ready, to execute as broadcast's README says, with two steps
   * done by the Replica: every SNAP carries the serialized tree, and
   * `committed` is applied by the Replica (in the next Ready; the Driver
   * applies nothing).
   */
  readonly broadcast: Ready | null;
  /**
   * The txns this Ready applied to the tree, in zxid order (the `committed`
   * of the previous broadcast part). A Ready that applied txns has no
   * broadcast part: the tree stands at the last of them when it is returned.
   */
  readonly applied: readonly Txn[];
  /** In order; write them before anything of a later Ready. */
  readonly clientOutputs: readonly ClientOutput[];
  readonly role: RoleChange | null;
}

/**
 * What a Replica hands its Driver (STYLE §17: typed stage outputs). Client
 * outputs name the connection (`origin`, the Driver's number for it) they
 * were produced for: the Driver drops an output whose connection has closed
 * since, so a client never gets an xid it does not expect.
 */
import type { Zxid } from '@corral/base';
import type { ClientResponse } from '@corral/wire';
import type { Ready } from './broadcast-port.js';

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
 * with `broadcast === null` carries only client outputs and role changes;
 * the Driver writes them and advances it at once, so replies never wait for
 * an fsync that is not theirs.
 */
export interface ReplicaReady {
  /**
   * broadcast's Ready, to execute as broadcast's README says, with two steps
   * already done by the Replica: every SNAP carries the serialized tree, and
   * `committed` has been applied (the Driver does not apply anything).
   */
  readonly broadcast: Ready | null;
  /** In order; write them before anything of a later Ready. */
  readonly clientOutputs: readonly ClientOutput[];
  readonly role: RoleChange | null;
}

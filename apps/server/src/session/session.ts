/**
 * One client session: its identity, credentials and the FIFO of requests
 * whose replies are still owed, in the order they arrived. Replies leave in
 * that order (ZooKeeper's per-session ordering guarantee).
 */
import type { Id } from '@corral/data-tree';
import type { ClientRequest, ClientResponse, ConnectResponse, ReplyHeader, SetWatches2Request, WatcherEvent } from '@corral/wire';
import type { ConnectionStats } from '../stats/connection-stats.js';

/**
 * What a connection owes its client and has not encoded yet. The pipeline
 * keeps it up to date (it owns the per-session FIFO); the connection reads it
 * to decide when to stop decoding, so that replies still to be built count
 * against its output limit before they take memory.
 */
export interface ReplyBacklog {
  /** Requests from this connection waiting in the session FIFO (`cons` "queued"). */
  requestCount: number;
  /** Estimated encoded size of their replies, bytes. */
  replyBytes: number;
}

/** What the session layer needs from a connection, whatever its protocol. */
export interface ClientTransport {
  /** The peer's address as Java's getHostAddress prints it (the `ip` auth id). */
  readonly remoteAddress: string;
  /**
   * True for a transport that shares a session it does not own: it gets the
   * replies to the requests it submitted and nothing else (no events, no
   * connect response), and a reconnect of the session does not orphan it.
   * gRPC unary calls that name a session run through one.
   */
  readonly sharesSession?: boolean;
  /** `cons` counters of this connection; the pipeline records each answered request. */
  readonly stats: ConnectionStats;
  readonly backlog: ReplyBacklog;
  sendConnectResponse(response: ConnectResponse): void;
  sendReply(header: ReplyHeader, response: ClientResponse | null): void;
  sendEvent(event: WatcherEvent): void;
  /** Closes the connection (the session itself lives on until it expires). */
  close(reason: string): void;
}

/** A request waiting for its turn to be answered. */
export interface QueuedRequest {
  readonly xid: number;
  readonly type: number;
  /** For a read: executed when it reaches the head of the queue. */
  readonly read: ClientRequest | null;
  /** Set when the request could not be decoded: answered with this code. */
  readonly malformedCode?: number;
  /** For a write: set once its txn has been applied. */
  reply: { header: ReplyHeader; response: ClientResponse | null } | null;
  readonly receivedAtMs: number;
  /** Counted in `origin.backlog.replyBytes` while queued: set by the pipeline when it queues the entry. */
  replyBytesEstimate?: number;
  /**
   * The connection the request came on. After a reconnect its reply is
   * dropped (that client already gave up on it); sending it on the new
   * connection would hand the client an xid it does not expect.
   */
  readonly origin: ClientTransport | null;
}

/** A session and its owed replies. */
export class Session {
  readonly id: bigint;
  readonly passwd: Uint8Array;
  timeoutMs: number;
  authIds: Id[];
  transport: ClientTransport | null = null;
  /** Set once closeSession or expiry has been prepared: no more requests. */
  closing = false;
  /** Expiry bucket (ms) this session sits in, or 0 when not tracked. */
  expiryBucketMs = 0;
  readonly queue: QueuedRequest[] = [];
  readonly establishedAtMs: number;
  /**
   * The watches a gRPC session stream held when it broke, as setWatches2
   * would re-send them; restored when a stream resumes the session here.
   * Connection state (never replicated); bounded by watchesPerSessionMax.
   */
  parkedWatches: SetWatches2Request | null = null;

  constructor(options: { id: bigint; passwd: Uint8Array; timeoutMs: number; nowMs: number }) {
    this.id = options.id;
    this.passwd = options.passwd;
    this.timeoutMs = options.timeoutMs;
    this.authIds = [];
    this.establishedAtMs = options.nowMs;
  }
}

/** Whether replies owed to `origin` may still be sent: it is the session's connection, or shares the session. */
export function mayAnswer(session: Session, origin: ClientTransport | null): origin is ClientTransport {
  return origin !== null && (origin === session.transport || origin.sharesSession === true);
}

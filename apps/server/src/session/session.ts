/**
 * One client session as the front ends see it: its identity, the
 * connection carrying it and that connection's credentials. The requests
 * it owes replies to wait in the Replica's per-session FIFO.
 */
import type { Id } from '@corral/data-tree';
import type { ClientResponse, ConnectResponse, ReplyHeader, SetWatches2Request, WatcherEvent } from '@corral/wire';
import type { ConnectionStats } from '../stats/connection-stats.js';

/**
 * What a connection owes its client and has not encoded yet. The Driver
 * keeps it up to date (driver/reply-estimates.ts); the connection reads it
 * to decide when to stop decoding, so that replies still to be built count
 * against its output limit before they take memory.
 */
export interface ReplyBacklog {
  /** Requests from this connection not answered yet (`cons` "queued"). */
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
  /** `cons` counters of this connection; the Driver records each answered request. */
  readonly stats: ConnectionStats;
  readonly backlog: ReplyBacklog;
  sendConnectResponse(response: ConnectResponse): void;
  sendReply(header: ReplyHeader, response: ClientResponse | null): void;
  sendEvent(event: WatcherEvent): void;
  /** Closes the connection (the session itself lives on until it expires). */
  close(reason: string): void;
}

/** A session as the front ends hold it: connection state (the replicated session is the Replica's). */
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

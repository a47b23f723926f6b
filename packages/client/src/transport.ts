/**
 * The transport seam: the session logic (client.ts) speaks typed requests and
 * replies; a transport carries them to one server. Jute over TCP is the
 * first; a gRPC session stream (proto/corral/v1, issue 10) will implement the
 * same interface, so the session, watch and recipe code never sees bytes.
 */
import type { ClientRequest, ClientResponse, ConnectRequest, ConnectResponse, ReplyHeader, WatcherEvent } from '@corral/wire';
import type { ServerAddress } from './connection-string.js';

/** What a transport reports back to the session that owns the connection. */
export interface TransportHandlers {
  /**
   * The opcode sent with `xid`, or undefined if none is outstanding. A reply's
   * record type is not on the jute wire, so the decoder asks for it.
   */
  opcodeOf(xid: number): number | undefined;
  /** A reply (err ≠ 0 ⇒ response null). */
  onReply(header: ReplyHeader, response: ClientResponse | null): void;
  /** A watch notification and the zxid the server sent with it. */
  onEvent(event: WatcherEvent, zxid: bigint): void;
  /** The connection is gone (peer closed, protocol error, or close()); called once. */
  onClose(error: Error | null): void;
}

/** One open connection to one server, after a successful handshake. */
export interface TransportConnection {
  /** The server's answer to the handshake. */
  readonly response: ConnectResponse;
  /** Sends one request; replies come back through handlers.onReply in send order. */
  send(xid: number, request: ClientRequest): void;
  /** Closes the connection; handlers.onClose follows once. Idempotent. */
  close(): void;
}

/** Options of one connection attempt. */
export interface TransportConnectOptions {
  address: ServerAddress;
  request: ConnectRequest;
  handlers: TransportHandlers;
  /** Give up the attempt (and close anything half-open) after this many ms. */
  timeoutMs: number;
  /** Aborts the attempt (the client is closing). */
  signal: AbortSignal;
  /** Largest reply frame accepted (jute.maxbuffer). */
  maxFrameBytes: number;
}

/** Opens connections to servers. */
export interface Transport {
  /**
   * Connects and completes the handshake. Rejects if the server closes first
   * (e.g. it refuses a client that has seen a newer zxid than it has).
   */
  connect(options: TransportConnectOptions): Promise<TransportConnection>;
}

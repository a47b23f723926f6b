/**
 * What the front ends (the jute port and gRPC) need from the server's core,
 * the Driver over @corral/replica. Transport-neutral: requests and replies
 * are typed, connections are ClientTransports, and connection state
 * (transport, auth ids, counters) lives in the server's Session objects.
 */
import type { ClientRequest, ConnectRequest } from '@corral/wire';
import type { ClientTransport, Session } from '../session/session.js';

/** The core both front ends submit to. */
export interface ClientCore {
  /** Writes proposed and not yet applied (`mntr` zk_outstanding_requests). */
  readonly outstandingCount: number;
  /** Client requests waiting in session FIFOs server-wide (compared with globalOutstandingLimit). */
  readonly inFlightCount: number;
  /** Estimated encoded size of the reply to a read by `session` (flow control). */
  estimateReplyBytes(session: Session, request: ClientRequest): number;
  /** A ConnectRequest: a new session or a reconnect; `onSession` gets it (null: refused and closed). */
  connect(transport: ClientTransport, request: ConnectRequest, onSession: (session: Session | null) => void): void;
  /**
   * One request of a connected session, in arrival order (null: unknown
   * opcode). `origin` gets the reply: the session's connection, or a
   * transport that shares the session (gRPC unary calls naming it).
   */
  submit(session: Session, xid: number, type: number, request: ClientRequest | null, origin?: ClientTransport | null): void;
  /** A request whose body did not decode: answered MARSHALLINGERROR in its turn. */
  submitMalformed(session: Session, xid: number, type: number): void;
  /**
   * `transport` closed (with `session` null if it never got one, e.g. during
   * a connect); the session lives on until it expires.
   */
  detach(session: Session | null, transport: ClientTransport): void;
  /** Removes an empty container or expired TTL node through the log (ContainerManager). */
  proposeDeleteContainer(path: string): void;
}

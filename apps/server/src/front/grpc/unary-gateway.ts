/**
 * Runs unary gRPC calls through the core. A call that names a session
 * (SessionRef) runs inside it, through a transport that shares the session
 * with its stream: it sees the session's auth and owns ephemerals, and its
 * reply comes back to the call. A call without one runs in one of the
 * gateway's two anonymous sessions, which never own ephemerals and are kept
 * alive by ticks: reads in one, everything else in the other. Unary calls
 * promise no order among themselves (each is its own HTTP/2 stream), so a
 * read need not wait in a session FIFO behind unrelated callers' writes
 * until they are durable, as it would in one shared session.
 *
 * In an ensemble the anonymous sessions are this member's own (their ids are
 * drawn from its server id, their createSession goes through the leader like
 * any other). When the member stops serving, the Replica closes them and
 * every call in flight fails with CONNECTIONLOSS (UNAVAILABLE: the client
 * retries another member); the next call after the member serves again
 * opens new ones, and the old ones expire at the leader.
 *
 * Read-only mode (`readonlymode.enabled`, a member without a quorum): the
 * anonymous sessions connect as read-only clients, as ZooKeeper's
 * ReadOnlyZooKeeperServer serves a client that accepts it, so unary reads
 * answer from this member's tree and writes answer NOTREADONLY (UNAVAILABLE:
 * a client retries another member). A unary call promises no order and no
 * recency beyond its own reply in either mode, so a read from a member cut
 * off is as a read from a follower that lags. The sessions open read-write
 * while the member has a quorum (the flag only allows read-only), and the
 * read-only ones are closed when it rejoins one.
 */
import { ZkCode, ZkError } from '@corral/base';
import { OpCode, type ClientRequest, type ClientResponse, type ConnectResponse, type ReplyHeader } from '@corral/wire';
import type { ClientCore } from '../../core/client-core.js';
import { passwordsEqual } from '../../session/session-ids.js';
import type { SessionTable } from '../../session/session-table.js';
import type { ClientTransport, ReplyBacklog, Session } from '../../session/session.js';
import { ConnectionStats } from '../../stats/connection-stats.js';
import { toBigint } from './convert.js';
import { unaryCallsInFlightMax } from './limits.js';
import type { SessionRefMsg } from './proto-types.js';
import type { ServedState } from './served-state.js';

/** A reply to one unary call. */
export interface UnaryReply {
  readonly header: ReplyHeader;
  readonly response: ClientResponse | null;
}

type Waiter = { sessionId: bigint; resolve: (reply: UnaryReply) => void; reject: (error: Error) => void };

/** Requests answered from this server's state without the log: they get the read session. */
const readTypes: ReadonlySet<number> = new Set([
  OpCode.exists, OpCode.getData, OpCode.getChildren, OpCode.getChildren2, OpCode.getAllChildrenNumber, OpCode.getACL,
  OpCode.multiRead, OpCode.whoAmI,
]);

/** Creation modes that make the node belong to the caller's session. */
const ephemeralModes: ReadonlySet<number> = new Set([1, 3]);

/** Submits unary calls and routes their replies back by xid. */
export class UnaryGateway implements ClientTransport {
  /** Not an address: ip ACLs never match the anonymous session. */
  readonly remoteAddress = 'grpc-unary';
  readonly sharesSession = true;
  readonly stats: ConnectionStats;
  readonly backlog: ReplyBacklog = { requestCount: 0, replyBytes: 0 };
  private readonly core: ClientCore;
  private readonly sessions: SessionTable;
  private readonly clock: () => number;
  private readonly sessionTimeoutMs: number;
  private readonly state: Pick<ServedState, 'serving' | 'readOnly'>;
  private readonly waiters = new Map<number, Waiter>();
  private nextXid = 1;
  private readonly reader: AnonymousSlot;
  private readonly writer: AnonymousSlot;
  private closed = false;

  constructor(options: { core: ClientCore; sessions: SessionTable; clock: () => number; sessionTimeoutMs: number; state: Pick<ServedState, 'serving' | 'readOnly'> }) {
    this.core = options.core;
    this.sessions = options.sessions;
    this.clock = options.clock;
    this.sessionTimeoutMs = options.sessionTimeoutMs;
    this.state = options.state;
    this.stats = new ConnectionStats(options.clock());
    this.reader = new AnonymousSlot(this, options.clock());
    this.writer = new AnonymousSlot(this, options.clock());
  }

  /** Unary calls in flight. */
  get inFlightCount(): number {
    return this.waiters.size;
  }

  /** Runs one request, in `ref`'s session or the anonymous one. */
  async run(request: ClientRequest, ref: SessionRefMsg | null | undefined): Promise<UnaryReply> {
    if (this.closed) throw new ZkError(ZkCode.CONNECTIONLOSS, { message: 'server is shutting down' });
    // Electing or syncing (and not read-only): UNAVAILABLE, so the client tries another member.
    if (!this.state.serving && !this.state.readOnly) throw new ZkError(ZkCode.CONNECTIONLOSS, { message: 'this server is not serving (electing or syncing)' });
    if (this.waiters.size >= unaryCallsInFlightMax) throw new ZkError(ZkCode.THROTTLEDOP, { message: `more than ${unaryCallsInFlightMax} unary calls in flight` });
    const named = this.namedSession(ref);
    if (named === null && createsEphemeral(request)) {
      throw new ZkError(ZkCode.EPHEMERALONLOCALSESSION, { message: 'an ephemeral node needs a session: pass session (see Corral.Session)' });
    }
    const session = named ?? await this.anonymousSession(readTypes.has(request.type) ? this.reader : this.writer);
    const xid = this.allocateXid();
    return new Promise<UnaryReply>((resolve, reject) => {
      this.waiters.set(xid, { sessionId: session.id, resolve, reject });
      this.core.submit(session, xid, request.type, request, this);
    });
  }

  /** The session a SessionRef names, after checking its password; null when none is named. */
  namedSession(ref: SessionRefMsg | null | undefined): Session | null {
    const id = toBigint(ref?.sessionId, 'session.session_id');
    if (id === 0n) return null;
    const session = this.sessions.get(id);
    if (session === undefined || session.closing || !passwordsEqual(session.passwd, ref?.password ?? new Uint8Array(0))) {
      throw new ZkError(ZkCode.SESSIONEXPIRED, { message: `session 0x${id.toString(16)} is unknown, expired, or the password is wrong` });
    }
    // The core runs a request only for a session whose stream is attached here (the Replica's local sessions).
    if (session.transport === null) {
      throw new ZkError(ZkCode.SESSIONMOVED, { message: `session 0x${id.toString(16)} has no session stream on this server: call the server its stream is on` });
    }
    return session;
  }

  /** Keeps the anonymous sessions alive (called every tick). */
  tick(): void {
    for (const slot of [this.reader, this.writer]) {
      const session = slot.session;
      if (session !== null && this.isLive(session)) this.sessions.touch(session, this.clock());
    }
  }

  private isLive(session: Session): boolean {
    return !session.closing && this.sessions.get(session.id) === session;
  }

  private async anonymousSession(slot: AnonymousSlot): Promise<Session> {
    const current = slot.session;
    if (current !== null && this.isLive(current)) return current;
    slot.session = null;
    slot.opening ??= new Promise<Session>((resolve, reject) => {
      // Each slot connects as its own transport: connects are matched to their answer by connection.
      this.core.connect(slot, {
        protocolVersion: 0, lastZxidSeen: 0n, timeOut: this.sessionTimeoutMs, sessionId: 0n, passwd: new Uint8Array(16), readOnly: true,
      }, (session) => {
        slot.opening = null;
        if (session === null || this.closed) reject(new ZkError(ZkCode.CONNECTIONLOSS, { message: 'could not open the unary session' }));
        else resolve((slot.session = session));
      });
    });
    return slot.opening;
  }

  private allocateXid(): number {
    // Positive int32 xids, skipping any still waiting (they are few: bounded by unaryCallsInFlightMax).
    do {
      this.nextXid = this.nextXid >= 0x7fff_ffff ? 1 : this.nextXid + 1;
    } while (this.waiters.has(this.nextXid));
    return this.nextXid;
  }

  // ---- ClientTransport -----------------------------------------------------

  sendConnectResponse(_response: ConnectResponse): void {
    // Connects go through the slots.
  }

  sendReply(header: ReplyHeader, response: ClientResponse | null): void {
    const waiter = this.waiters.get(header.xid);
    if (waiter === undefined) return;
    this.waiters.delete(header.xid);
    waiter.resolve({ header, response });
  }

  sendEvent(): void {
    // Unary calls leave no watches.
  }

  /**
   * The core closes this transport when the server stops serving (every
   * connection goes): the requests in flight are dropped by the Replica, so
   * every waiting call fails with CONNECTIONLOSS, named sessions' too.
   */
  close(reason: string): void {
    for (const slot of [this.reader, this.writer]) slot.session = null;
    for (const [xid, waiter] of this.waiters) {
      this.waiters.delete(xid);
      waiter.reject(new ZkError(ZkCode.CONNECTIONLOSS, { message: reason }));
    }
  }

  /** An anonymous session ended (expired, or the server stopped serving): the calls waiting in it fail. */
  slotClosed(slot: AnonymousSlot, reason: string): void {
    const session = slot.session;
    slot.session = null;
    if (session === null) return;
    for (const [xid, waiter] of this.waiters) {
      if (waiter.sessionId !== session.id) continue;
      this.waiters.delete(xid);
      waiter.reject(new ZkError(ZkCode.CONNECTIONLOSS, { message: reason }));
    }
  }

  /** Fails every waiting call and refuses new ones. */
  shutdown(): void {
    this.closed = true;
    this.close('server is shutting down');
  }
}

/**
 * One anonymous session and the connection it is attached by. Replies come
 * back through the gateway (it submits as the shared origin); this transport
 * only gets its session's connect answer and close.
 */
class AnonymousSlot implements ClientTransport {
  readonly remoteAddress = 'grpc-unary';
  readonly sharesSession = true;
  readonly stats: ConnectionStats;
  readonly backlog: ReplyBacklog = { requestCount: 0, replyBytes: 0 };
  session: Session | null = null;
  opening: Promise<Session> | null = null;
  private readonly gateway: UnaryGateway;

  constructor(gateway: UnaryGateway, nowMs: number) {
    this.gateway = gateway;
    this.stats = new ConnectionStats(nowMs);
  }

  sendConnectResponse(_response: ConnectResponse): void {
    // The session arrives through connect's callback.
  }

  sendReply(header: ReplyHeader, response: ClientResponse | null): void {
    this.gateway.sendReply(header, response);
  }

  sendEvent(): void {
    // Anonymous sessions leave no watches.
  }

  close(reason: string): void {
    this.gateway.slotClosed(this, reason);
  }
}

function createsEphemeral(request: ClientRequest): boolean {
  if (request.type === OpCode.create || request.type === OpCode.create2) return ephemeralModes.has(request.flags);
  if (request.type === OpCode.multi) return request.ops.some(createsEphemeral);
  return false;
}

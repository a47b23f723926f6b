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

/** A reply to one unary call. */
export interface UnaryReply {
  readonly header: ReplyHeader;
  readonly response: ClientResponse | null;
}

type Waiter = { sessionId: bigint; resolve: (reply: UnaryReply) => void; reject: (error: Error) => void };

/** One anonymous session, opened on first use and again after it ends. */
type AnonymousSlot = { session: Session | null; opening: Promise<Session> | null };

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
  private readonly waiters = new Map<number, Waiter>();
  private nextXid = 1;
  private readonly reader: AnonymousSlot = { session: null, opening: null };
  private readonly writer: AnonymousSlot = { session: null, opening: null };
  private closed = false;

  constructor(options: { core: ClientCore; sessions: SessionTable; clock: () => number; sessionTimeoutMs: number }) {
    this.core = options.core;
    this.sessions = options.sessions;
    this.clock = options.clock;
    this.sessionTimeoutMs = options.sessionTimeoutMs;
    this.stats = new ConnectionStats(options.clock());
  }

  /** Unary calls in flight. */
  get inFlightCount(): number {
    return this.waiters.size;
  }

  /** Runs one request, in `ref`'s session or the anonymous one. */
  async run(request: ClientRequest, ref: SessionRefMsg | null | undefined): Promise<UnaryReply> {
    if (this.closed) throw new ZkError(ZkCode.CONNECTIONLOSS, { message: 'server is shutting down' });
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
      this.core.connect(this, {
        protocolVersion: 0, lastZxidSeen: 0n, timeOut: this.sessionTimeoutMs, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false,
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
    // The anonymous session's id arrives through connect's callback.
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

  close(reason: string): void {
    // The core closes a session's own transport when the session ends:
    // that is only ever an anonymous session here, and it does not say which.
    // Both are dropped (the next call opens new ones) and what waits on them fails.
    const anonymousIds = new Set<bigint>();
    for (const slot of [this.reader, this.writer]) {
      if (slot.session !== null) anonymousIds.add(slot.session.id);
      slot.session = null;
    }
    for (const [xid, waiter] of this.waiters) {
      if (!this.closed && !anonymousIds.has(waiter.sessionId)) continue;
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

function createsEphemeral(request: ClientRequest): boolean {
  if (request.type === OpCode.create || request.type === OpCode.create2) return ephemeralModes.has(request.flags);
  if (request.type === OpCode.multi) return request.ops.some(createsEphemeral);
  return false;
}

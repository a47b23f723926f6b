/**
 * Runs unary gRPC calls through the core. A call that names a session
 * (SessionRef) runs inside it, through a transport that shares the session
 * with its stream: it sees the session's auth and owns ephemerals, and its
 * reply comes back to the call. A call without one runs in the gateway's own
 * anonymous session, which never owns ephemerals and is kept alive by ticks.
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
  private anonymous: Session | null = null;
  private opening: Promise<Session> | null = null;
  private openWaiter: ((session: Session | null) => void) | null = null;
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
    const session = named ?? await this.anonymousSession();
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

  /** Keeps the anonymous session alive (called every tick). */
  tick(): void {
    const session = this.anonymous;
    if (session !== null && !session.closing && this.sessions.get(session.id) === session) this.sessions.touch(session, this.clock());
  }

  private async anonymousSession(): Promise<Session> {
    const current = this.anonymous;
    if (current !== null && !current.closing && this.sessions.get(current.id) === current) return current;
    this.anonymous = null;
    this.opening ??= new Promise<Session>((resolve, reject) => {
      this.openWaiter = (session) => {
        this.opening = null;
        this.openWaiter = null;
        if (session === null) reject(new ZkError(ZkCode.CONNECTIONLOSS, { message: 'could not open the unary session' }));
        else resolve((this.anonymous = session));
      };
      this.core.connect(this, {
        protocolVersion: 0, lastZxidSeen: 0n, timeOut: this.sessionTimeoutMs, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false,
      }, (session) => this.openWaiter?.(session));
    });
    return this.opening;
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
    // that is only ever the anonymous session here. Fail what waits on it.
    const anonymousId = this.anonymous?.id;
    this.anonymous = null;
    for (const [xid, waiter] of this.waiters) {
      if (!this.closed && waiter.sessionId !== anonymousId) continue;
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

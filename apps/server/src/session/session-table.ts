/**
 * The live sessions of this server, keyed by id, with bucketed expiry. The
 * table changes only when createSession / closeSession txns are applied (so
 * replaying the log rebuilds it), plus `touch` on every packet.
 */
import { assert } from '@corral/base';
import { ExpiryQueue } from './expiry-queue.js';
import { initialSessionId, sessionPassword } from './session-ids.js';
import { Session } from './session.js';

/** Sessions by id, and when each expires. */
export class SessionTable {
  private readonly sessions = new Map<bigint, Session>();
  private readonly expiry: ExpiryQueue<Session>;
  private nextId: bigint;
  readonly sessionsMax: number;

  constructor(options: { tickTimeMs: number; nowMs: number; serverId: number; sessionsMax: number }) {
    this.expiry = new ExpiryQueue({ intervalMs: options.tickTimeMs, nowMs: options.nowMs });
    this.nextId = initialSessionId(options.nowMs, options.serverId);
    this.sessionsMax = options.sessionsMax;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: bigint): Session | undefined {
    return this.sessions.get(id);
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** A fresh id that no live session has. */
  allocateId(): bigint {
    let id = this.nextId;
    // 0 means "no session" in a ConnectRequest, so it is never handed out.
    while (id === 0n || this.sessions.has(id)) id += 1n;
    this.nextId = id + 1n;
    return id;
  }

  /** Adds a session (createSession applied). Idempotent for replay. */
  add(id: bigint, timeoutMs: number, nowMs: number): Session {
    const existing = this.sessions.get(id);
    if (existing !== undefined) return existing;
    const session = new Session({ id, passwd: sessionPassword(id), timeoutMs, nowMs });
    this.sessions.set(id, session);
    this.touch(session, nowMs);
    if (id >= this.nextId) this.nextId = id + 1n;
    return session;
  }

  /** Removes a session (closeSession applied). */
  remove(id: bigint): Session | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    this.expiry.remove(session);
    return session;
  }

  /** Pushes the session's deadline out by its timeout (any packet from it). */
  touch(session: Session, nowMs: number): void {
    if (session.closing) return;
    session.expiryBucketMs = this.expiry.update(session, nowMs, session.timeoutMs);
  }

  /** Sessions whose deadline passed; they leave the expiry queue. */
  expired(nowMs: number): Session[] {
    const expired = this.expiry.poll(nowMs);
    for (const session of expired) assert(this.sessions.get(session.id) === session, 'expired session is live');
    return expired;
  }
}

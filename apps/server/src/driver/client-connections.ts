/**
 * The Driver's client side: connection numbers (the Replica's `origin`) for
 * the front ends' transports, connects waiting for their answer, and the
 * Replica's client outputs written to the transport they name (dropped when
 * it has closed since). Connection state — transport, auth ids, counters,
 * the `Session` objects the front ends hold — lives here; replicated session
 * state is the Replica's (the tree's session table), changed only by txns.
 */
import { KeeperState } from '@corral/wire';
import type { ClientOutput, Replica } from '@corral/replica';
import type { SessionTable } from '../session/session-table.js';
import type { ClientTransport, ReplyBacklog, Session } from '../session/session.js';
import { operationName } from '../stats/connection-stats.js';
import type { ServerStats } from '../stats/server-stats.js';
import { ReplyEstimates } from './reply-estimates.js';
import { hopTrace } from '../stats/hop-trace.js';

/** A connect waiting for its `connected` or `refused`. */
export interface PendingConnect {
  readonly transport: ClientTransport;
  readonly onSession: (session: Session | null) => void;
  readonly receivedAtMs: number;
  readonly omitsReadOnly: boolean;
  readonly isNew: boolean;
}

/** What the connections need from the Driver. */
export interface ClientConnectionsOptions {
  readonly replica: Replica;
  readonly sessions: SessionTable;
  readonly stats: ServerStats;
  readonly clock: () => number;
}

/** Live client connections and the outputs written to them. */
export class ClientConnections {
  private readonly options: ClientConnectionsOptions;
  private readonly transports = new Map<number, ClientTransport>();
  private readonly origins = new Map<ClientTransport, number>();
  private nextOrigin = 1;
  private readonly pendingConnects = new Map<number, PendingConnect>();
  /** Replies after which the connection closes (unknown opcode), by `${origin}:${xid}`. */
  private readonly closeAfterReply = new Set<string>();
  /** Estimated bytes of the replies each connection is owed (its output limit counts them before they are built). */
  private readonly replyEstimates = new ReplyEstimates();

  constructor(options: ClientConnectionsOptions) {
    this.options = options;
  }

  /** The connection number of `transport`, given on first use. */
  originOf(transport: ClientTransport): number {
    let origin = this.origins.get(transport);
    if (origin === undefined) {
      origin = this.nextOrigin++;
      this.origins.set(transport, origin);
      this.transports.set(origin, transport);
    }
    return origin;
  }

  /** The connection number of `transport` if it has one. */
  knownOrigin(transport: ClientTransport): number | undefined {
    return this.origins.get(transport);
  }

  /** A connect of `origin` waits for the Replica's answer. */
  expectConnect(origin: number, pending: PendingConnect): void {
    this.pendingConnects.set(origin, pending);
  }

  /** `transport` closed: forget it (a connect still in progress finds no connection). */
  forget(transport: ClientTransport): number | undefined {
    const origin = this.origins.get(transport);
    if (origin === undefined) return undefined;
    this.origins.delete(transport);
    this.transports.delete(origin);
    this.pendingConnects.delete(origin);
    this.replyEstimates.forget(origin);
    return origin;
  }

  /** A request of `origin` whose reply will take about `bytes` (ReplyEstimates). */
  owe(origin: number, xid: number, bytes: number, backlog: ReplyBacklog): void {
    this.replyEstimates.owe(origin, xid, bytes, backlog);
  }

  /** The reply to `xid` on `origin` closes the connection after it (UnimplementedRequestProcessor). */
  closeAfter(origin: number, xid: number): void {
    this.closeAfterReply.add(`${origin}:${xid}`);
  }

  /** Closes every connection (this server stopped serving: clients go to another server). */
  closeAll(reason: string): void {
    for (const transport of [...this.transports.values()]) transport.close(reason);
  }

  /** Sessions closed by txns while no connection of theirs was here leave the connection-state table. */
  forgetClosedSessions(): void {
    const { replica, sessions } = this.options;
    if (sessions.size <= replica.dataTree.sessions().size && !replica.readOnly) return;
    for (const session of [...sessions.values()]) {
      if (!replica.hasSession(session.id)) this.forgetSession(session);
    }
  }

  write(out: ClientOutput): void {
    switch (out.kind) {
      case 'connected':
        this.connected(out);
        return;
      case 'refused':
        this.refused(out.origin, out.reason, out.expired);
        return;
      case 'reply':
        hopTrace.mark('reply');
        this.reply(out);
        return;
      case 'event': {
        this.transports.get(out.origin)?.sendEvent({ type: out.type, state: KeeperState.SyncConnected, path: out.path });
        return;
      }
      case 'close': {
        const session = this.options.sessions.get(out.sessionId);
        if (session !== undefined && !this.options.replica.hasSession(out.sessionId)) this.forgetSession(session);
        const transport = this.transports.get(out.origin);
        if (transport === undefined) return;
        if (session?.transport === transport) session.transport = null;
        transport.close(out.reason);
      }
    }
  }

  private forgetSession(session: Session): void {
    session.closing = true;
    this.options.sessions.remove(session.id);
  }

  private connected({ origin, sessionId, timeoutMs, passwd, readOnly }: Extract<ClientOutput, { kind: 'connected' }>): void {
    const pending = this.pendingConnects.get(origin);
    const { replica, sessions, clock } = this.options;
    if (pending === undefined) {
      // The connection closed before its session was ready: the session waits for a reconnect or expiry.
      replica.detach(sessionId, origin);
      return;
    }
    this.pendingConnects.delete(origin);
    const nowMs = clock();
    const session = sessions.get(sessionId) ?? sessions.add(sessionId, timeoutMs, nowMs);
    session.timeoutMs = timeoutMs;
    session.closing = false;
    session.transport = pending.transport;
    // Auth belongs to the connection, as in ZooKeeper: clients re-send it after reconnecting.
    session.authIds = [{ scheme: 'ip', id: pending.transport.remoteAddress }];
    const omits = pending.omitsReadOnly ? { omitsReadOnly: true } : {};
    if (pending.isNew) {
      pending.transport.stats.recordResponse({ cxid: 0, zxid: replica.dataTree.lastProcessedZxid, operation: 'SESS', receivedAtMs: pending.receivedAtMs, nowMs });
    }
    pending.transport.sendConnectResponse({ protocolVersion: 0, timeOut: timeoutMs, sessionId, passwd, readOnly, ...omits });
    pending.onSession(session);
  }

  private refused(origin: number, reason: string, expired: boolean): void {
    const pending = this.pendingConnects.get(origin);
    if (pending === undefined) return;
    this.pendingConnects.delete(origin);
    if (expired) {
      // ZooKeeper answers an invalid session with timeout 0, which the client reports as expired.
      const omits = pending.omitsReadOnly ? { omitsReadOnly: true } : {};
      pending.transport.sendConnectResponse({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false, ...omits });
    }
    // Otherwise no answer: the connection closes and the client tries another server.
    pending.transport.close(reason);
    pending.onSession(null);
  }

  private reply(out: Extract<ClientOutput, { kind: 'reply' }>): void {
    const transport = this.transports.get(out.origin);
    if (transport === undefined) return;
    transport.backlog.requestCount = Math.max(0, transport.backlog.requestCount - 1);
    this.replyEstimates.settle(out.origin, out.cxid, transport.backlog);
    const nowMs = this.options.clock();
    this.options.stats.recordReply(nowMs - out.receivedAtMs);
    transport.stats.recordResponse({ cxid: out.cxid, zxid: out.zxid, operation: operationName(out.type, out.err), receivedAtMs: out.receivedAtMs, nowMs });
    transport.sendReply({ xid: out.cxid, zxid: out.zxid, err: out.err }, out.response);
    // Almost always empty: no key is built per reply.
    if (this.closeAfterReply.size > 0 && this.closeAfterReply.delete(`${out.origin}:${out.cxid}`)) transport.close('unknown request type');
  }
}

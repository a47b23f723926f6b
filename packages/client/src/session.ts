/**
 * The session engine under ZkClient: one connection at a time, failover over
 * the connection string's servers, the request FIFO with xid matching, pings,
 * watch re-registration, and the connection-state machine
 *
 *   connecting ─► connected ⇄ suspended ─► expired
 *        any ─► closed               (read-only replaces connected when the server says so)
 *
 * Ordering contract (ZooKeeper's per-session FIFO): requests are sent in
 * call order on one connection and the server answers in that order, so
 * every reply must match the head of `sent` (ClientCnxn.readResponse does
 * the same check). A connection that drops fails what was sent with
 * CONNECTIONLOSS (it may or may not have been applied) and keeps what was
 * not yet sent for the next connection.
 */
import { EventEmitter } from 'node:events';
import { ZkCode, ZkError, isZkCode } from '@corral/base';
import {
  OpCode,
  Xid,
  maxFrameBytesDefault,
  type ClientRequest,
  type ClientResponse,
  type ReplyHeader,
  type WatcherEvent,
} from '@corral/wire';
import type { ServerAddress } from './connection-string.js';
import { ClientClosedError, ClientLimitError, abortReason, connectionLoss, sessionExpired } from './errors.js';
import { authEntriesMax, eventListenersMax, outstandingRequestsMax, queuedRequestsMax, reconnectBackoffMsMax, reconnectBackoffMsMin, setWatchesBytesMax } from './limits.js';
import type { Transport, TransportConnection } from './transport.js';
import { WatchRegistry, type WatchKind, type Watcher } from './watch-registry.js';

/** The connection state a client reports. */
export type ConnectionState = 'connecting' | 'connected' | 'read-only' | 'suspended' | 'expired' | 'closed';

/** Options of a session. */
export interface SessionOptions {
  servers: readonly ServerAddress[];
  chroot: string;
  transport: Transport;
  sessionTimeoutMs: number;
  canBeReadOnly: boolean;
  maxFrameBytes?: number;
  /** Resume this session (id and password from an earlier client). */
  sessionId?: bigint;
  sessionPassword?: Uint8Array;
}

/** A reply as the session hands it to the client. */
export interface Reply {
  header: ReplyHeader;
  response: ClientResponse | null;
}

/** A one-shot watch to register once the request that sets it succeeds. */
export interface PendingWatch {
  path: string;
  watcher: Watcher;
  /** Kind registered when the request succeeds. */
  kind: WatchKind;
  /** Kind registered when it fails with NONODE (exists: an exist watch). */
  kindOnNoNode?: WatchKind;
}

interface AuthEntry {
  scheme: string;
  auth: Uint8Array;
}

interface AuthWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Call {
  xid: number;
  request: ClientRequest;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  watch: PendingWatch | undefined;
  /** The caller gave up (aborted) after the request was sent: the reply is read and dropped. */
  abandoned: boolean;
}

const protocolVersion = 0;
const xidMax = 0x7fffffff;
/** Ping ticks (a third of the timeout each) the oldest request may stay unanswered before the connection is dropped. */
const replyOverdueTicks = 3;

/** The session engine (see the file comment). Events: 'state' (state, previous), 'event' (none: watch events go to watchers). */
export class Session extends EventEmitter {
  readonly watches = new WatchRegistry();
  private stateValue: ConnectionState = 'connecting';
  private connection: TransportConnection | null = null;
  private sessionIdValue: bigint;
  private password: Uint8Array;
  private negotiatedTimeoutMs = 0;
  private lastZxidSeenValue = 0n;
  private nextXid = 1;
  private serverIndex: number;
  private readonly queued: Call[] = [];
  /** Sent and unanswered, in send order; entries before sentHead are answered (cleared to undefined). */
  private sent: (Call | undefined)[] = [];
  private sentHead = 0;
  /** Credentials replayed on every new connection, in the order added. */
  private readonly auths: AuthEntry[] = [];
  /**
   * Auth packets sent on this connection and not yet answered, in send order
   * (replies with xid -4 come in that order): replays have no waiter. A
   * refused entry is dropped from `auths`, or every reconnect would replay it
   * and be closed again.
   */
  private authsInFlight: { entry: AuthEntry; waiter: AuthWaiter | null }[] = [];
  private pingTimer: NodeJS.Timeout | null = null;
  private backoffTimer: NodeJS.Timeout | null = null;
  private backoffWake: (() => void) | null = null;
  private sentSinceTick = false;
  private ticksSinceReceive = 0;
  /** The oldest unanswered xid at the last ping tick, and for how many ticks it has stayed unanswered. */
  private stuckXid = 0;
  private stuckTicks = 0;
  private everConnected = false;
  private closing: Promise<void> | null = null;
  /** The running connect loop, awaited by close() so no attempt outlives the client. */
  private loop: Promise<void> = Promise.resolve();
  /** Aborted by close(): stops a connection attempt in progress. */
  private readonly closeController = new AbortController();

  constructor(private readonly options: SessionOptions) {
    super();
    this.setMaxListeners(eventListenersMax);
    this.sessionIdValue = options.sessionId ?? 0n;
    this.password = options.sessionPassword ?? new Uint8Array(16);
    this.serverIndex = Math.floor(Math.random() * options.servers.length);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }
  get sessionId(): bigint {
    return this.sessionIdValue;
  }
  get sessionPassword(): Uint8Array {
    return this.password;
  }
  /** The timeout the server granted (0 before the first connection). */
  get sessionTimeoutMs(): number {
    return this.negotiatedTimeoutMs;
  }
  /** The highest zxid seen in a reply; sent on reconnect so no server behind it is accepted. */
  get lastZxidSeen(): bigint {
    return this.lastZxidSeenValue;
  }
  /** The server the current connection goes to, or null. */
  get server(): ServerAddress | null {
    return this.connection === null ? null : this.options.servers[this.serverIndex]!;
  }

  /** Starts the connect loop; call once. */
  start(): void {
    this.loop = this.connectLoop();
  }

  /** Sends a request (now or once connected) and resolves with its reply, whatever its error code. */
  submit(request: ClientRequest, signal?: AbortSignal, watch?: PendingWatch): Promise<Reply> {
    if (this.stateValue === 'closed' || this.closing !== null) return Promise.reject(new ClientClosedError());
    if (this.stateValue === 'expired') return Promise.reject(sessionExpired());
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    return new Promise<Reply>((resolve, reject) => {
      const call: Call = { xid: 0, request, resolve, reject, signal, onAbort: undefined, watch, abandoned: false };
      if (signal !== undefined) {
        call.onAbort = () => this.abort(call);
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      if (this.canSend() && this.queued.length === 0 && this.outstanding() < outstandingRequestsMax) this.send(call);
      else if (this.queued.length < queuedRequestsMax) this.queued.push(call);
      else this.finish(call, new ClientLimitError(`more than ${queuedRequestsMax} queued requests`));
    });
  }

  /** Adds credentials to the session (now and after every reconnect); resolves once the server accepted them. */
  addAuth(scheme: string, auth: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.stateValue === 'closed' || this.closing !== null) return Promise.reject(new ClientClosedError());
    if (this.stateValue === 'expired') return Promise.reject(sessionExpired());
    if (this.auths.length >= authEntriesMax) return Promise.reject(new ClientLimitError(`more than ${authEntriesMax} auth entries`));
    const entry = { scheme, auth };
    this.auths.push(entry);
    return new Promise<void>((resolve, reject) => {
      if (!this.canSend()) {
        // Sent with the others once connected; resolving then would need a
        // second queue, and the replay on connect is what matters.
        void this.waitConnected(signal).then(resolve, reject);
        return;
      }
      this.authsInFlight.push({ entry, waiter: { resolve, reject } });
      this.connection!.send(Xid.auth, { type: OpCode.auth, authType: 0, scheme, auth });
    });
  }

  /** Resolves once connected (or read-only); rejects on expiry, close or abort. */
  waitConnected(signal?: AbortSignal): Promise<void> {
    if (this.canSend()) return Promise.resolve();
    if (this.stateValue === 'expired') return Promise.reject(sessionExpired());
    if (this.stateValue === 'closed') return Promise.reject(new ClientClosedError());
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onState = (state: ConnectionState): void => {
        if (state === 'connected' || state === 'read-only') done(null);
        else if (state === 'expired') done(sessionExpired());
        else if (state === 'closed') done(new ClientClosedError());
      };
      const onAbort = (): void => done(abortReason(signal!));
      const done = (error: Error | null): void => {
        this.off('state', onState);
        signal?.removeEventListener('abort', onAbort);
        if (error === null) resolve();
        else reject(error);
      };
      this.on('state', onState);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Drops the current connection (tests and failover): the session reconnects elsewhere. */
  disconnect(): void {
    this.connection?.close();
  }

  /** Closes the session on the server (if connected), then releases everything. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.closeController.abort();
    this.backoffWake?.();
    if (this.canSend()) {
      const closeCall = new Promise<Reply>((resolve, reject) => {
        this.send({ xid: 0, request: { type: OpCode.closeSession }, resolve, reject, signal: undefined, onAbort: undefined, watch: undefined, abandoned: false });
      });
      await closeCall.catch(() => undefined);
    }
    this.connection?.close();
    this.connection = null;
    await this.loop;
    this.stopTimers();
    this.failAll(new ClientClosedError());
    this.watches.clear();
    this.setState('closed');
    this.removeAllListeners();
  }

  private canSend(): boolean {
    return this.connection !== null && (this.stateValue === 'connected' || this.stateValue === 'read-only');
  }

  private send(call: Call): void {
    call.xid = this.nextXid;
    this.nextXid = this.nextXid === xidMax ? 1 : this.nextXid + 1;
    this.sent.push(call);
    this.sentSinceTick = true;
    this.connection!.send(call.xid, call.request);
  }

  private outstanding(): number {
    return this.sent.length - this.sentHead;
  }

  private pump(): void {
    while (this.canSend() && this.queued.length > 0 && this.outstanding() < outstandingRequestsMax) {
      this.send(this.queued.shift()!);
    }
  }

  private abort(call: Call): void {
    const index = this.queued.indexOf(call);
    if (index >= 0) this.queued.splice(index, 1);
    else call.abandoned = true;
    this.finish(call, abortReason(call.signal!));
  }

  private finish(call: Call, outcome: Reply | Error, ok = false): void {
    if (call.onAbort !== undefined) call.signal!.removeEventListener('abort', call.onAbort);
    call.onAbort = undefined;
    if (ok) call.resolve(outcome as Reply);
    else call.reject(outcome as Error);
  }

  private failAll(error: Error): void {
    for (const call of this.queued.splice(0)) this.finish(call, error);
    this.failSent(error);
    this.failAuths(error);
  }

  private failAuths(error: Error): void {
    const inFlight = this.authsInFlight;
    this.authsInFlight = [];
    for (const { waiter } of inFlight) waiter?.reject(error);
  }

  private failSent(error: Error): void {
    const sent = this.sent;
    const head = this.sentHead;
    this.sent = [];
    this.sentHead = 0;
    for (let index = head; index < sent.length; index++) {
      const call = sent[index]!;
      if (!call.abandoned) this.finish(call, error);
    }
  }

  private setState(state: ConnectionState): void {
    const previous = this.stateValue;
    if (previous === state) return;
    this.stateValue = state;
    this.emit('state', state, previous);
  }

  // ---- connecting -------------------------------------------------------

  private async connectLoop(): Promise<void> {
    const servers = this.options.servers;
    for (let round = 0; ; round++) {
      for (let tried = 0; tried < servers.length; tried++) {
        if (this.closing !== null || this.stateValue === 'expired') return;
        this.serverIndex = (this.serverIndex + 1) % servers.length;
        if (await this.attempt(servers[this.serverIndex]!)) return;
      }
      // Every server refused or was unreachable: back off before the next
      // round (a server behind our lastZxidSeen refuses until it catches up).
      // close() may have come during the last attempt, after its wake-up call:
      // waiting now would hang close() on an unref'd timer.
      if (this.closing !== null) return;
      const delayMs = Math.min(reconnectBackoffMsMax, reconnectBackoffMsMin * 2 ** Math.min(round, 7)) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        this.backoffWake = resolve;
        this.backoffTimer = setTimeout(resolve, delayMs);
        this.backoffTimer.unref();
      });
      this.backoffTimer = null;
      this.backoffWake = null;
    }
  }

  /** One handshake with one server. True when the loop should stop (connected or expired). */
  private async attempt(address: ServerAddress): Promise<boolean> {
    const timeoutMs = Math.max(1000, Math.floor((this.negotiatedTimeoutMs || this.options.sessionTimeoutMs) / this.options.servers.length));
    let connection: TransportConnection | undefined;
    let closedEarly = false;
    try {
      connection = await this.options.transport.connect({
        address,
        timeoutMs,
        signal: this.closeController.signal,
        maxFrameBytes: this.options.maxFrameBytes ?? maxFrameBytesDefault,
        request: {
          protocolVersion,
          lastZxidSeen: this.lastZxidSeenValue,
          timeOut: this.options.sessionTimeoutMs,
          sessionId: this.sessionIdValue,
          passwd: this.password,
          readOnly: this.options.canBeReadOnly,
        },
        handlers: {
          opcodeOf: (xid) => this.opcodeOf(xid),
          onReply: (header, response) => this.onReply(header, response),
          onEvent: (event, zxid) => this.onEvent(event, zxid),
          onClose: () => {
            // The connection may close before this attempt resumes after the await.
            if (connection === undefined) closedEarly = true;
            else this.onClose(connection);
          },
        },
      });
    } catch {
      return false;
    }
    if (closedEarly) return false;
    if (this.closing !== null) {
      connection.close();
      return true;
    }
    const response = connection.response;
    if (response.timeOut <= 0) {
      // ZooKeeper answers a resume of an unknown or expired session with timeOut 0.
      connection.close();
      this.expire();
      return true;
    }
    this.connection = connection;
    this.sessionIdValue = response.sessionId;
    this.password = response.passwd;
    this.negotiatedTimeoutMs = response.timeOut;
    this.ticksSinceReceive = 0;
    this.stuckTicks = 0;
    this.primeConnection(connection);
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.setState(response.readOnly ? 'read-only' : 'connected');
    if (reconnected) this.emit('reconnected');
    this.pump();
    return true;
  }

  /** Replays credentials and watches on a new connection, ahead of any queued request (ClientCnxn.primeConnection). */
  private primeConnection(connection: TransportConnection): void {
    for (const entry of this.auths) {
      this.authsInFlight.push({ entry, waiter: null });
      connection.send(Xid.auth, { type: OpCode.auth, authType: 0, scheme: entry.scheme, auth: entry.auth });
    }
    const paths = this.watches.paths();
    const full = (list: string[]): string[] => list.map((path) => this.toServerPath(path));
    const batches = splitWatches({
      dataWatches: full(paths.data),
      existWatches: full(paths.exist),
      childWatches: full(paths.child),
      persistentWatches: full(paths.persistent),
      persistentRecursiveWatches: full(paths.persistentRecursive),
    });
    for (const batch of batches) connection.send(Xid.setWatches, { type: OpCode.setWatches2, relativeZxid: this.lastZxidSeenValue, ...batch });
    this.startPings(connection);
  }

  private startPings(connection: TransportConnection): void {
    this.stopTimers();
    // A ping every third of the timeout when idle; no reply for two thirds ⇒
    // the connection is dead (ClientCnxn's readTimeout), so failover starts
    // while the session still has a third of its timeout left.
    this.pingTimer = setInterval(() => {
      this.ticksSinceReceive += 1;
      if (this.ticksSinceReceive > 2 || this.replyOverdue()) {
        connection.close();
        return;
      }
      if (!this.sentSinceTick) connection.send(Xid.ping, { type: OpCode.ping });
      this.sentSinceTick = false;
    }, Math.max(1, Math.floor(this.negotiatedTimeoutMs / 3)));
    this.pingTimer.unref();
  }

  /**
   * True when the oldest request has gone unanswered for a whole session
   * timeout while the connection is otherwise alive. Replies come in request
   * order, so it means the server lost the reply; without this check the
   * caller (and every request queued behind it) would wait forever. The
   * connection is dropped instead: the call fails with CONNECTIONLOSS, which
   * callers already handle.
   */
  private replyOverdue(): boolean {
    const head = this.sent[this.sentHead];
    if (head === undefined) {
      this.stuckTicks = 0;
      return false;
    }
    if (head.xid !== this.stuckXid) {
      this.stuckXid = head.xid;
      this.stuckTicks = 0;
      return false;
    }
    this.stuckTicks += 1;
    return this.stuckTicks >= replyOverdueTicks;
  }

  private stopTimers(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (this.backoffTimer !== null) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }

  private expire(): void {
    this.stopTimers();
    this.failAll(sessionExpired());
    this.watches.clear();
    this.setState('expired');
    this.emit('expired');
  }

  private onClose(connection: TransportConnection): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.stopTimers();
    this.failSent(connectionLoss());
    this.failAuths(connectionLoss());
    if (this.closing !== null || this.stateValue === 'expired' || this.stateValue === 'closed') return;
    this.setState('suspended');
    this.emit('suspended');
    this.loop = this.connectLoop();
  }

  // ---- receiving --------------------------------------------------------

  private opcodeOf(xid: number): number | undefined {
    if (xid === Xid.ping) return OpCode.ping;
    if (xid === Xid.auth) return OpCode.auth;
    if (xid === Xid.setWatches) return OpCode.setWatches2;
    const head = this.sent[this.sentHead];
    // Out of order ⇒ undefined ⇒ the transport closes the connection (ClientCnxn: "Xid out of order").
    return head !== undefined && head.xid === xid ? head.request.type : undefined;
  }

  private onReply(header: ReplyHeader, response: ClientResponse | null): void {
    this.ticksSinceReceive = 0;
    if (header.zxid > this.lastZxidSeenValue) this.lastZxidSeenValue = header.zxid;
    if (header.xid === Xid.ping || header.xid === Xid.setWatches) return;
    if (header.xid === Xid.auth) {
      const sent = this.authsInFlight.shift();
      if (header.err === 0) {
        sent?.waiter?.resolve();
        return;
      }
      const refused = sent === undefined ? -1 : this.auths.indexOf(sent.entry);
      if (refused >= 0) this.auths.splice(refused, 1);
      // The server closes the connection after refusing credentials: drop it
      // now, so calls made after this rejection wait for the next connection.
      this.connection?.close();
      sent?.waiter?.reject(new ZkError(isZkCode(header.err) ? header.err : ZkCode.AUTHFAILED));
      return;
    }
    const call = this.sent[this.sentHead]!;
    this.sent[this.sentHead] = undefined;
    this.sentHead += 1;
    if (this.sentHead === this.sent.length) {
      this.sent = [];
      this.sentHead = 0;
    }
    if (!call.abandoned) {
      if (call.watch !== undefined) this.registerWatch(call.watch, header.err);
      this.finish(call, { header, response }, true);
    }
    if (header.err === ZkCode.SESSIONEXPIRED) this.expire();
    else this.pump();
  }

  private registerWatch(watch: PendingWatch, err: number): void {
    if (err === 0) this.watches.add(watch.kind, watch.path, watch.watcher);
    else if (err === ZkCode.NONODE && watch.kindOnNoNode !== undefined) this.watches.add(watch.kindOnNoNode, watch.path, watch.watcher);
  }

  private onEvent(event: WatcherEvent, zxid: bigint): void {
    this.ticksSinceReceive = 0;
    const path = this.toClientPath(event.path);
    if (path === null) return;
    const watchEvent = { type: event.type, path, zxid };
    for (const watcher of this.watches.take(watchEvent)) {
      try {
        watcher(watchEvent);
      } catch (error) {
        // A throwing callback must not break the connection's read loop.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Client path → server path (prefixing the chroot). */
  toServerPath(path: string): string {
    const chroot = this.options.chroot;
    if (chroot === '') return path;
    return path === '/' ? chroot : chroot + path;
  }

  /** Server path → client path, or null when outside the chroot. */
  toClientPath(path: string): string | null {
    const chroot = this.options.chroot;
    if (chroot === '') return path;
    if (path === chroot) return '/';
    return path.startsWith(chroot + '/') ? path.slice(chroot.length) : null;
  }
}

interface WatchLists {
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}

/** Splits watch lists into setWatches2 records of at most setWatchesBytesMax path bytes each. */
function splitWatches(lists: WatchLists): WatchLists[] {
  const keys = Object.keys(lists) as (keyof WatchLists)[];
  if (keys.every((key) => lists[key].length === 0)) return [];
  const batches: WatchLists[] = [];
  let batch = emptyLists();
  let bytes = 0;
  for (const key of keys) {
    for (const path of lists[key]) {
      const size = Buffer.byteLength(path) + 4;
      if (bytes + size > setWatchesBytesMax && bytes > 0) {
        batches.push(batch);
        batch = emptyLists();
        bytes = 0;
      }
      batch[key].push(path);
      bytes += size;
    }
  }
  batches.push(batch);
  return batches;
}

function emptyLists(): WatchLists {
  return { dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };
}

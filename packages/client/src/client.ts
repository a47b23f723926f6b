/**
 * ZkClient: the public API of @corral/client. Every ZooKeeper operation as a
 * promise, each taking `{ signal }`; paths are relative to the chroot of the
 * connection string; errors are ZkError with ZooKeeper's code. The session
 * engine (session.ts) does connections, ordering and watches.
 */
import { EventEmitter } from 'node:events';
import { ZkCode, ZkError, isZkCode } from '@corral/base';
import {
  AddWatchMode,
  CreateMode,
  OpCode,
  Perms,
  WatcherType,
  type ACL,
  type ClientInfo,
  type ClientRequest,
  type ClientResponse,
  type MultiOp,
  type Stat,
} from '@corral/wire';
import { parseConnectionString } from './connection-string.js';
import { JuteTcpTransport } from './jute-transport.js';
import { sessionTimeoutMsDefault } from './limits.js';
import { decodeMultiRead, decodeMultiResults, type MultiReadResult, type OpResult } from './multi-results.js';
import { Session, type ConnectionState, type PendingWatch } from './session.js';
import { Transaction } from './transaction.js';
import type { Transport } from './transport.js';
import { WatchStream } from './watch-stream.js';
import type { WatchKind, Watcher, WatchEvent } from './watch-registry.js';

/** world:anyone with every permission (ZooDefs.Ids.OPEN_ACL_UNSAFE). */
export const openAclUnsafe: readonly ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];

/** Options of ZkClient.connect. */
export interface ClientOptions {
  /** Session timeout asked for; the server clamps it to [2, 20] ticks. */
  sessionTimeoutMs?: number;
  /** Defaults to jute over TCP. */
  transport?: Transport;
  /** Accept read-only servers (ZooKeeper's canBeReadOnly). */
  canBeReadOnly?: boolean;
  /** Resume an existing session. */
  sessionId?: bigint;
  sessionPassword?: Uint8Array;
  /** Largest reply frame accepted (jute.maxbuffer). */
  maxFrameBytes?: number;
  /** Gives up the first connection. */
  signal?: AbortSignal;
}

/** Options every call takes. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of create. */
export interface CreateOptions extends CallOptions {
  /** CreateMode value (default PERSISTENT). */
  mode?: number;
  acl?: readonly ACL[];
  /** For the *_WITH_TTL modes. */
  ttlMs?: number;
}

/** Options of reads that may leave a one-shot watch. */
export interface WatchOptions extends CallOptions {
  watch?: Watcher;
}

/** Options of writes guarded by a version (-1: any). */
export interface VersionOptions extends CallOptions {
  version?: number;
}

/** Client events: 'state' (state, previous) and one event per state: 'connected', 'suspended', 'reconnected', 'read-only', 'expired', 'closed'. */
export type ClientEvent = 'state' | 'connected' | 'suspended' | 'reconnected' | 'read-only' | 'expired' | 'closed';

/** A ZooKeeper client (see the file comment). */
export class ZkClient extends EventEmitter {
  private readonly session: Session;

  private constructor(session: Session) {
    super();
    this.session = session;
    session.on('state', (state: ConnectionState, previous: ConnectionState) => {
      this.emit('state', state, previous);
      if (state !== 'suspended' && state !== 'expired') this.emit(state);
      if (state === 'closed') this.removeAllListeners();
    });
    session.on('suspended', () => this.emit('suspended'));
    session.on('reconnected', () => this.emit('reconnected'));
    session.on('expired', () => this.emit('expired'));
  }

  /** Connects (first server reached in the connection string) and resolves once the session is established. */
  static async connect(connectionString: string, options: ClientOptions = {}): Promise<ZkClient> {
    const { servers, chroot } = parseConnectionString(connectionString);
    const session = new Session({
      servers,
      chroot,
      transport: options.transport ?? new JuteTcpTransport(),
      sessionTimeoutMs: options.sessionTimeoutMs ?? sessionTimeoutMsDefault,
      canBeReadOnly: options.canBeReadOnly ?? false,
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
      ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
      ...(options.sessionPassword === undefined ? {} : { sessionPassword: options.sessionPassword }),
    });
    const client = new ZkClient(session);
    session.start();
    try {
      await session.waitConnected(options.signal);
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  get state(): ConnectionState {
    return this.session.state;
  }
  get sessionId(): bigint {
    return this.session.sessionId;
  }
  get sessionPassword(): Uint8Array {
    return this.session.sessionPassword;
  }
  /** The timeout the server granted. */
  get sessionTimeoutMs(): number {
    return this.session.sessionTimeoutMs;
  }
  get lastZxidSeen(): bigint {
    return this.session.lastZxidSeen;
  }

  /** Resolves once connected; rejects on expiry, close or abort. */
  waitConnected(options: CallOptions = {}): Promise<void> {
    return this.session.waitConnected(options.signal);
  }

  /** Drops the current connection (the session reconnects, possibly to another server). For tests and load balancing. */
  disconnect(): void {
    this.session.disconnect();
  }

  /** Closes the session and releases the socket, timers and listeners. Idempotent. */
  close(): Promise<void> {
    return this.session.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- writes -----------------------------------------------------------

  /** Creates a node; resolves with its path (with the sequence suffix for sequential modes). */
  async create(path: string, data: Uint8Array | string = new Uint8Array(0), options: CreateOptions = {}): Promise<string> {
    return (await this.create2(path, data, options)).path;
  }

  /** Creates a node; resolves with its path and Stat. */
  async create2(path: string, data: Uint8Array | string = new Uint8Array(0), options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const response = await this.call(createRequest(this.session.toServerPath(checkPath(path)), data, options), path, options);
    if (response.type !== OpCode.create2 && response.type !== OpCode.createContainer && response.type !== OpCode.createTTL) throw mismatch(path);
    return { path: this.clientPath(response.path), stat: response.stat };
  }

  async delete(path: string, options: VersionOptions = {}): Promise<void> {
    await this.call({ type: OpCode.delete, path: this.serverPath(path), version: options.version ?? -1 }, path, options);
  }

  async setData(path: string, data: Uint8Array | string, options: VersionOptions = {}): Promise<Stat> {
    const response = await this.call({ type: OpCode.setData, path: this.serverPath(path), data: bytes(data), version: options.version ?? -1 }, path, options);
    if (response.type !== OpCode.setData) throw mismatch(path);
    return response.stat;
  }

  async setACL(path: string, acl: readonly ACL[], options: VersionOptions = {}): Promise<Stat> {
    const response = await this.call({ type: OpCode.setACL, path: this.serverPath(path), acl, version: options.version ?? -1 }, path, options);
    if (response.type !== OpCode.setACL) throw mismatch(path);
    return response.stat;
  }

  /** A transaction (multi) builder; `commit()` applies all of its ops or none. */
  transaction(): Transaction {
    return new Transaction((ops, options) => this.multi(ops, options));
  }

  /** Runs write ops atomically; throws MultiError (the first failing op's code, every op's result) if any fails. */
  async multi(ops: readonly MultiOp[], options: CallOptions = {}): Promise<OpResult[]> {
    const serverOps = ops.map((op) => ({ ...op, path: this.serverPath(op.path) }));
    const response = await this.call({ type: OpCode.multi, ops: serverOps }, undefined, options);
    if (response.type !== OpCode.multi) throw mismatch();
    return decodeMultiResults(response.results, (path) => this.clientPath(path));
  }

  /** Reads several nodes in one round trip; each result is a value or a ZkError. */
  async multiRead(ops: readonly { type: 'getData' | 'getChildren'; path: string }[], options: CallOptions = {}): Promise<MultiReadResult[]> {
    const serverOps = ops.map((op) => ({ type: op.type === 'getData' ? OpCode.getData : OpCode.getChildren, path: this.serverPath(op.path), watch: false }) as const);
    const response = await this.call({ type: OpCode.multiRead, ops: serverOps }, undefined, options);
    if (response.type !== OpCode.multiRead) throw mismatch();
    return decodeMultiRead(response.results);
  }

  // ---- reads ------------------------------------------------------------

  /** The node's Stat, or null if it does not exist. A watch fires on its creation, deletion or change. */
  async exists(path: string, options: WatchOptions = {}): Promise<Stat | null> {
    const watch = this.pendingWatch(path, 'data', options.watch, 'exist');
    try {
      const response = await this.call({ type: OpCode.exists, path: this.serverPath(path), watch: watch !== undefined }, path, options, watch);
      if (response.type !== OpCode.exists) throw mismatch(path);
      return response.stat;
    } catch (error) {
      if (error instanceof ZkError && error.code === ZkCode.NONODE) return null;
      throw error;
    }
  }

  async getData(path: string, options: WatchOptions = {}): Promise<{ data: Uint8Array; stat: Stat }> {
    const watch = this.pendingWatch(path, 'data', options.watch);
    const response = await this.call({ type: OpCode.getData, path: this.serverPath(path), watch: watch !== undefined }, path, options, watch);
    if (response.type !== OpCode.getData) throw mismatch(path);
    return { data: response.data ?? new Uint8Array(0), stat: response.stat };
  }

  async getChildren(path: string, options: WatchOptions = {}): Promise<string[]> {
    const watch = this.pendingWatch(path, 'child', options.watch);
    const response = await this.call({ type: OpCode.getChildren, path: this.serverPath(path), watch: watch !== undefined }, path, options, watch);
    if (response.type !== OpCode.getChildren) throw mismatch(path);
    return [...response.children];
  }

  async getChildren2(path: string, options: WatchOptions = {}): Promise<{ children: string[]; stat: Stat }> {
    const watch = this.pendingWatch(path, 'child', options.watch);
    const response = await this.call({ type: OpCode.getChildren2, path: this.serverPath(path), watch: watch !== undefined }, path, options, watch);
    if (response.type !== OpCode.getChildren2) throw mismatch(path);
    return { children: [...response.children], stat: response.stat };
  }

  async getAllChildrenNumber(path: string, options: CallOptions = {}): Promise<number> {
    const response = await this.call({ type: OpCode.getAllChildrenNumber, path: this.serverPath(path) }, path, options);
    if (response.type !== OpCode.getAllChildrenNumber) throw mismatch(path);
    return response.totalNumber;
  }

  async getACL(path: string, options: CallOptions = {}): Promise<{ acl: ACL[]; stat: Stat }> {
    const response = await this.call({ type: OpCode.getACL, path: this.serverPath(path) }, path, options);
    if (response.type !== OpCode.getACL) throw mismatch(path);
    return { acl: [...response.acl], stat: response.stat };
  }

  /** Waits until the server this client talks to has applied every write committed before the call. */
  async sync(path: string, options: CallOptions = {}): Promise<void> {
    await this.call({ type: OpCode.sync, path: this.serverPath(path) }, path, options);
  }

  /** The session's ephemeral nodes under `prefixPath` (default: all). */
  async getEphemerals(prefixPath = '/', options: CallOptions = {}): Promise<string[]> {
    const response = await this.call({ type: OpCode.getEphemerals, prefixPath: this.serverPath(prefixPath) }, prefixPath, options);
    if (response.type !== OpCode.getEphemerals) throw mismatch(prefixPath);
    return response.ephemerals.map((path) => this.clientPath(path));
  }

  async whoAmI(options: CallOptions = {}): Promise<ClientInfo[]> {
    const response = await this.call({ type: OpCode.whoAmI }, undefined, options);
    if (response.type !== OpCode.whoAmI) throw mismatch();
    return [...response.clientInfo];
  }

  /** Adds credentials (e.g. `digest`, `user:password`) to the session, also after every reconnect. */
  addAuth(scheme: string, auth: Uint8Array | string, options: CallOptions = {}): Promise<void> {
    return this.session.addAuth(scheme, bytes(auth), options.signal);
  }

  // ---- watches ----------------------------------------------------------

  /** Adds a persistent (or persistent-recursive) watch calling `watcher` until removeWatches. */
  async addWatch(path: string, watcher: Watcher, options: CallOptions & { recursive?: boolean } = {}): Promise<void> {
    const recursive = options.recursive ?? false;
    const kind: WatchKind = recursive ? 'persistentRecursive' : 'persistent';
    const mode = recursive ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT;
    await this.call({ type: OpCode.addWatch, path: this.serverPath(path), mode }, path, options, { path, watcher, kind });
  }

  /**
   * Removes watches of `type` ('data' covers data, exist and persistent
   * watches; 'any' every kind). With `watcher`, only that callback is removed
   * here, and the server watch only once no callback is left on it.
   */
  async removeWatches(path: string, options: CallOptions & { type?: 'data' | 'child' | 'any'; watcher?: Watcher } = {}): Promise<void> {
    const type = options.type ?? 'any';
    const kinds: WatchKind[] = [];
    if (type !== 'child') kinds.push('data', 'exist', 'persistent', 'persistentRecursive');
    if (type !== 'data') kinds.push('child');
    const registry = this.session.watches;
    for (const kind of kinds) registry.remove(kind, path, options.watcher);
    if (options.watcher !== undefined && kinds.some((kind) => registry.has(kind, path))) return;
    const watcherType = type === 'data' ? WatcherType.Data : type === 'child' ? WatcherType.Children : WatcherType.Any;
    await this.call({ type: OpCode.removeWatches, path: this.serverPath(path), watcherType }, path, options);
  }

  /** Events under `path` as an async iterator (a persistent watch, recursive by default), removed when the loop ends. */
  watch(path: string, options: CallOptions & { recursive?: boolean } = {}): AsyncIterableIterator<WatchEvent> {
    const stream = new WatchStream({
      start: (watcher) => this.addWatch(path, watcher, { recursive: options.recursive ?? true, ...(options.signal ? { signal: options.signal } : {}) }),
      stop: (watcher) => this.removeWatches(path, { watcher }).catch(() => undefined),
      session: this.session,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return stream;
  }

  // ---- plumbing ---------------------------------------------------------

  private serverPath(path: string): string {
    return this.session.toServerPath(checkPath(path));
  }

  private clientPath(path: string): string {
    return this.session.toClientPath(path) ?? path;
  }

  private pendingWatch(path: string, kind: WatchKind, watcher: Watcher | undefined, kindOnNoNode?: WatchKind): PendingWatch | undefined {
    if (watcher === undefined) return undefined;
    return kindOnNoNode === undefined ? { path, watcher, kind } : { path, watcher, kind, kindOnNoNode };
  }

  /** Sends a request; a reply with err ≠ 0 becomes ZkError. */
  private async call(request: ClientRequest, path: string | undefined, options: CallOptions, watch?: PendingWatch): Promise<ClientResponse> {
    const { header, response } = await this.session.submit(request, options.signal, watch);
    if (header.err !== 0) {
      const code = isZkCode(header.err) ? header.err : ZkCode.SYSTEMERROR;
      throw new ZkError(code, path === undefined ? {} : { path });
    }
    if (response === null) throw mismatch(path);
    return response;
  }
}

function createRequest(path: string, data: Uint8Array | string, options: CreateOptions): ClientRequest {
  const mode = options.mode ?? CreateMode.PERSISTENT;
  const acl = options.acl ?? openAclUnsafe;
  const body = bytes(data);
  if (mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL) {
    if (options.ttlMs === undefined) throw new ZkError(ZkCode.BADARGUMENTS, { path, message: 'a TTL mode needs ttlMs' });
    return { type: OpCode.createTTL, path, data: body, acl, flags: mode, ttl: BigInt(options.ttlMs) };
  }
  const type = mode === CreateMode.CONTAINER ? OpCode.createContainer : OpCode.create2;
  return { type, path, data: body, acl, flags: mode };
}

function bytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data) : data;
}

function checkPath(path: string): string {
  if (!path.startsWith('/')) throw new ZkError(ZkCode.BADARGUMENTS, { path, message: `path "${path}" does not start with "/"` });
  return path;
}

function mismatch(path?: string): ZkError {
  return new ZkError(ZkCode.MARSHALLINGERROR, { ...(path === undefined ? {} : { path }), message: 'reply does not match the request' });
}

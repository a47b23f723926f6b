/**
 * A typed, promise-based view of node-zookeeper-client 1.1.3 (an untyped CommonJS package,
 * 3.4-level protocol), loaded with createRequire. Errors become `{ code, name }` values so
 * tests assert on ZooKeeper codes, never on messages.
 */
import { createRequire } from 'node:module';

interface RawStat {
  czxid: Buffer;
  mzxid: Buffer;
  pzxid: Buffer;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: Buffer;
  dataLength: number;
  numChildren: number;
}
interface RawException {
  getCode(): number;
  getName(): string;
}
interface RawEvent {
  getName(): string;
  getPath(): string;
}
type Watcher = (event: RawEvent) => void;
type Callback<T> = (error: RawException | null, ...results: T[]) => void;
interface RawTransaction {
  create(path: string, data?: Buffer, acls?: unknown, mode?: number): RawTransaction;
  check(path: string, version: number): RawTransaction;
  setData(path: string, data: Buffer, version: number): RawTransaction;
  remove(path: string, version: number): RawTransaction;
  commit(callback: (error: RawException | null, results: { type: number; err?: number; path?: string }[]) => void): void;
}
interface RawClient {
  connect(): void;
  close(): void;
  once(event: 'connected', listener: () => void): void;
  getSessionId(): Buffer;
  create(path: string, data: Buffer, acls: unknown, mode: number, callback: Callback<string>): void;
  getData(path: string, watcher: Watcher | undefined, callback: (e: RawException | null, data: Buffer, stat: RawStat) => void): void;
  setData(path: string, data: Buffer, version: number, callback: Callback<RawStat>): void;
  remove(path: string, version: number, callback: (e: RawException | null) => void): void;
  exists(path: string, watcher: Watcher | undefined, callback: Callback<RawStat | null>): void;
  getChildren(path: string, watcher: Watcher | undefined, callback: (e: RawException | null, children: string[], stat: RawStat) => void): void;
  transaction(): RawTransaction;
}
interface RawModule {
  createClient(connectString: string, options: { sessionTimeout: number; retries: number }): RawClient;
  CreateMode: Record<'PERSISTENT' | 'EPHEMERAL' | 'PERSISTENT_SEQUENTIAL' | 'EPHEMERAL_SEQUENTIAL', number>;
  ACL: { OPEN_ACL_UNSAFE: unknown };
}

const nodeZk = createRequire(import.meta.url)('node-zookeeper-client') as RawModule;

/** Create modes the 3.4 protocol knows. */
export const nodeZkCreateMode = nodeZk.CreateMode;

/** A ZooKeeper error as a value: the numeric code and the client's name for it. */
export interface ZkFailure {
  code: number;
  name: string;
}

/** The stat fields tests compare (zxids as hex strings). */
export interface NodeZkStat {
  czxid: string;
  mzxid: string;
  pzxid: string;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

/** A watch notification as seen by the client. */
export interface NodeZkEvent {
  name: string;
  path: string;
}

function stat(raw: RawStat): NodeZkStat {
  return {
    czxid: raw.czxid.toString('hex'),
    mzxid: raw.mzxid.toString('hex'),
    pzxid: raw.pzxid.toString('hex'),
    version: raw.version,
    cversion: raw.cversion,
    aversion: raw.aversion,
    ephemeralOwner: raw.ephemeralOwner.toString('hex'),
    dataLength: raw.dataLength,
    numChildren: raw.numChildren,
  };
}

function failure(error: RawException): ZkFailure {
  return { code: error.getCode(), name: error.getName() };
}

/** Settles with the value or a ZkFailure, never rejects for ZooKeeper errors. */
function settle<T>(run: (done: (error: RawException | null, value?: T) => void) => void): Promise<T | ZkFailure> {
  return new Promise((resolve) => run((error, value) => resolve(error ? failure(error) : (value as T))));
}

/** A connected node-zookeeper-client session. */
export class NodeZkSession {
  private constructor(private readonly client: RawClient) {}

  /** Connects and waits for SyncConnected. */
  static async connect(connectString: string): Promise<NodeZkSession> {
    const client = nodeZk.createClient(connectString, { sessionTimeout: 10_000, retries: 0 });
    const connected = new Promise<void>((resolve) => client.once('connected', resolve));
    client.connect();
    await connected;
    return new NodeZkSession(client);
  }

  /** The session id as 16 hex digits. */
  sessionIdHex(): string {
    return this.client.getSessionId().toString('hex');
  }

  create(path: string, data: string, mode: number = nodeZk.CreateMode.PERSISTENT): Promise<string | ZkFailure> {
    return settle((done) => this.client.create(path, Buffer.from(data), nodeZk.ACL.OPEN_ACL_UNSAFE, mode, done));
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: string; stat: NodeZkStat } | ZkFailure> {
    return settle((done) =>
      this.client.getData(path, watcher, (error, data, raw) => done(error, error ? undefined : { data: data.toString(), stat: stat(raw) })),
    );
  }

  setData(path: string, data: string, version: number): Promise<NodeZkStat | ZkFailure> {
    return settle((done) => this.client.setData(path, Buffer.from(data), version, (error, raw) => done(error, raw && stat(raw))));
  }

  remove(path: string, version: number): Promise<true | ZkFailure> {
    return settle((done) => this.client.remove(path, version, (error) => done(error, true)));
  }

  exists(path: string, watcher?: Watcher): Promise<NodeZkStat | null | ZkFailure> {
    return settle((done) => this.client.exists(path, watcher, (error, raw) => done(error, raw ? stat(raw) : null)));
  }

  getChildren(path: string, watcher?: Watcher): Promise<string[] | ZkFailure> {
    return settle((done) => this.client.getChildren(path, watcher, (error, children) => done(error, children)));
  }

  /** Runs a transaction built by `build`; returns the error (if any) and per-op {type, err}. */
  transaction(build: (t: RawTransaction) => void): Promise<{ error: ZkFailure | null; results: { type: number; err: number | null }[] }> {
    const transaction = this.client.transaction();
    build(transaction);
    return new Promise((resolve) =>
      transaction.commit((error, results) =>
        resolve({
          error: error ? failure(error) : null,
          results: (results ?? []).map((r) => ({ type: r.type, err: r.err ?? null })),
        }),
      ),
    );
  }

  close(): void {
    this.client.close();
  }
}

/** Wraps a watcher so its events land in `into`. */
export function recordInto(into: NodeZkEvent[]): Watcher {
  return (event) => into.push({ name: event.getName(), path: event.getPath() });
}

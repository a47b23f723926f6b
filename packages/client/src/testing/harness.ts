/**
 * Test helpers shared by the recipe tests: clients that are closed at the
 * end of a test, session expiry on demand (a second connection resumes the
 * session and closes it, as Curator's KillSession does), and four-letter
 * words.
 */
import { connect } from 'node:net';
import { after, before } from 'node:test';
import { ZkClient } from '../client.js';
import { startCorralServer, type TestServer } from './corral-server.js';
import { startProxy, type TcpProxy } from './tcp-proxy.js';

/** Clients opened by one test file; closeAll() at the end. */
export class ClientPool {
  private readonly clients: ZkClient[] = [];

  async open(connectString: string, sessionTimeoutMs = 4000): Promise<ZkClient> {
    const client = await ZkClient.connect(connectString, { sessionTimeoutMs });
    this.clients.push(client);
    return client;
  }

  async openMany(count: number, connectString: string): Promise<ZkClient[]> {
    return Promise.all(Array.from({ length: count }, () => this.open(connectString)));
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }
}

/**
 * Ends the session of `client`, which talks through `proxy`, on the server
 * and resolves once the client saw the expiry. The proxy refuses the client
 * meanwhile: a client that reconnected before the twin's closeSession would
 * take the session back and the twin's close would fail.
 */
export async function expireSession(client: ZkClient, proxy: TcpProxy, connectString: string): Promise<void> {
  const expired = new Promise<void>((resolve) => client.once('expired', () => resolve()));
  const suspended = new Promise<void>((resolve) => client.once('suspended', () => resolve()));
  proxy.blackhole({ refuse: true });
  await suspended;
  const twin = await ZkClient.connect(connectString, { sessionId: client.sessionId, sessionPassword: client.sessionPassword });
  await twin.close();
  proxy.heal();
  await expired;
}

/** Sends a four-letter word and returns the answer. */
export function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(word));
    let out = '';
    socket.on('data', (chunk: Buffer) => (out += chunk.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

/** Counts concurrent holders of something and records the largest count seen. */
export class Occupancy {
  current = 0;
  max = 0;
  enter(): void {
    this.current += 1;
    this.max = Math.max(this.max, this.current);
  }
  leave(): void {
    this.current -= 1;
  }
}

/** Yields to the event loop a few times so other clients' callbacks run (no timing involved). */
export async function yieldTurns(count = 3): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** What serverFixture() gives a test file. */
export interface ServerFixture {
  readonly server: TestServer;
  readonly pool: ClientPool;
  /** A proxy to the server, closed after the file. */
  proxy(): Promise<TcpProxy>;
}

/** One Corral server per test file (started before, stopped after), a client pool and proxies. */
export function serverFixture(): ServerFixture {
  let server: TestServer | undefined;
  const pool = new ClientPool();
  const proxies: TcpProxy[] = [];
  before(async () => {
    server = await startCorralServer();
  });
  after(async () => {
    await pool.closeAll();
    for (const proxy of proxies) await proxy.close();
    await server?.stop();
  });
  return {
    get server(): TestServer {
      return server!;
    },
    pool,
    async proxy(): Promise<TcpProxy> {
      const started = await startProxy(server!.port);
      proxies.push(started);
      return started;
    },
  };
}

/** Resolves once `path` has at least `count` children (a child watch per look, no polling). */
export async function waitForChildren(client: ZkClient, path: string, count: number): Promise<string[]> {
  for (;;) {
    let fired!: () => void;
    const changed = new Promise<void>((resolve) => (fired = resolve));
    const children = await client.getChildren(path, { watch: () => fired() });
    if (children.length >= count) return children;
    await changed;
  }
}

/**
 * Sets a one-shot watch (`read` passes the watcher to getData/getChildren/exists)
 * and resolves, once the server has it, with a promise of its firing; so a
 * test triggers the change only after the watch is in place.
 */
export async function armWatch(read: (watcher: () => void) => Promise<unknown>): Promise<{ fired: Promise<void> }> {
  let fire!: () => void;
  // Wrapped in an object: an async function returning a promise would wait for it.
  const fired = new Promise<void>((resolve) => (fire = resolve));
  await read(() => fire());
  return { fired };
}

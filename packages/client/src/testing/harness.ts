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

/** Ends `client`'s session on the server; resolves once the client saw the expiry. */
export async function expireSession(client: ZkClient, connectString: string): Promise<void> {
  const expired = new Promise<void>((resolve) => client.once('expired', () => resolve()));
  const twin = await ZkClient.connect(connectString, { sessionId: client.sessionId, sessionPassword: client.sessionPassword });
  await twin.close();
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

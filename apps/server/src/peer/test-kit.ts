/**
 * Helpers for the peer tests: in-process PeerNetworks on random loopback
 * ports (40000–49999, retried on collision), an event recorder to wait on
 * (no sleeps), a logger that keeps its lines, and a TCP proxy that can stall
 * or cut a link.
 */
import { randomInt } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { PeerMsg } from '@corral/broadcast';
import type { Notification } from '@corral/election';
import type { QuorumServerSpec } from '../config/server-config.js';
import type { Logger } from '../logger.js';
import type { PeerLimits } from './limits.js';
import { PeerNetwork, type BroadcastStreamRef, type PeerEvents } from './peer-network.js';

/** A port in the tests' range. */
export function randomPort(): number {
  return randomInt(40_000, 50_000);
}

/** One logged line. */
export interface LogLine {
  readonly level: 'INFO' | 'WARN' | 'ERROR';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** Something to wait for without sleeping: resolves when an item matching arrives (or already has). */
class Waitable<T> {
  readonly items: T[] = [];
  private waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (waiter.match(item)) waiter.resolve(item);
      else still.push(waiter);
    }
    this.waiters = still;
  }

  waitFor(match: (item: T) => boolean): Promise<T> {
    const found = this.items.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

/** A logger that keeps every line, so tests assert on what an operator would read. */
export class RecordingLogger extends Waitable<LogLine> implements Logger {
  info(fields: Record<string, unknown>, message: string): void {
    this.push({ level: 'INFO', message, fields });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.push({ level: 'WARN', message, fields });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.push({ level: 'ERROR', message, fields });
  }
}

/** Everything a network reported, in order. */
export type PeerEvent =
  | { readonly kind: 'notification'; readonly from: number; readonly notification: Notification }
  | { readonly kind: 'link'; readonly sid: number; readonly up: boolean }
  | { readonly kind: 'opened'; readonly ref: BroadcastStreamRef }
  | { readonly kind: 'message'; readonly ref: BroadcastStreamRef; readonly msg: PeerMsg }
  | { readonly kind: 'closed'; readonly ref: BroadcastStreamRef; readonly reason: string };

/** PeerEvents that record into a waitable list. */
export class EventRecorder extends Waitable<PeerEvent> implements PeerEvents {
  notification(from: number, notification: Notification): void {
    this.push({ kind: 'notification', from, notification });
  }
  electionLink(sid: number, up: boolean): void {
    this.push({ kind: 'link', sid, up });
  }
  broadcastOpened(ref: BroadcastStreamRef): void {
    this.push({ kind: 'opened', ref });
  }
  broadcastMessage(ref: BroadcastStreamRef, msg: PeerMsg): void {
    this.push({ kind: 'message', ref, msg });
  }
  broadcastClosed(ref: BroadcastStreamRef, reason: string): void {
    this.push({ kind: 'closed', ref, reason });
  }
}

/** One started member of a test ensemble. */
export interface TestPeer {
  readonly sid: number;
  readonly network: PeerNetwork;
  readonly events: EventRecorder;
  readonly logger: RecordingLogger;
}

export interface TestEnsembleOptions {
  /** The sids to start. */
  readonly sids: readonly number[];
  /** Each server's secret (default: one shared secret). */
  readonly secretOf?: (sid: number) => Uint8Array | null;
  readonly limits?: PeerLimits;
  /** Rewrites the server list one member sees (peers at other addresses, extra or missing lines). */
  readonly viewOf?: (sid: number, servers: readonly QuorumServerSpec[]) => readonly QuorumServerSpec[];
}

/** The shared secret of the test ensembles. */
export const testSecret = Buffer.from('corral-test-ensemble-secret');

/** Starts one PeerNetwork per sid on fresh random ports; retries the whole set on a port collision. */
export async function startTestEnsemble(options: TestEnsembleOptions): Promise<{ peers: TestPeer[]; servers: QuorumServerSpec[] }> {
  for (let attempt = 0; ; attempt++) {
    const servers = options.sids.map((sid) => ({ sid, host: '127.0.0.1', quorumPort: randomPort(), electionPort: randomPort(), observer: false, client: null }));
    const peers: TestPeer[] = [];
    try {
      for (const sid of options.sids) {
        const events = new EventRecorder();
        const logger = new RecordingLogger();
        const view = options.viewOf?.(sid, servers) ?? servers;
        const network = await PeerNetwork.start({
          sid, servers: view, secret: options.secretOf === undefined ? testSecret : options.secretOf(sid), logger, events, ...(options.limits === undefined ? {} : { limits: options.limits }),
        });
        peers.push({ sid, network, events, logger });
      }
      return { peers, servers };
    } catch (error) {
      await Promise.all(peers.map((peer) => peer.network.close()));
      if (attempt >= 5 || !String((error as Error).message).includes('No address added')) throw error;
    }
  }
}

/** A TCP proxy in front of one address: tests cut its connections or stop it reading. */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private stalled = false;

  /** Where connections go; one that arrives while it is null is cut (the dialer retries). */
  targetPort: number | null = null;

  private constructor(private readonly server: Server, readonly port: number) {}

  /** Listens on a random port in range; set `targetPort` (127.0.0.1) before traffic should pass. */
  static async start(): Promise<TcpProxy> {
    for (let attempt = 0; ; attempt++) {
      const port = randomPort();
      const server = createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve());
        });
      } catch (error) {
        if (attempt >= 5) throw error;
        continue;
      }
      const proxy = new TcpProxy(server, port);
      server.on('connection', (client) => proxy.pipe(client));
      return proxy;
    }
  }

  /** Stops reading from the target: what it sends backs up, as behind a peer that stopped reading. */
  stallDownstream(): void {
    this.stalled = true;
    for (const { upstream } of this.pairs) upstream.pause();
  }

  /** Cuts every connection through the proxy (a killed link). */
  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Number of connections currently open through the proxy. */
  get connectionCount(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    if (this.targetPort === null) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    if (this.stalled) upstream.pause();
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }
}

/** Counts the process's live handles by kind (sockets, servers, timers), for leak checks. */
export function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

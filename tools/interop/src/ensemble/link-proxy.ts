/**
 * A TCP proxy for one directed peer link: member `viewer` dials member
 * `peer` through it (the viewer's zoo.cfg lists the proxy as the peer's
 * quorum or election address). A test can drop the bytes going either way
 * (a partition: sockets stay open, nothing arrives, as on a real network
 * where packets vanish), and heal, which resets every connection that lost
 * bytes so both sides reconnect on a clean stream.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { rewriteInitialMessage } from './apache-election-handshake.js';
import { randomPort } from '../ports.js';
import { interopLimits } from '../limits.js';

/** One proxied connection: the dialer's socket and the socket to the target. */
interface ProxiedPair {
  readonly dialer: Socket;
  readonly target: Socket;
  /** Set once bytes were dropped: the stream is corrupt and must be reset on heal. */
  lostBytes: boolean;
}

/** A running link proxy. */
export class LinkProxy {
  private readonly pairs = new Set<ProxiedPair>();
  private dropToTarget = false;
  private dropFromTarget = false;
  /** Set for Apache election links: the address the dialer's initial message must advertise. */
  private advertised: string | null = null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly targetPort: number,
  ) {}

  /** Listens on a random free port in 40000-49999 and forwards to 127.0.0.1:targetPort. */
  static async start(targetPort: number, avoid: ReadonlySet<number> = new Set()): Promise<LinkProxy> {
    for (let attempt = 0; attempt < interopLimits.portAttemptsMax * 4; attempt++) {
      const port = randomPort();
      if (avoid.has(port)) continue;
      const proxy: LinkProxy = new LinkProxy(createServer((dialer) => proxy.accept(dialer)), port, targetPort);
      const error = await new Promise<Error | null>((resolve) => {
        proxy.server.once('error', resolve);
        proxy.server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(null));
      });
      if (error === null) return proxy;
    }
    throw new Error('no free port for a link proxy in 40000-49999');
  }

  private accept(dialer: Socket): void {
    const target = connect({ host: '127.0.0.1', port: this.targetPort });
    const pair: ProxiedPair = { dialer, target, lostBytes: false };
    this.pairs.add(pair);
    const drop = (): void => {
      dialer.destroy();
      target.destroy();
      this.pairs.delete(pair);
    };
    if (this.advertised === null) this.forward(pair, dialer, target, () => this.dropToTarget);
    else this.rewriteThenForward(pair, this.advertised);
    this.forward(pair, target, dialer, () => this.dropFromTarget);
    for (const socket of [dialer, target]) {
      socket.on('close', drop);
      socket.on('error', drop);
    }
  }

  /** Holds the dialer's first bytes until its initial message is rewritten (apache-election-handshake.ts). */
  private rewriteThenForward(pair: ProxiedPair, advertised: string): void {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const outcome = rewriteInitialMessage(head, advertised);
      if (outcome.kind === 'incomplete') return;
      pair.dialer.off('data', onData);
      const first = outcome.kind === 'rewritten' ? Buffer.concat([outcome.bytes, head.subarray(outcome.consumed)]) : head;
      this.forward(pair, pair.dialer, pair.target, () => this.dropToTarget);
      if (this.dropToTarget) pair.lostBytes = true;
      else pair.target.write(first);
    };
    pair.dialer.on('data', onData);
  }

  /**
   * Makes this proxy rewrite Apache's election handshake so that the peer dials
   * back through `advertised` (`host:port` of the proxy the peer uses to reach the dialer).
   */
  rewriteElectionHandshake(advertised: string): void {
    this.advertised = advertised;
  }

  /** Copies `from` to `to` with backpressure, dropping while `dropped()`. */
  private forward(pair: ProxiedPair, from: Socket, to: Socket, dropped: () => boolean): void {
    from.on('data', (chunk: Buffer) => {
      if (dropped()) {
        pair.lostBytes = true;
        return;
      }
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => from.resume());
  }

  /** Drops bytes from the viewer to the peer (`toPeer`) and/or back (`fromPeer`) until heal(). */
  drop(direction: { toPeer: boolean; fromPeer: boolean }): void {
    this.dropToTarget ||= direction.toPeer;
    this.dropFromTarget ||= direction.fromPeer;
  }

  /** Forwards both ways again; connections that lost bytes are reset so they start clean. */
  heal(): void {
    this.dropToTarget = false;
    this.dropFromTarget = false;
    for (const pair of this.pairs) {
      if (pair.lostBytes) {
        pair.dialer.resetAndDestroy();
        pair.target.destroy();
        this.pairs.delete(pair);
      }
    }
  }

  /** True while some direction is dropped. */
  get isCut(): boolean {
    return this.dropToTarget || this.dropFromTarget;
  }

  /** Resets every connection and stops listening. */
  close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.dialer.destroy();
      pair.target.destroy();
    }
    this.pairs.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

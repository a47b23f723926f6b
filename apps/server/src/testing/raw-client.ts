/**
 * A minimal jute client over a raw socket, for the server's own end-to-end
 * tests: it speaks the protocol through @corral/wire's client-side codecs,
 * so tests can also send bytes no real client would.
 */
import { connect, type Socket } from 'node:net';
import {
  FrameDecoder, Xid, decodeConnectResponse, decodeNotification, decodeReply, encodeConnectRequest, encodeRequest,
  type ClientRequest, type ClientResponse, type ConnectResponse, type ReplyHeader, type WatcherEvent,
} from '@corral/wire';

/** A reply to one request. */
export interface RawReply {
  readonly header: ReplyHeader;
  readonly response: ClientResponse | null;
}

/** One connection, one session. */
export class RawClient {
  readonly socket: Socket;
  private readonly decoder = new FrameDecoder({ maxFrameBytes: 16 * 1024 * 1024 });
  private readonly pending = new Map<number, { type: number; resolve: (reply: RawReply) => void }>();
  private connectWaiter: ((response: ConnectResponse) => void) | null = null;
  /** The handshake fails if the server closes first (ZooKeeper's "not running" close). */
  private connectFailed: ((error: Error) => void) | null = null;
  readonly events: WatcherEvent[] = [];
  private eventWaiters: (() => void)[] = [];
  private nextXid = 1;
  closed: Promise<void>;
  session: ConnectResponse | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
  }

  static async open(port: number, options: { timeoutMs?: number; sessionId?: bigint; passwd?: Uint8Array; lastZxidSeen?: bigint } = {}): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    const response = await client.handshake(options);
    client.session = response;
    return client;
  }

  /** Connects without a handshake (for bad-bytes tests). */
  static async openRaw(port: number): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  private handshake(options: { timeoutMs?: number; sessionId?: bigint; passwd?: Uint8Array; lastZxidSeen?: bigint }): Promise<ConnectResponse> {
    const promise = new Promise<ConnectResponse>((resolve, reject) => {
      this.connectWaiter = resolve;
      this.connectFailed = reject;
    });
    this.socket.once('close', () => this.connectFailed?.(new Error('the server closed the connection before answering the connect')));
    this.socket.write(encodeConnectRequest({
      protocolVersion: 0, lastZxidSeen: options.lastZxidSeen ?? 0n, timeOut: options.timeoutMs ?? 30_000,
      sessionId: options.sessionId ?? 0n, passwd: options.passwd ?? new Uint8Array(16), readOnly: false,
    }));
    return promise;
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) {
      if (this.connectWaiter !== null) {
        const waiter = this.connectWaiter;
        this.connectWaiter = null;
        this.connectFailed = null;
        waiter(decodeConnectResponse(frame));
        continue;
      }
      const xid = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).readInt32BE(0);
      if (xid === Xid.notification) {
        this.events.push(decodeNotification(frame).event);
        for (const waiter of this.eventWaiters.splice(0)) waiter();
        continue;
      }
      const entry = this.pending.get(xid);
      if (entry === undefined) continue;
      this.pending.delete(xid);
      entry.resolve(decodeReply(frame, entry.type));
    }
  }

  /** Sends one request and resolves with its reply. */
  request(request: ClientRequest, xid = this.nextXid++): Promise<RawReply> {
    return new Promise((resolve) => {
      this.pending.set(xid, { type: request.type, resolve });
      this.socket.write(encodeRequest({ xid, type: request.type }, request));
    });
  }

  /**
   * Sends a request frame with a hand-built body (bytes no codec would
   * write) and resolves with its reply, decoded as a reply to `decodeAs`.
   */
  requestFrame(type: number, body: Uint8Array, decodeAs = type): Promise<RawReply> {
    const xid = this.nextXid++;
    const frame = Buffer.alloc(12 + body.length);
    frame.writeInt32BE(8 + body.length, 0);
    frame.writeInt32BE(xid, 4);
    frame.writeInt32BE(type, 8);
    frame.set(body, 12);
    return new Promise((resolve) => {
      this.pending.set(xid, { type: decodeAs, resolve });
      this.socket.write(frame);
    });
  }

  /** Resolves once at least `count` events have arrived. */
  async waitForEvents(count: number): Promise<WatcherEvent[]> {
    while (this.events.length < count) {
      await new Promise<void>((resolve) => this.eventWaiters.push(resolve));
    }
    return this.events;
  }

  close(): void {
    this.socket.destroy();
  }
}

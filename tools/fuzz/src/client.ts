/**
 * The oracle's own client: one session, requests matched to replies by xid,
 * every wait bounded by a deadline so a server that stops answering is
 * reported instead of hanging the run. It is deliberately separate from the
 * fuzz connections, which never parse what comes back.
 */
import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import {
  FrameDecoder, Xid, decodeConnectResponse, decodeReply, encodeConnectRequest, encodeRequest,
  type ClientRequest, type ClientResponse, type ReplyHeader,
} from '@corral/wire';

/** A reply: its header and, when err is 0, its body. */
export interface Reply {
  readonly header: ReplyHeader;
  readonly response: ClientResponse | null;
}

interface Pending {
  readonly type: number;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

/** One session over one connection. */
export class OracleClient {
  private readonly decoder = new FrameDecoder({ maxFrameBytes: 16 * 1024 * 1024 });
  private readonly pending = new Map<number, Pending>();
  private connectWaiter: Pending | null = null;
  private nextXid = 1;
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket, private readonly deadlineMs: number) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.failAll(new Error('oracle connection closed by the server')));
  }

  /** Connects and completes the handshake within `deadlineMs`. */
  static async open(port: number, deadlineMs: number): Promise<OracleClient> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new OracleClient(socket, deadlineMs);
    await client.call(-1, () => {
      socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false }));
    }, true);
    return client;
  }

  /** True once the server closed this connection. */
  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Sends a request; resolves with its reply or rejects after the deadline. */
  request(request: ClientRequest): Promise<Reply> {
    const xid = request.type === 100 ? Xid.auth : this.nextXid++;
    return this.call(xid, () => this.socket.write(encodeRequest({ xid, type: request.type }, request)), false, request.type);
  }

  close(): void {
    this.socket.destroy();
  }

  private call(xid: number, send: () => void, isConnect: boolean, type = 0): Promise<Reply> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (isConnect) this.connectWaiter = null;
        else this.pending.delete(xid);
        reject(new Error(`no reply to opcode ${type} within ${this.deadlineMs} ms`));
      }, this.deadlineMs);
      const entry: Pending = {
        type,
        resolve: (reply) => { clearTimeout(timer); resolve(reply); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
      if (isConnect) this.connectWaiter = entry;
      else this.pending.set(xid, entry);
      send();
    });
  }

  private failAll(error: Error): void {
    this.closedError = error;
    this.connectWaiter?.reject(error);
    this.connectWaiter = null;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }

  private onData(chunk: Buffer): void {
    this.decoder.push(chunk);
    for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) this.dispatch(frame);
  }

  /** The first frame answers the handshake; later ones are matched by xid (notifications are ignored). */
  private dispatch(frame: Uint8Array): void {
    const waiter = this.connectWaiter;
    if (waiter !== null) {
      this.connectWaiter = null;
      decodeConnectResponse(frame);
      waiter.resolve({ header: { xid: 0, zxid: 0n, err: 0 }, response: null });
      return;
    }
    const xid = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).readInt32BE(0);
    const entry = this.pending.get(xid);
    if (entry === undefined) return;
    this.pending.delete(xid);
    entry.resolve(decodeReply(frame, entry.type));
  }
}

/**
 * Jute over TCP (ZooKeeper's binary client protocol), using @corral/wire's
 * codecs and FrameDecoder. One socket per connection; the handshake is the
 * first frame each way, every later frame is a reply or a notification.
 */
import { connect, type Socket } from 'node:net';
import {
  FrameDecoder,
  Xid,
  decodeConnectResponse,
  decodeNotification,
  decodeReply,
  decodeReplyHeader,
  encodeConnectRequest,
  encodeRequest,
  type ClientRequest,
  type ConnectResponse,
} from '@corral/wire';
import type { Transport, TransportConnectOptions, TransportConnection, TransportHandlers } from './transport.js';

/** The jute-over-TCP transport. */
export class JuteTcpTransport implements Transport {
  connect(options: TransportConnectOptions): Promise<TransportConnection> {
    if (options.signal.aborted) return Promise.reject(new Error('connection attempt aborted'));
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.address.host, port: options.address.port });
      socket.setNoDelay(true);
      const decoder = new FrameDecoder({ maxFrameBytes: options.maxFrameBytes });
      let connection: JuteConnection | null = null;
      let settled = false;
      const timer = setTimeout(() => fail(new Error(`connect to ${options.address.host}:${options.address.port} timed out`)), options.timeoutMs);
      timer.unref();
      const onAbort = (): void => fail(new Error('connection attempt aborted'));
      options.signal.addEventListener('abort', onAbort, { once: true });
      const fail = (error: Error): void => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        if (!settled) {
          settled = true;
          socket.destroy();
          reject(error);
        }
      };
      socket.once('connect', () => socket.write(encodeConnectRequest(options.request)));
      socket.on('error', (error) => {
        if (connection !== null) connection.terminate(error);
        else fail(error);
      });
      socket.on('close', () => {
        if (connection !== null) connection.terminate(null);
        else fail(new Error(`${options.address.host}:${options.address.port} closed the connection during the handshake`));
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          decoder.push(chunk);
          for (let frame = decoder.next(); frame !== null; frame = decoder.next()) {
            if (connection !== null) {
              connection.onFrame(frame);
              continue;
            }
            const response = decodeConnectResponse(frame);
            clearTimeout(timer);
            options.signal.removeEventListener('abort', onAbort);
            settled = true;
            connection = new JuteConnection(socket, response, options.handlers);
            resolve(connection);
          }
        } catch (error) {
          if (connection !== null) connection.terminate(error as Error);
          else fail(error as Error);
        }
      });
    });
  }
}

/**
 * Frames of one turn up to this size leave in one write of their
 * concatenation; more than that are written corked (one writev, no copy).
 */
const coalescedWriteBytesMax = 64 * 1024;

class JuteConnection implements TransportConnection {
  private closed = false;
  /** Requests encoded in this turn, written together when it ends (one syscall, not one each). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly socket: Socket,
    readonly response: ConnectResponse,
    private readonly handlers: TransportHandlers,
  ) {}

  send(xid: number, request: ClientRequest): void {
    if (this.closed) return;
    const frame = encodeRequest({ xid, type: request.type }, request);
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    if (this.pending.length === 1) process.nextTick(this.flush);
  }

  /**
   * Writes what this turn's calls encoded. A `false` return from write only
   * means the kernel buffer is full; the outstanding request cap (limits.ts)
   * bounds what can pile up behind it.
   */
  private readonly flush = (): void => {
    const frames = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.closed || frames.length === 0) return;
    if (frames.length === 1 || bytes <= coalescedWriteBytesMax) {
      this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames, bytes));
      return;
    }
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
  };

  close(): void {
    this.socket.destroy();
    this.terminate(null);
  }

  onFrame(frame: Uint8Array): void {
    if (this.closed) return;
    const { xid } = decodeReplyHeader(frame);
    if (xid === Xid.notification) {
      const { header, event } = decodeNotification(frame);
      this.handlers.onEvent(event, header.zxid);
      return;
    }
    const opcode = this.handlers.opcodeOf(xid);
    if (opcode === undefined) throw new Error(`reply with unexpected xid ${xid}`);
    const { header, response } = decodeReply(frame, opcode);
    this.handlers.onReply(header, response);
  }

  terminate(error: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onClose(error);
  }
}

/**
 * One TCP connection speaking ZooKeeper's binary protocol: a thin adapter
 * between bytes and the transport-independent pipeline. The first four
 * bytes may be a four-letter word instead of a frame length (as
 * NIOServerCnxn.checkFourLetterWord does); the first frame must be a
 * ConnectRequest; every later frame is a request. Malformed input closes
 * this connection and nothing else.
 */
import type { Socket } from 'node:net';
import {
  FrameDecoder, ProtocolError, decodeConnectRequest, decodeRequest, decodeRequestHeader, encodeConnectResponse, encodeReply,
  encodeWatcherEvent, type ClientResponse, type ConnectResponse, type ReplyHeader, type WatcherEvent,
} from '@corral/wire';
import type { RequestPipeline } from '../pipeline/request-pipeline.js';
import type { ClientTransport, Session } from '../session/session.js';
import {
  framesBeforeSessionMax, outboundBytesPauseThreshold, outboundBytesPerConnectionMax,
  outstandingRequestsPerConnectionMax,
} from './limits.js';

/** Connection-level counters for `cons`. */
export interface ConnectionInfo {
  readonly remoteAddress: string;
  readonly session: Session | null;
  readonly queuedCount: number;
}

/** Callbacks into the listener that owns this connection. */
export interface ConnectionHost {
  readonly pipeline: RequestPipeline;
  readonly maxFrameBytes: number;
  isFourLetterWord(word: string): boolean;
  runFourLetterWord(word: string): string;
  onClose(connection: JuteConnection): void;
  log(message: string): void;
}

type State = 'prefix' | 'connecting' | 'awaiting-session' | 'established' | 'closed';

/** Adapts one socket to the pipeline. */
export class JuteConnection implements ClientTransport, ConnectionInfo {
  readonly remoteAddress: string;
  readonly remotePort: number;
  session: Session | null = null;
  private readonly socket: Socket;
  private readonly host: ConnectionHost;
  private readonly decoder: FrameDecoder;
  private state: State = 'prefix';
  private prefix: Buffer = Buffer.alloc(0);
  private readonly early: Uint8Array[] = [];
  private pendingWrites: Buffer[] = [];
  private flushScheduled = false;
  private pausedForBackpressure = false;

  constructor(socket: Socket, host: ConnectionHost) {
    this.socket = socket;
    this.host = host;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder({ maxFrameBytes: host.maxFrameBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  get queuedCount(): number {
    return this.session?.queue.length ?? 0;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    try {
      if (this.state === 'prefix') {
        const rest = this.readPrefix(chunk);
        if (rest === null) return;
        chunk = rest;
      }
      this.decoder.push(chunk);
      for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) {
        this.onFrame(frame);
        if (this.isClosed()) return;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.host.log(`closing connection from ${this.remoteAddress}: ${error.message}`);
      this.close('protocol error');
    }
  }

  /** Looks at the first four bytes for a four-letter word; returns the bytes to decode, or null. */
  private readPrefix(chunk: Buffer): Buffer | null {
    const bytes = this.prefix.length === 0 ? chunk : Buffer.concat([this.prefix, chunk]);
    if (bytes.length < 4) {
      this.prefix = bytes;
      return null;
    }
    this.prefix = Buffer.alloc(0);
    const word = bytes.toString('latin1', 0, 4);
    if (this.host.isFourLetterWord(word)) {
      this.state = 'closed';
      this.socket.end(this.host.runFourLetterWord(word));
      return null;
    }
    this.state = 'connecting';
    return bytes;
  }

  private onFrame(frame: Uint8Array): void {
    switch (this.state) {
      case 'connecting': {
        const request = decodeConnectRequest(frame);
        this.state = 'awaiting-session';
        this.host.pipeline.connect(this, request, (session) => this.onSession(session));
        return;
      }
      case 'awaiting-session':
        if (this.early.length >= framesBeforeSessionMax) throw new ProtocolError('too-many-ops', 'too many requests before the session was established');
        this.early.push(frame);
        return;
      case 'established':
        this.onRequestFrame(frame);
        return;
      default:
        return;
    }
  }

  private onSession(session: Session | null): void {
    if (this.state === 'closed') return;
    if (session === null) return;
    this.session = session;
    this.state = 'established';
    const early = this.early.splice(0);
    try {
      for (const frame of early) this.onRequestFrame(frame);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.close('protocol error');
    }
  }

  private onRequestFrame(frame: Uint8Array): void {
    const session = this.session;
    if (session === null) return;
    let decoded: ReturnType<typeof decodeRequest>;
    try {
      decoded = decodeRequest(frame);
    } catch (error) {
      // A well-framed request whose body does not parse gets MARSHALLINGERROR,
      // as ZooKeeper answers it; the connection stays up.
      if (!(error instanceof ProtocolError) || frame.length < 8) throw error;
      const header = decodeRequestHeader(frame);
      this.host.pipeline.submitMalformed(session, header.xid, header.type);
      return;
    }
    this.host.pipeline.submit(session, decoded.header.xid, decoded.header.type, decoded.request);
    if (session.queue.length >= outstandingRequestsPerConnectionMax) this.pause();
  }

  // ---- ClientTransport -----------------------------------------------------

  sendConnectResponse(response: ConnectResponse): void {
    this.write(encodeConnectResponse(response));
  }

  sendReply(header: ReplyHeader, response: ClientResponse | null): void {
    this.write(encodeReply(header, response));
    this.maybeResume();
  }

  sendEvent(event: WatcherEvent): void {
    this.write(encodeWatcherEvent(event));
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    this.host.log(`closing connection from ${this.remoteAddress}: ${reason}`);
    this.flush();
    this.state = 'closed';
    this.socket.end();
    this.teardown();
  }

  // ---- output --------------------------------------------------------------

  private write(frame: Buffer): void {
    if (this.state === 'closed') return;
    this.pendingWrites.push(frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One writev for every reply produced in this turn of the event loop.
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pendingWrites.length === 0 || this.socket.destroyed) return;
    const frames = this.pendingWrites;
    this.pendingWrites = [];
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
    const queued = this.socket.writableLength;
    if (queued > outboundBytesPerConnectionMax) {
      this.host.log(`dropping connection from ${this.remoteAddress}: it does not read its replies`);
      this.socket.destroy();
      this.teardown();
    } else if (queued > outboundBytesPauseThreshold) {
      this.pause();
    }
  }

  private pause(): void {
    if (this.pausedForBackpressure) return;
    this.pausedForBackpressure = true;
    this.socket.pause();
  }

  private maybeResume(): void {
    if (!this.pausedForBackpressure || this.state === 'closed') return;
    if (this.queuedCount >= outstandingRequestsPerConnectionMax / 2) return;
    if (this.socket.writableLength > outboundBytesPauseThreshold / 2) return;
    this.pausedForBackpressure = false;
    this.socket.resume();
  }

  private teardown(): void {
    if (this.state !== 'closed') this.state = 'closed';
    const session = this.session;
    if (session !== null) {
      this.session = null;
      this.host.pipeline.detach(session, this);
    }
    this.host.onClose(this);
  }

  /** Destroys the socket at once (forced shutdown). */
  destroy(): void {
    this.socket.destroy();
    this.teardown();
  }
}

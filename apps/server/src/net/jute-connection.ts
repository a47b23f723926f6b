/**
 * One TCP connection speaking ZooKeeper's binary protocol: a thin adapter
 * between bytes and the transport-independent core. The first four
 * bytes may be a four-letter word instead of a frame length (as
 * NIOServerCnxn.checkFourLetterWord does); the first frame must be a
 * ConnectRequest; every later frame is a request. Malformed input closes
 * this connection and nothing else.
 *
 * Flow control (STYLE §18): frames are decoded one at a time, and decoding
 * stops, with the socket paused, as soon as what this connection owes its
 * client passes a limit: bytes encoded and not yet taken by the kernel plus
 * the estimated size of replies still to be built, its requests in flight,
 * or, while it has any in flight, the server's (globalOutstandingLimit, as
 * ZooKeeperServer.shouldThrottle). Frames already read stay in the decoder
 * until the backlog drains. A reply that could never fit under the output
 * limit is refused before it is built, by closing the connection.
 */
import type { Socket } from 'node:net';
import {
  FrameDecoder, ProtocolError, decodeConnectRequest, decodeRequest, decodeRequestHeader, encodeConnectResponse, encodeReply,
  encodeWatcherEvent, type ClientResponse, type ConnectResponse, type ReplyHeader, type WatcherEvent,
} from '@corral/wire';
import type { ClientCore } from '../core/client-core.js';
import type { ClientTransport, ReplyBacklog, Session } from '../session/session.js';
import { ConnectionStats } from '../stats/connection-stats.js';
import { outboundBytesPauseThreshold, outboundBytesPerConnectionMax, outstandingRequestsPerConnectionMax } from './limits.js';

/** Callbacks into the listener that owns this connection. */
export interface ConnectionHost {
  readonly core: ClientCore;
  readonly maxFrameBytes: number;
  /** Requests in flight server-wide above which connections with requests in flight stop reading. */
  readonly globalOutstandingLimit: number;
  readonly clock: () => number;
  isFourLetterWord(word: string): boolean;
  runFourLetterWord(word: string): string;
  onClose(connection: JuteConnection): void;
  log(message: string): void;
}

type State = 'prefix' | 'connecting' | 'awaiting-session' | 'established' | 'closed';

/** SelectionKey.OP_READ and OP_WRITE, as `cons` prints a connection's interest set. */
const interestRead = 1;
const interestWrite = 4;

/**
 * Java's InetAddress.getHostAddress: an IPv4-mapped IPv6 peer (a dual-stack
 * listener) is an IPv4 address, so `ip` ACLs and auth ids read "10.0.0.1".
 */
export function javaHostAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Adapts one socket to the core. */
export class JuteConnection implements ClientTransport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly stats: ConnectionStats;
  readonly backlog: ReplyBacklog = { requestCount: 0, replyBytes: 0 };
  session: Session | null = null;
  private readonly socket: Socket;
  private readonly host: ConnectionHost;
  private readonly decoder: FrameDecoder;
  private state: State = 'prefix';
  private prefix: Buffer = Buffer.alloc(0);
  private pendingWrites: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  /** Decoding stopped and the socket paused, until the backlog drains. */
  private readingPaused = false;
  private resumeScheduled = false;

  constructor(socket: Socket, host: ConnectionHost) {
    this.socket = socket;
    this.host = host;
    this.remoteAddress = javaHostAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    this.stats = new ConnectionStats(host.clock());
    this.decoder = new FrameDecoder({ maxFrameBytes: host.maxFrameBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.scheduleResume());
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Bytes this connection holds for its client: encoded replies not yet
   * taken by the kernel, plus the estimated size of replies owed and not
   * built yet.
   */
  get outboundBytes(): number {
    return this.socket.writableLength + this.pendingBytes + this.backlog.replyBytes;
  }

  /** True while decoding is stopped for flow control (or until the session exists). */
  get isReadingPaused(): boolean {
    return this.readingPaused;
  }

  /** NIOServerCnxn.getInterestOps: 0 for a four-letter-word connection, else read and write interest. */
  get interestOps(): number {
    if (this.isClosed()) return 0;
    const write = this.socket.writableLength + this.pendingBytes > 0 ? interestWrite : 0;
    return (this.readingPaused ? 0 : interestRead) | write;
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed()) return;
    if (this.state === 'prefix') {
      const rest = this.readPrefix(chunk);
      if (rest === null) return;
      chunk = rest;
    }
    this.guard(() => this.decoder.push(chunk));
    this.decodeFrames();
  }

  /** Decodes and handles buffered frames until none is left or flow control stops it. */
  private decodeFrames(): void {
    this.guard(() => {
      while (!this.readingPaused && !this.isClosed()) {
        if (this.state === 'awaiting-session') {
          // Requests wait in the decoder, not in memory of ours, until the session exists.
          this.pauseReading();
          return;
        }
        const frame = this.decoder.next();
        if (frame === null) return;
        this.stats.packetsReceived += 1;
        this.onFrame(frame);
        if (this.state === 'established' && this.mustStopReading()) this.pauseReading();
      }
    });
  }

  /** Runs `step`; malformed input closes this connection. */
  private guard(step: () => void): void {
    try {
      step();
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
      // NIOServerCnxn.checkFourLetterWord counts the word as one packet received.
      this.stats.packetsReceived += 1;
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
        this.host.core.connect(this, request, (session) => this.onSession(session));
        return;
      }
      case 'established':
        this.onRequestFrame(frame);
        return;
      default:
        return;
    }
  }

  private onSession(session: Session | null): void {
    if (this.isClosed() || session === null) return;
    this.session = session;
    this.state = 'established';
    this.scheduleResume();
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
      this.host.core.submitMalformed(session, header.xid, header.type);
      return;
    }
    const { header, request } = decoded;
    if (request !== null) {
      const replyBytes = this.host.core.estimateReplyBytes(session, request);
      if (this.outboundBytes + replyBytes > outboundBytesPerConnectionMax) {
        // Building it would break the limit that bounds this connection's memory,
        // and no client reads a frame this large (its own jute.maxbuffer).
        this.drop(`the reply to request type ${header.type} would take about ${replyBytes} bytes, over the ${outboundBytesPerConnectionMax}-byte output limit`);
        return;
      }
    }
    this.host.core.submit(session, header.xid, header.type, request);
  }

  // ---- flow control --------------------------------------------------------

  private mustStopReading(): boolean {
    if (this.outboundBytes > outboundBytesPauseThreshold) return true;
    if (this.backlog.requestCount >= outstandingRequestsPerConnectionMax) return true;
    return this.overGlobalLimit();
  }

  private mayResumeReading(): boolean {
    if (this.state !== 'established') return false;
    if (this.outboundBytes > outboundBytesPauseThreshold / 2) return false;
    if (this.backlog.requestCount >= outstandingRequestsPerConnectionMax / 2) return false;
    return !this.overGlobalLimit();
  }

  /** ZooKeeperServer.shouldThrottle: only connections with requests in flight wait for the server's backlog. */
  private overGlobalLimit(): boolean {
    return this.backlog.requestCount > 0 && this.host.core.inFlightCount > this.host.globalOutstandingLimit;
  }

  private pauseReading(): void {
    if (this.readingPaused) return;
    this.readingPaused = true;
    this.socket.pause();
  }

  /**
   * Resumes decoding once the backlog is below the low-water marks. Always
   * from a later turn: this runs inside the core's drain loop (through
   * sendReply), which must not see new requests arrive under it.
   */
  private scheduleResume(): void {
    if (!this.readingPaused || this.resumeScheduled || !this.mayResumeReading()) return;
    this.resumeScheduled = true;
    setImmediate(() => {
      this.resumeScheduled = false;
      if (!this.readingPaused || !this.mayResumeReading()) return;
      this.readingPaused = false;
      this.decodeFrames();
      if (!this.readingPaused && !this.isClosed()) this.socket.resume();
    });
  }

  // ---- ClientTransport -----------------------------------------------------

  sendConnectResponse(response: ConnectResponse): void {
    this.write(encodeConnectResponse(response));
  }

  sendReply(header: ReplyHeader, response: ClientResponse | null): void {
    this.write(encodeReply(header, response));
    this.scheduleResume();
  }

  sendEvent(event: WatcherEvent): void {
    this.write(encodeWatcherEvent(event));
  }

  close(reason: string): void {
    if (this.isClosed()) return;
    this.host.log(`closing connection from ${this.remoteAddress}: ${reason}`);
    this.flush();
    this.state = 'closed';
    this.socket.end();
    this.teardown();
  }

  // ---- output --------------------------------------------------------------

  private write(frame: Buffer): void {
    if (this.isClosed()) return;
    this.pendingWrites.push(frame);
    this.pendingBytes += frame.length;
    this.stats.packetsSent += 1;
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
    this.pendingBytes = 0;
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
    // Decoding stops long before this; only watch events for a client that
    // never reads can still pile up here.
    if (this.socket.writableLength > outboundBytesPerConnectionMax) this.drop('it does not read its replies');
  }

  /**
   * Closes at once, discarding what is unsent: a graceful end would keep the
   * socket and its unsent bytes for as long as the client does not read.
   */
  private drop(reason: string): void {
    this.host.log(`dropping connection from ${this.remoteAddress}: ${reason}`);
    this.destroy();
  }

  private teardown(): void {
    if (this.state !== 'closed') this.state = 'closed';
    const session = this.session;
    this.session = null;
    // Also without a session: a connect in progress is forgotten.
    this.host.core.detach(session, this);
    this.host.onClose(this);
  }

  /** Destroys the socket at once (forced shutdown). */
  destroy(): void {
    this.socket.destroy();
    this.teardown();
  }
}

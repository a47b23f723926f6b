/**
 * One Corral.Session stream: a ZooKeeper session over gRPC. It is a
 * ClientTransport like the jute connection, so the core treats both the
 * same way — one session space, one FIFO per session, watch events sent
 * before the replies that follow them. Call ids become xids; ping, auth and
 * close use ZooKeeper's reserved xids.
 */
import type { ServerDuplexStream, ServiceError } from '@grpc/grpc-js';
import { ZkCode, ZkError } from '@corral/base';
import { WatchKind } from '@corral/data-tree';
import { OpCode, Xid, type ClientResponse, type ConnectResponse, type ReplyHeader, type SetWatches2Request, type WatcherEvent } from '@corral/wire';
import type { ClientCore } from '../../core/client-core.js';
import type { ClientTransport, ReplyBacklog, Session } from '../../session/session.js';
import { ConnectionStats } from '../../stats/connection-stats.js';
import { multiFailure, requestFor, setWatchesRequest, toBigint } from './convert.js';
import { exhaustedError, zkStatusError } from './errors.js';
import { callBatchCallsMax, callIdMax, responseBatchBytesMax, streamOutboundMessagesMax, streamOutstandingRequestsMax } from './limits.js';
import type { CallMsg, RestoreWatchesMsg, SessionRequestMsg } from './proto-types.js';
import type { ServedState } from './served-state.js';
import { authOkBytes, closedBytes, encodeBatch, encodeEvent, encodeOpened, encodeReply, pongBytes } from './session-codec.js';

/** The xid a stream's `close` travels with (call ids are ≥ 1). */
const closeXid = 0;

type State = 'opening' | 'awaiting-session' | 'established' | 'closing' | 'closed';

/** Adapts one bidirectional stream to the core. */
export class SessionStream implements ClientTransport {
  readonly remoteAddress: string;
  readonly stats: ConnectionStats;
  readonly backlog: ReplyBacklog = { requestCount: 0, replyBytes: 0 };
  session: Session | null = null;
  private state: State = 'opening';
  /** Oneof case of each call in flight, by id, to name the reply's result. */
  private readonly inFlight = new Map<number, string>();
  private readonly call: ServerDuplexStream<SessionRequestMsg, Buffer>;
  private readonly core: ClientCore;
  /** Read at each use: the tree is replaced by a SNAP install or a rebuild. */
  private readonly served: ServedState;
  /** The largest zxid a reply on this stream carried: setWatches' relativeZxid if it breaks. */
  private lastZxidSeen = 0n;
  private readonly onEnd: (stream: SessionStream) => void;
  /** The client set OpenSession.accept_batches: responses go out through the outbox, packed. */
  private batchResponses = false;
  /** Encoded responses waiting for the write in progress (batching streams only). */
  private outbox: Buffer[] = [];
  private outboxBytes = 0;
  /** A batch handed to grpc-js and not yet flushed to HTTP/2, or a flush scheduled. */
  private writing = false;

  constructor(options: {
    call: ServerDuplexStream<SessionRequestMsg, Buffer>; core: ClientCore; state: ServedState;
    clock: () => number; onEnd: (stream: SessionStream) => void;
  }) {
    this.call = options.call;
    this.core = options.core;
    this.served = options.state;
    this.onEnd = options.onEnd;
    this.remoteAddress = peerAddress(options.call.getPeer());
    this.stats = new ConnectionStats(options.clock());
    batchWrites(this.call);
    this.call.on('data', (message: SessionRequestMsg) => this.onMessage(message));
    this.call.on('end', () => this.teardown());
    this.call.on('cancelled', () => this.teardown());
    this.call.on('error', () => this.teardown());
  }

  /** Requests sent and not yet answered. */
  get outstandingCount(): number {
    return this.inFlight.size;
  }

  private onMessage(message: SessionRequestMsg): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.stats.packetsReceived += 1;
    try {
      this.dispatch(message);
    } catch (error) {
      if (!(error instanceof ZkError)) throw error;
      this.fail(zkStatusError(error.code, { message: error.message }));
    }
  }

  private dispatch(message: SessionRequestMsg): void {
    if (this.state === 'opening') {
      if (message.open == null) throw new ZkError(ZkCode.BADARGUMENTS, { message: 'the first message of a session stream must be open' });
      this.open(message.open);
      return;
    }
    if (message.open != null) throw new ZkError(ZkCode.BADARGUMENTS, { message: 'the session is already open' });
    const session = this.session;
    if (session === null) throw new ZkError(ZkCode.BADARGUMENTS, { message: 'wait for opened before sending requests' });
    if (message.call != null) this.submitCall(session, message.call);
    else if (message.calls != null) this.submitBatch(session, message.calls.calls ?? []);
    else if (message.ping != null) this.core.submit(session, Xid.ping, OpCode.ping, { type: OpCode.ping });
    else if (message.addAuth != null) {
      this.core.submit(session, Xid.auth, OpCode.auth, {
        type: OpCode.auth, authType: 0, scheme: message.addAuth.scheme ?? '', auth: message.addAuth.auth ?? new Uint8Array(0),
      });
    } else if (message.close != null) {
      this.state = 'closing';
      this.core.submit(session, closeXid, OpCode.closeSession, { type: OpCode.closeSession });
    } else throw new ZkError(ZkCode.BADARGUMENTS, { message: 'a session request names no kind' });
  }

  private open(open: NonNullable<SessionRequestMsg['open']>): void {
    this.state = 'awaiting-session';
    this.batchResponses = open.acceptBatches === true;
    const password = open.password ?? Buffer.alloc(0);
    this.core.connect(this, {
      protocolVersion: 0,
      lastZxidSeen: toBigint(open.lastZxidSeen, 'last_zxid_seen'),
      timeOut: open.timeoutMs ?? 0,
      sessionId: toBigint(open.sessionId, 'session_id'),
      passwd: password.length === 16 ? password : new Uint8Array(16),
      // As the jute port's ConnectRequest flag: a member without a quorum serves only such streams.
      readOnly: open.readOnly === true,
    }, (session) => {
      if (session === null || this.state !== 'awaiting-session') return;
      this.session = session;
      this.state = 'established';
      this.restoreWatches(session, open.restoreWatches);
    });
  }

  /**
   * Re-registers the watches of a resumed session through setWatches2, so a
   * one-shot watch whose node changed while no stream was attached fires now:
   * the client's own list if it sent one, else what this server parked when
   * the previous stream broke.
   */
  private restoreWatches(session: Session, sent: RestoreWatchesMsg | null | undefined): void {
    const parked = session.parkedWatches;
    session.parkedWatches = null;
    const request: SetWatches2Request | null = sent != null ? setWatchesRequest(sent) : parked;
    if (request === null) return;
    this.core.submit(session, Xid.setWatches, OpCode.setWatches2, request);
  }

  /** The watches this stream's session holds, as setWatches2 would re-send them. */
  private parkWatches(session: Session): SetWatches2Request {
    const parked = {
      type: OpCode.setWatches2, relativeZxid: this.lastZxidSeen, dataWatches: [] as string[], existWatches: [] as string[],
      childWatches: [] as string[], persistentWatches: [] as string[], persistentRecursiveWatches: [] as string[],
    };
    const tree = this.served.tree;
    for (const { path, kinds } of this.served.watches.watchesOf(session.id)) {
      // ZooKeeper keeps an exists watch on a missing node as a data watch; setWatches tells them apart by the node.
      if ((kinds & WatchKind.data) !== 0) (tree.getNode(path) === undefined ? parked.existWatches : parked.dataWatches).push(path);
      if ((kinds & WatchKind.child) !== 0) parked.childWatches.push(path);
      if ((kinds & WatchKind.persistent) !== 0) parked.persistentWatches.push(path);
      if ((kinds & WatchKind.persistentRecursive) !== 0) parked.persistentRecursiveWatches.push(path);
    }
    return parked;
  }

  /** A CallBatch: each call as if it had come in its own message, in order. */
  private submitBatch(session: Session, calls: readonly CallMsg[]): void {
    if (calls.length > callBatchCallsMax) {
      this.fail(exhaustedError(`more than ${callBatchCallsMax} calls in one batch`));
      return;
    }
    for (const call of calls) {
      if (this.state !== 'established') return;
      this.submitCall(session, call);
    }
  }

  private submitCall(session: Session, call: CallMsg): void {
    const id = call.id ?? 0;
    if (!Number.isInteger(id) || id < 1 || id > callIdMax) throw new ZkError(ZkCode.BADARGUMENTS, { message: `call id must be in 1..${callIdMax}` });
    if (this.inFlight.has(id)) throw new ZkError(ZkCode.BADARGUMENTS, { message: `call id ${id} is already in flight` });
    if (this.inFlight.size >= streamOutstandingRequestsMax) {
      this.fail(exhaustedError(`more than ${streamOutstandingRequestsMax} requests in flight on one session stream`));
      return;
    }
    const op = call.op === undefined || call.op === 'id' ? 'unknown' : call.op;
    this.inFlight.set(id, op);
    let request: ReturnType<typeof requestFor>;
    try {
      request = requestFor(op, (call as Record<string, unknown>)[op], true);
    } catch (error) {
      if (!(error instanceof ZkError)) throw error;
      // As the jute port answers a body that does not decode: MARSHALLINGERROR in its
      // turn (after the session's earlier requests), and the stream stays open.
      this.core.submitMalformed(session, id, OpCode.error);
      return;
    }
    this.core.submit(session, id, request.type, request);
  }

  // ---- ClientTransport -----------------------------------------------------

  sendConnectResponse(response: ConnectResponse): void {
    if (response.timeOut === 0) {
      // ZooKeeper's answer for an unknown or expired session, or a wrong password.
      this.fail(zkStatusError(ZkCode.SESSIONEXPIRED, { message: 'session expired, unknown, or wrong password' }));
      return;
    }
    this.write(encodeOpened(response));
  }

  sendReply(header: ReplyHeader, response: ClientResponse | null): void {
    if (header.xid === Xid.ping) {
      this.write(pongBytes);
      return;
    }
    if (header.xid === Xid.auth) {
      if (header.err === ZkCode.OK) this.write(authOkBytes);
      else this.fail(zkStatusError(header.err, { message: 'authentication failed' }));
      return;
    }
    if (header.zxid > this.lastZxidSeen) this.lastZxidSeen = header.zxid;
    // The reply to a restoring setWatches2 is the server's own business.
    if (header.xid === Xid.setWatches) return;
    if (header.xid === closeXid && this.state === 'closing') {
      this.write(closedBytes);
      this.finish();
      return;
    }
    const op = this.inFlight.get(header.xid);
    if (op === undefined) return;
    this.inFlight.delete(header.xid);
    this.write(encodeReply(header, response, op, multiFailure(response)));
  }

  sendEvent(event: WatcherEvent): void {
    this.write(encodeEvent(event.type < 0 ? 0 : event.type, event.path));
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    const expired = /expired/.test(reason);
    this.fail(zkStatusError(expired ? ZkCode.SESSIONEXPIRED : ZkCode.CONNECTIONLOSS, { message: reason }));
  }

  // ---- output --------------------------------------------------------------

  /** Sends one SessionResponse, already encoded (the method's serializer passes bytes through). */
  private write(message: Buffer): void {
    if (this.state === 'closed') return;
    // A client that stops reading must not make the server buffer without bound (STYLE §6).
    if (this.call.writableLength + this.outbox.length >= streamOutboundMessagesMax) {
      this.fail(exhaustedError(`the client does not read: over ${streamOutboundMessagesMax} messages queued`));
      return;
    }
    this.stats.packetsSent += 1;
    if (!this.batchResponses) {
      this.call.write(message);
      return;
    }
    this.outbox.push(message);
    this.outboxBytes += message.length;
    if (this.writing) return;
    // Responses made in the same turn (a group commit's replies, the reads of one
    // incoming batch) leave together; later ones wait for this write to flush.
    this.writing = true;
    process.nextTick(this.flushOutbox);
  }

  /** Hands what the outbox holds to grpc-js, packed into batches of at most responseBatchBytesMax. */
  private readonly flushOutbox = (): void => {
    const pending = this.outbox;
    this.outbox = [];
    this.outboxBytes = 0;
    if (pending.length === 0 || this.tornDown) {
      this.writing = false;
      return;
    }
    let start = 0;
    let bytes = 0;
    for (let index = 0; index < pending.length; index++) {
      const size = pending[index]!.length;
      if (index > start && bytes + size > responseBatchBytesMax) {
        this.writeBatch(pending, start, index, null);
        start = index;
        bytes = 0;
      }
      bytes += size;
    }
    this.writeBatch(pending, start, pending.length, this.afterFlush);
  };

  private readonly afterFlush = (): void => {
    if (this.outboxBytes === 0 && this.outbox.length === 0) this.writing = false;
    else this.flushOutbox();
  };

  private writeBatch(pending: readonly Buffer[], start: number, end: number, done: (() => void) | null): void {
    const message = end - start === 1 ? pending[start]! : encodeBatch(pending.slice(start, end));
    if (done === null) this.call.write(message);
    else this.call.write(message, done);
  }

  /** Writes what waits in the outbox now: the stream is about to end. */
  private drainOutbox(): void {
    if (this.outbox.length > 0 && !this.tornDown) this.flushOutbox();
  }

  private fail(error: Partial<ServiceError>): void {
    if (this.state === 'closed') return;
    this.drainOutbox();
    this.state = 'closed';
    this.call.emit('error', error);
    this.teardown();
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.drainOutbox();
    this.state = 'closed';
    this.call.end();
    this.teardown();
  }

  private tornDown = false;

  private teardown(): void {
    this.state = 'closed';
    if (this.tornDown) return;
    this.tornDown = true;
    const session = this.session;
    if (session !== null) {
      this.session = null;
      // Only the stream that still owns the session parks its watches (a moved session's new stream owns them).
      if (session.transport === this && !session.closing) session.parkedWatches = this.parkWatches(session);
    }
    // Also without a session: a connect in progress is forgotten.
    this.core.detach(session, this);
    this.inFlight.clear();
    this.onEnd(this);
  }
}

/**
 * Lets the stream hand grpc-js every reply queued behind a write in progress at
 * once. grpc-js's duplex has no `_writev`, so it sends one message, waits for
 * HTTP/2 to flush it, then sends the next: one message per event-loop turn per
 * stream. Node's Writable calls `_writev` (checked on the instance) with all
 * the buffered messages; each still goes through grpc-js's `_write`, and
 * HTTP/2's own Writable then batches them into one write.
 */
function batchWrites(call: ServerDuplexStream<SessionRequestMsg, Buffer>): void {
  const writable = call as unknown as {
    _write: (chunk: Buffer, encoding: string, callback: (error?: Error | null) => void) => void;
    _writev: ((chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void) => void) | null;
  };
  writable._writev = (chunks, callback) => {
    let left = chunks.length;
    // Writable wants one callback per batch: the first error, or the last success.
    const done = (error?: Error | null): void => {
      if (left === 0) return;
      if (error != null) {
        left = 0;
        callback(error);
        return;
      }
      left -= 1;
      if (left === 0) callback();
    };
    for (const { chunk } of chunks) writable._write.call(call, chunk, 'buffer', done);
  };
}

/** "ipv4:127.0.0.1:5000" / "ipv6:[::1]:5000" -> the address alone (for ip ACLs and cons). */
export function peerAddress(peer: string): string {
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  const bracket = /^\[([^\]]+)\]/.exec(withoutScheme);
  if (bracket !== null) return bracket[1] ?? withoutScheme;
  const colon = withoutScheme.lastIndexOf(':');
  return colon > 0 ? withoutScheme.slice(0, colon) : withoutScheme;
}

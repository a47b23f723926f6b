/**
 * The request pipeline of a standalone server (ZooKeeper's Prep → Sync →
 * Final chain as functions): writes are prepared into txns, group-committed
 * to the durable log, applied in zxid order and answered; reads are
 * answered from the applied tree, in per-session FIFO order behind that
 * session's pending writes. Transport-independent: it takes typed requests
 * and answers through a ClientTransport.
 */
import { ZkCode, assert, makeZxid, type Zxid } from '@corral/base';
import {
  checkAcl, encodedTxnBytes, Perms, setWatches, type ACL, type DataTree, type Txn, type TxnHeader, type WatchManager,
} from '@corral/data-tree';
import { EventType, KeeperState, OpCode, Xid, type ClientRequest, type ConnectRequest, type ReplyHeader } from '@corral/wire';
import { addAuth } from '../auth/auth-ids.js';
import type { ServerConfig } from '../config/server-config.js';
import { passwordsEqual, sessionPassword } from '../session/session-ids.js';
import type { SessionTable } from '../session/session-table.js';
import { mayAnswer, type ClientTransport, type QueuedRequest, type Session } from '../session/session.js';
import { operationName } from '../stats/connection-stats.js';
import type { ServerStats } from '../stats/server-stats.js';
import type { ClientCore } from '../core/client-core.js';
import { Committer } from './committer.js';
import type { DurableLog } from './durable-log.js';
import { Prep, type PrepContext, type PreparedTxn } from './prep.js';
import { estimateReplyBytes } from './reply-size.js';
import { aclExpansionBytes, multiAsZooKeeperReadsIt, ReadOps, tooLargeTxn, writeReply } from '@corral/replica';
import { storageLimits } from '../storage/storage-limits.js';

const writeTypes: ReadonlySet<number> = new Set([
  OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.deleteContainer,
  OpCode.setData, OpCode.setACL, OpCode.check, OpCode.multi, OpCode.reconfig,
]);

/** Txns per log append. */
export const committerBatchRecordsMax = 10_000;
/** Txns handed to the log and not yet durable; below txn-log's pendingRecordsMax (100,000). */
export const committerInFlightRecordsMax = 50_000;

/** Everything the pipeline is built from. */
export interface PipelineOptions {
  readonly config: ServerConfig;
  readonly tree: DataTree;
  readonly watches: WatchManager;
  readonly sessions: SessionTable;
  readonly stats: ServerStats;
  readonly log: DurableLog;
  readonly clock: () => number;
  readonly onFatal: (error: unknown) => void;
  /** Called after every applied txn (snapshot scheduling). */
  readonly onApplied?: (zxid: Zxid) => void;
}

/** Prepares, commits, applies and answers client requests. */
export class RequestPipeline implements ClientCore {
  private readonly options: PipelineOptions;
  readonly prep: Prep;
  private readonly reads: ReadOps;
  private readonly committer: Committer;
  private lastProposedZxid: Zxid;
  private readonly epoch: number;
  /** The log's record limit: no txn a client causes may exceed it. */
  private readonly txnBytesMax: number;
  private queuedRequestCount = 0;

  constructor(options: PipelineOptions) {
    this.options = options;
    this.prep = new Prep({ tree: options.tree, extendedTypesEnabled: options.config.extendedTypesEnabled });
    this.reads = new ReadOps({ tree: options.tree, watches: options.watches });
    this.committer = new Committer({
      log: options.log, onFatal: options.onFatal, batchRecordsMax: committerBatchRecordsMax, inFlightRecordsMax: committerInFlightRecordsMax,
    });
    this.lastProposedZxid = options.tree.lastProcessedZxid;
    this.txnBytesMax = storageLimits(options.config).recordBytesMax;
    // Standalone: every start keeps the epoch of the last zxid (at least 1? no: ZooKeeper standalone stays at epoch 0).
    this.epoch = Number(options.tree.lastProcessedZxid >> 32n);
  }

  /** Writes proposed but not yet applied. */
  get outstandingCount(): number {
    return this.committer.pendingCount;
  }

  /**
   * Client requests waiting in session FIFOs, server-wide: Apache's
   * in-flight count, which connections compare with globalOutstandingLimit
   * to stop reading (reads answered at once are never in flight here).
   */
  get inFlightCount(): number {
    return this.queuedRequestCount;
  }

  /** Estimated encoded size of the reply to a read by `session` (flow control, STYLE §18). */
  estimateReplyBytes(session: Session, request: ClientRequest): number {
    return estimateReplyBytes({ tree: this.options.tree, sessionId: session.id }, request);
  }

  private nextZxid(): Zxid {
    const counter = Number(this.lastProposedZxid & 0xffffffffn) + 1;
    this.lastProposedZxid = makeZxid(this.epoch, counter);
    return this.lastProposedZxid;
  }

  /** Proposes a txn; `onApplied` runs once it is durable and applied. */
  private propose(header: TxnHeader, txn: Txn, onApplied: (result: ReturnType<DataTree['apply']>) => void): void {
    this.committer.enqueue({
      prepared: { header, txn },
      onDurable: () => onApplied(this.apply(header, txn)),
    });
  }

  /** Applies one durable txn to the tree and the session table. Also used by recovery. */
  apply(header: TxnHeader, txn: Txn): ReturnType<DataTree['apply']> {
    const result = this.options.tree.apply(header, txn);
    this.prep.changes.applied(header.zxid);
    if (txn.type === OpCode.createSession) {
      this.options.sessions.add(header.sessionId, txn.timeOut, this.options.clock());
    } else if (txn.type === OpCode.closeSession) {
      this.options.sessions.remove(header.sessionId);
      this.options.watches.removeSession(header.sessionId);
    }
    this.options.onApplied?.(header.zxid);
    return result;
  }

  // ---- sessions ------------------------------------------------------------

  /** Handles a ConnectRequest: a new session, or a reconnect to an existing one. */
  connect(transport: ClientTransport, request: ConnectRequest, onSession: (session: Session | null) => void): void {
    const { config, tree, sessions } = this.options;
    const receivedAtMs = this.options.clock();
    if (request.lastZxidSeen > tree.lastProcessedZxid) {
      // The client has seen a newer state than ours: it must try another server.
      transport.close(`client has seen zxid 0x${request.lastZxidSeen.toString(16)}, ours is 0x${tree.lastProcessedZxid.toString(16)}`);
      onSession(null);
      return;
    }
    const timeoutMs = Math.min(Math.max(request.timeOut, config.minSessionTimeoutMs), config.maxSessionTimeoutMs);
    // Old clients (3.4 and earlier) send no readOnly flag and get none back.
    const omits = request.omitsReadOnly === true ? { omitsReadOnly: true } : {};
    if (request.sessionId === 0n) {
      if (sessions.size >= sessions.sessionsMax) {
        transport.close('too many sessions');
        onSession(null);
        return;
      }
      const sessionId = sessions.allocateId();
      const header: TxnHeader = { sessionId, cxid: 0, zxid: this.nextZxid(), time: this.options.clock(), type: OpCode.createSession };
      this.propose(header, { type: OpCode.createSession, timeOut: timeoutMs }, () => {
        const session = sessions.get(sessionId);
        assert(session !== undefined, 'created session is in the table');
        this.attach(session, transport);
        transport.stats.recordResponse({ cxid: 0, zxid: tree.lastProcessedZxid, operation: 'SESS', receivedAtMs, nowMs: this.options.clock() });
        transport.sendConnectResponse({ protocolVersion: 0, timeOut: timeoutMs, sessionId, passwd: session.passwd, readOnly: false, ...omits });
        onSession(session);
      });
      return;
    }
    const session = sessions.get(request.sessionId);
    if (session === undefined || session.closing || !passwordsEqual(session.passwd, request.passwd)) {
      // ZooKeeper answers an invalid session with timeout 0, which the client reports as expired.
      transport.sendConnectResponse({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false, ...omits });
      transport.close('session expired or bad password');
      onSession(null);
      return;
    }
    session.timeoutMs = timeoutMs;
    this.attach(session, transport);
    transport.sendConnectResponse({ protocolVersion: 0, timeOut: timeoutMs, sessionId: session.id, passwd: sessionPassword(session.id), readOnly: false, ...omits });
    onSession(session);
  }

  private attach(session: Session, transport: ClientTransport): void {
    const previous = session.transport;
    session.transport = transport;
    // Auth belongs to the connection, as in ZooKeeper: clients re-send it after reconnecting.
    session.authIds = [{ scheme: 'ip', id: transport.remoteAddress }];
    if (previous !== null && previous !== transport) {
      // Watches belong to the connection that set them (Apache registers the
      // ServerCnxn as the watcher): the new connection has only what it
      // re-registers with setWatches. The old connection's detach below is a
      // no-op because the session no longer points at it.
      this.options.watches.removeSession(session.id);
      previous.close('session moved to another connection');
    }
    this.options.sessions.touch(session, this.options.clock());
  }

  /** The connection of `session` closed; the session lives on until it expires. */
  detach(session: Session | null, transport: ClientTransport): void {
    if (session === null || session.transport !== transport) return;
    session.transport = null;
    // Watches belong to the connection: the client re-sends them with setWatches.
    this.options.watches.removeSession(session.id);
  }

  /** Expires sessions whose deadline passed (called every tick). */
  tick(nowMs: number): void {
    for (const session of this.options.sessions.expired(nowMs)) {
      if (session.closing) continue;
      session.transport?.close('session expired');
      session.transport = null;
      this.closeSession(session, null);
    }
  }

  private closeSession(session: Session, onApplied: (() => void) | null): void {
    session.closing = true;
    const zxid = this.nextZxid();
    const header: TxnHeader = { sessionId: session.id, cxid: 0, zxid, time: this.options.clock(), type: OpCode.closeSession };
    // The txn lists no paths, so its size does not grow with the session's
    // ephemerals (ZOOKEEPER-4306): apply deletes what the ephemeral index holds.
    this.prep.ephemeralsToDelete(session.id, zxid);
    this.propose(header, { type: OpCode.closeSession }, () => onApplied?.());
  }

  /** Removes an empty container or expired TTL node through the log (ContainerManager). */
  proposeDeleteContainer(path: string): void {
    // A change to it is still on its way to the log (often the previous check's
    // delete): look again at the next check rather than log a doomed txn.
    if (this.prep.changes.get(path) !== undefined) return;
    const zxid = this.nextZxid();
    const { header, txn } = this.prep.prepareDeleteContainer(path, zxid, this.options.clock());
    this.propose(header, txn, () => undefined);
  }

  // ---- requests ------------------------------------------------------------

  /**
   * One request from a connected session, in arrival order. `origin` is the
   * transport that gets the reply: the session's connection, or a transport
   * that shares the session (gRPC unary calls naming it).
   */
  submit(session: Session, xid: number, type: number, request: ClientRequest | null, origin: ClientTransport | null = session.transport): void {
    const nowMs = this.options.clock();
    this.options.sessions.touch(session, nowMs);
    this.options.stats.packetsReceived += 1;
    if (request === null) {
      // Unknown opcode: UNIMPLEMENTED, then the connection is closed (UnimplementedRequestProcessor).
      this.sendNow(session, { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin }, ZkCode.UNIMPLEMENTED, null);
      origin?.close('unknown request type');
      return;
    }
    if (session.closing) {
      this.enqueueRead(session, { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin, malformedCode: ZkCode.SESSIONEXPIRED });
      return;
    }
    if (request.type === OpCode.auth) {
      this.auth(session, xid, request.scheme, request.auth);
      return;
    }
    if (request.type === OpCode.multi || request.type === OpCode.multiRead) {
      const multi = multiAsZooKeeperReadsIt(request);
      if (multi === null) {
        this.enqueueRead(session, { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin, malformedCode: ZkCode.MARSHALLINGERROR });
        return;
      }
      request = multi;
    }
    if (request.type === OpCode.closeSession) {
      const entry: QueuedRequest = { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin };
      this.enqueue(session, entry);
      this.closeSession(session, () => {
        entry.reply = { header: { xid, zxid: this.options.tree.lastProcessedZxid, err: ZkCode.OK }, response: null };
        this.drain(session);
        session.transport?.close('session closed by client');
        session.transport = null;
      });
      return;
    }
    if (writeTypes.has(request.type)) {
      this.write(session, xid, request, nowMs, origin);
      return;
    }
    this.enqueueRead(session, { xid, type, read: request, reply: null, receivedAtMs: nowMs, origin });
  }

  /** A request whose body did not decode: answered MARSHALLINGERROR in its turn. */
  submitMalformed(session: Session, xid: number, type: number): void {
    const nowMs = this.options.clock();
    this.options.sessions.touch(session, nowMs);
    this.options.stats.packetsReceived += 1;
    this.enqueueRead(session, { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin: session.transport, malformedCode: ZkCode.MARSHALLINGERROR });
  }

  /**
   * ZooKeeperServer.processPacket answers auth at once, with the request's
   * own xid (clients send -4) and zxid 0, outside the FIFO and without
   * touching the `cons` last-operation counters.
   */
  private auth(session: Session, xid: number, scheme: string, auth: Uint8Array): void {
    const transport = session.transport;
    if (transport === null) return;
    if (!addAuth(session.authIds, { scheme, auth, superDigest: this.options.config.superDigest, remoteAddress: transport.remoteAddress })) {
      // ZooKeeper answers AUTHFAILED and closes the connection.
      transport.sendReply({ xid, zxid: 0n, err: ZkCode.AUTHFAILED }, null);
      transport.close('authentication failed');
      return;
    }
    transport.sendReply({ xid, zxid: 0n, err: ZkCode.OK }, null);
  }

  private write(session: Session, xid: number, request: ClientRequest, nowMs: number, origin: ClientTransport | null): void {
    const entry: QueuedRequest = { xid, type: request.type, read: null, reply: null, receivedAtMs: nowMs, origin };
    this.enqueue(session, entry);
    const zxid = this.nextZxid();
    const { header, txn } = this.prepareWithinLimit({ sessionId: session.id, cxid: xid, authIds: session.authIds }, request, zxid, nowMs);
    this.propose(header, txn, (result) => {
      const reply = writeReply(request, result);
      entry.reply = { header: { xid, zxid: this.options.tree.lastProcessedZxid, err: reply.err }, response: reply.response };
      this.drain(session);
    });
  }

  /**
   * Prep, kept under the log's record limit (see txn-limit.ts): checked
   * before the txn reaches the log, so one request's size can never become
   * a storage failure that stops the server.
   */
  private prepareWithinLimit(context: PrepContext, request: ClientRequest, zxid: Zxid, timeMs: number): PreparedTxn {
    const refused = { sessionId: context.sessionId, cxid: context.cxid, zxid, timeMs };
    if (aclExpansionBytes(request, context.authIds, this.txnBytesMax) > this.txnBytesMax) return tooLargeTxn(request, refused);
    const prepared = this.prep.prepare(context, request, zxid, timeMs);
    if (encodedTxnBytes(prepared.header, prepared.txn, this.txnBytesMax) <= this.txnBytesMax) return prepared;
    this.prep.changes.discard(zxid);
    return tooLargeTxn(request, refused);
  }

  private enqueueRead(session: Session, entry: QueuedRequest): void {
    if (session.queue.length === 0) {
      this.answerRead(session, entry);
      return;
    }
    this.enqueue(session, entry);
  }

  /** Puts a request at the tail of the session FIFO and counts it against its connection and the server. */
  private enqueue(session: Session, entry: QueuedRequest): void {
    session.queue.push(entry);
    this.queuedRequestCount += 1;
    const backlog = entry.origin?.backlog;
    if (backlog === undefined) return;
    entry.replyBytesEstimate = entry.read === null ? 0 : this.estimateReplyBytes(session, entry.read);
    backlog.requestCount += 1;
    backlog.replyBytes += entry.replyBytesEstimate;
  }

  /** The request at the head of the FIFO is being answered (or dropped): it no longer counts. */
  private dequeued(entry: QueuedRequest): void {
    this.queuedRequestCount -= 1;
    assert(this.queuedRequestCount >= 0, 'every dequeued request was enqueued');
    const backlog = entry.origin?.backlog;
    if (backlog === undefined) return;
    backlog.requestCount -= 1;
    backlog.replyBytes -= entry.replyBytesEstimate ?? 0;
  }

  private answerRead(session: Session, entry: QueuedRequest): void {
    // The client of a connection that is gone gets no reply, and its reads
    // must not run: a watch they set would fire on the session's new
    // connection, which never asked for it.
    if (!mayAnswer(session, entry.origin)) return;
    if (entry.type === OpCode.ping) {
      const header = { xid: Xid.ping, zxid: this.options.tree.lastProcessedZxid, err: ZkCode.OK };
      this.recordReply(entry, header);
      entry.origin.sendReply(header, null);
      return;
    }
    if (entry.read === null) {
      this.sendNow(session, entry, entry.malformedCode ?? ZkCode.UNIMPLEMENTED, null);
      return;
    }
    if (entry.read.type === OpCode.setWatches || entry.read.type === OpCode.setWatches2) {
      this.setWatches(session, entry.read);
      this.sendNow(session, entry, ZkCode.OK, null);
      return;
    }
    const outcome = this.reads.execute({ sessionId: session.id, authIds: session.authIds }, entry.read);
    this.sendNow(session, entry, outcome.err, outcome.err === ZkCode.OK ? outcome.response : null);
  }

  private setWatches(session: Session, request: ClientRequest): void {
    if (request.type !== OpCode.setWatches && request.type !== OpCode.setWatches2) return;
    const persistent = request.type === OpCode.setWatches2 ? request.persistentWatches : [];
    const recursive = request.type === OpCode.setWatches2 ? request.persistentRecursiveWatches : [];
    const { events } = setWatches(this.options.watches, session.id, {
      relativeZxid: request.relativeZxid,
      dataWatches: request.dataWatches,
      existWatches: request.existWatches,
      childWatches: request.childWatches,
      persistentWatches: persistent,
      persistentRecursiveWatches: recursive,
    }, (path) => this.options.tree.getNode(path)?.stat);
    for (const event of events) this.deliverEvent(event.sessionId, event.type, event.path);
  }

  /**
   * Sends a watch event to the session's connection, if it has one. With the
   * node's `acl`, a session that may not READ it gets nothing: the watch is
   * consumed silently (CVE-2024-23944; NIOServerCnxn.process(event, acl)).
   */
  deliverEvent(sessionId: bigint, type: EventType, path: string, acl?: readonly ACL[]): void {
    const session = this.options.sessions.get(sessionId);
    const transport = session?.transport;
    if (session === undefined || transport === null || transport === undefined) return;
    if (acl !== undefined && !checkAcl(acl, Perms.READ, session.authIds)) return;
    transport.sendEvent({ type, state: KeeperState.SyncConnected, path });
  }

  /** Answers `entry` now, on the connection it came from if that is still the session's. */
  private sendNow(session: Session, entry: QueuedRequest, err: number, response: Parameters<ClientTransport['sendReply']>[1]): void {
    const origin = entry.origin;
    if (!mayAnswer(session, origin)) return;
    const header = { xid: entry.xid, zxid: this.options.tree.lastProcessedZxid, err };
    this.recordReply(entry, header);
    origin.sendReply(header, response);
  }

  /**
   * Server and connection counters for one answered request, pings included
   * (FinalRequestProcessor.updateStats).
   */
  private recordReply(entry: QueuedRequest, header: ReplyHeader): void {
    const nowMs = this.options.clock();
    this.options.stats.recordReply(nowMs - entry.receivedAtMs);
    entry.origin?.stats.recordResponse({
      cxid: entry.xid, zxid: header.zxid, operation: operationName(entry.type, header.err), receivedAtMs: entry.receivedAtMs, nowMs,
    });
  }

  /** Sends the replies at the head of the session's queue that are ready, in order. */
  private drain(session: Session): void {
    const queue = session.queue;
    let index = 0;
    while (index < queue.length) {
      const entry = queue[index];
      assert(entry !== undefined, 'queue entry present');
      if (entry.reply !== null) {
        this.dequeued(entry);
        if (mayAnswer(session, entry.origin)) {
          this.recordReply(entry, entry.reply.header);
          entry.origin.sendReply(entry.reply.header, entry.reply.response);
        }
      } else if (entry.malformedCode === undefined && (writeTypes.has(entry.type) || entry.type === OpCode.closeSession)) {
        break;
      } else {
        this.dequeued(entry);
        this.answerRead(session, entry);
      }
      index += 1;
    }
    queue.splice(0, index);
  }
}

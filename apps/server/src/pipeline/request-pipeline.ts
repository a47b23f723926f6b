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
  aclStringBytesMax, checkAcl, encodedTxnBytes, Perms, setWatches, type ACL, type DataTree, type Id, type Txn, type TxnHeader, type WatchManager,
} from '@corral/data-tree';
import { OpCode, Xid, type ClientRequest, type ConnectRequest } from '@corral/wire';
import { authenticate } from '../auth/digest-auth.js';
import type { ServerConfig } from '../config/server-config.js';
import { authIdsPerSessionMax } from '../net/limits.js';
import { passwordsEqual, sessionPassword } from '../session/session-ids.js';
import type { SessionTable } from '../session/session-table.js';
import type { ClientTransport, QueuedRequest, Session } from '../session/session.js';
import type { ServerStats } from '../stats/server-stats.js';
import { Committer } from './committer.js';
import type { DurableLog } from './durable-log.js';
import { multiAsZooKeeperReadsIt } from './multi-ops.js';
import { Prep, type PrepContext, type PreparedTxn } from './prep.js';
import { ReadOps } from './read-ops.js';
import { aclExpansionBytes, tooLargeTxn } from './txn-limit.js';
import { writeReply } from './write-replies.js';
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
export class RequestPipeline {
  private readonly options: PipelineOptions;
  readonly prep: Prep;
  private readonly reads: ReadOps;
  private readonly committer: Committer;
  private lastProposedZxid: Zxid;
  private readonly epoch: number;
  /** The log's record limit: no txn a client causes may exceed it. */
  private readonly txnBytesMax: number;

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
    if (previous !== null && previous !== transport) previous.close('session moved to another connection');
    this.options.sessions.touch(session, this.options.clock());
  }

  /** The connection of `session` closed; the session lives on until it expires. */
  detach(session: Session, transport: ClientTransport): void {
    if (session.transport !== transport) return;
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

  /** One request from a connected session, in arrival order. */
  submit(session: Session, xid: number, type: number, request: ClientRequest | null): void {
    const nowMs = this.options.clock();
    this.options.sessions.touch(session, nowMs);
    session.packetsReceived += 1;
    this.options.stats.packetsReceived += 1;
    if (request === null) {
      // Unknown opcode: UNIMPLEMENTED, then the connection is closed (UnimplementedRequestProcessor).
      this.sendNow(session, xid, ZkCode.UNIMPLEMENTED, null, nowMs);
      session.transport?.close('unknown request type');
      return;
    }
    if (session.closing) {
      this.enqueueRead(session, { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin: session.transport, malformedCode: ZkCode.SESSIONEXPIRED });
      return;
    }
    if (request.type === OpCode.auth) {
      this.auth(session, request.scheme, request.auth);
      return;
    }
    if (request.type === OpCode.multi || request.type === OpCode.multiRead) {
      const multi = multiAsZooKeeperReadsIt(request);
      if (multi === null) {
        this.enqueueRead(session, { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin: session.transport, malformedCode: ZkCode.MARSHALLINGERROR });
        return;
      }
      request = multi;
    }
    if (request.type === OpCode.closeSession) {
      const entry: QueuedRequest = { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin: session.transport };
      session.queue.push(entry);
      this.closeSession(session, () => {
        entry.reply = { header: { xid, zxid: this.options.tree.lastProcessedZxid, err: ZkCode.OK }, response: null };
        this.drain(session);
        session.transport?.close('session closed by client');
        session.transport = null;
      });
      return;
    }
    if (writeTypes.has(request.type)) {
      this.write(session, xid, request, nowMs);
      return;
    }
    this.enqueueRead(session, { xid, type, read: request, reply: null, receivedAtMs: nowMs, origin: session.transport });
  }

  /** A request whose body did not decode: answered MARSHALLINGERROR in its turn. */
  submitMalformed(session: Session, xid: number, type: number): void {
    const nowMs = this.options.clock();
    this.options.sessions.touch(session, nowMs);
    session.packetsReceived += 1;
    this.options.stats.packetsReceived += 1;
    this.enqueueRead(session, { xid, type, read: null, reply: null, receivedAtMs: nowMs, origin: session.transport, malformedCode: ZkCode.MARSHALLINGERROR });
  }

  private auth(session: Session, scheme: string, auth: Uint8Array): void {
    const ids = authenticate(scheme, auth, this.options.config.superDigest);
    const zxid = this.options.tree.lastProcessedZxid;
    if (ids === null || !authIdsFit(session.authIds, ids)) {
      // ZooKeeper answers AUTHFAILED and closes the connection.
      session.transport?.sendReply({ xid: Xid.auth, zxid, err: ZkCode.AUTHFAILED }, null);
      session.transport?.close('authentication failed');
      return;
    }
    for (const id of ids) {
      if (!session.authIds.some((known) => known.scheme === id.scheme && known.id === id.id)) session.authIds.push(id);
    }
    session.transport?.sendReply({ xid: Xid.auth, zxid, err: ZkCode.OK }, null);
  }

  private write(session: Session, xid: number, request: ClientRequest, nowMs: number): void {
    const entry: QueuedRequest = { xid, type: request.type, read: null, reply: null, receivedAtMs: nowMs, origin: session.transport };
    session.queue.push(entry);
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
    session.queue.push(entry);
  }

  private answerRead(session: Session, entry: QueuedRequest): void {
    const zxid = this.options.tree.lastProcessedZxid;
    if (entry.type === OpCode.ping) {
      if (entry.origin === session.transport) entry.origin?.sendReply({ xid: Xid.ping, zxid, err: ZkCode.OK }, null);
      return;
    }
    if (entry.read === null) {
      this.sendNow(session, entry.xid, entry.malformedCode ?? ZkCode.UNIMPLEMENTED, null, entry.receivedAtMs, entry.origin);
      return;
    }
    if (entry.read.type === OpCode.setWatches || entry.read.type === OpCode.setWatches2) {
      this.setWatches(session, entry.read);
      this.sendNow(session, entry.xid, ZkCode.OK, null, entry.receivedAtMs, entry.origin);
      return;
    }
    const outcome = this.reads.execute({ sessionId: session.id, authIds: session.authIds }, entry.read);
    this.sendNow(session, entry.xid, outcome.err, outcome.err === ZkCode.OK ? outcome.response : null, entry.receivedAtMs, entry.origin);
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
  deliverEvent(sessionId: bigint, type: number, path: string, acl?: readonly ACL[]): void {
    const session = this.options.sessions.get(sessionId);
    const transport = session?.transport;
    if (session === undefined || transport === null || transport === undefined) return;
    if (acl !== undefined && !checkAcl(acl, Perms.READ, session.authIds)) return;
    transport.sendEvent({ type, state: 3, path });
  }

  private sendNow(
    session: Session, xid: number, err: number, response: Parameters<ClientTransport['sendReply']>[1], receivedAtMs: number,
    origin: ClientTransport | null = session.transport,
  ): void {
    if (origin === null || origin !== session.transport) return;
    const zxid = this.options.tree.lastProcessedZxid;
    this.recordReply(session, receivedAtMs, zxid, xid);
    origin.sendReply({ xid, zxid, err }, response);
  }

  private recordReply(session: Session, receivedAtMs: number, zxid: Zxid, xid: number): void {
    const latencyMs = this.options.clock() - receivedAtMs;
    session.latency.record(latencyMs);
    session.packetsSent += 1;
    session.lastZxid = zxid;
    session.lastCxid = xid;
    this.options.stats.recordReply(latencyMs);
  }

  /** Sends the replies at the head of the session's queue that are ready, in order. */
  private drain(session: Session): void {
    const queue = session.queue;
    let index = 0;
    while (index < queue.length) {
      const entry = queue[index];
      assert(entry !== undefined, 'queue entry present');
      if (entry.reply !== null) {
        if (entry.origin !== null && entry.origin === session.transport) {
          this.recordReply(session, entry.receivedAtMs, entry.reply.header.zxid, entry.xid);
          entry.origin.sendReply(entry.reply.header, entry.reply.response);
        }
      } else if (entry.malformedCode === undefined && (writeTypes.has(entry.type) || entry.type === OpCode.closeSession)) {
        break;
      } else {
        this.answerRead(session, entry);
      }
      index += 1;
    }
    queue.splice(0, index);
  }
}

/**
 * Whether a session may add `ids`: each must fit an ACL entry (a longer one
 * could never match one), and the session keeps at most
 * authIdsPerSessionMax of them, since "auth" ACLs copy every one.
 */
function authIdsFit(known: readonly Id[], ids: readonly Id[]): boolean {
  const encoder = new TextEncoder();
  let count = known.filter((id) => id.scheme !== 'ip').length;
  for (const id of ids) {
    if (encoder.encode(id.id).length > aclStringBytesMax) return false;
    if (id.scheme === 'ip' || known.some((other) => other.scheme === id.scheme && other.id === id.id)) continue;
    count += 1;
  }
  return count <= authIdsPerSessionMax;
}

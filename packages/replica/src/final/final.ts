/**
 * Final (ZooKeeper's FinalRequestProcessor), on every server whatever its
 * role: applies committed txns to the tree strictly in zxid order, and
 * answers the requests of *local* sessions (those whose connection is on
 * this server), matched by (sessionId, cxid). Reads are answered from the
 * applied tree in per-session FIFO order behind that session's pending
 * writes; watch events fire during apply, so an event always precedes the
 * reply that reads the change it announces.
 */
import { ZkCode, assert, type Zxid } from '@corral/base';
import {
  checkAcl, Perms, setWatches, watchSinkFor, WatchManager, type ACL, type ApplyResult, type DataTree, type Id, type Txn, type TxnHeader,
} from '@corral/data-tree';
import { OpCode, type ClientRequest, type ClientResponse } from '@corral/wire';
import type { ClientOutput } from '../outputs.js';
import { ReadOps } from './read-ops.js';
import { writeReply } from './write-replies.js';

/** A request of a local session waiting for its turn. */
interface Entry {
  readonly cxid: number;
  readonly type: number;
  readonly origin: number;
  /** `origin` is not the session's connection but shares the session (a gRPC unary call naming it): always answered. */
  readonly shared: boolean;
  readonly authIds: readonly Id[];
  /** A write (or closeSession): answered once its txn is applied. */
  readonly write: ClientRequest | null;
  /** A read: executed when it reaches the head of the queue. */
  readonly read: ClientRequest | null;
  /** Answered with this code in its turn (malformed, unimplemented, expired). */
  readonly code: number | null;
  readonly receivedAtMs: number;
  reply: { zxid: Zxid; err: number; response: ClientResponse | null } | null;
}

/** A session whose connection is on this server. */
interface LocalSession {
  origin: number;
  authIds: readonly Id[];
  readonly queue: Entry[];
}

/** What a request is, for its place in the FIFO. */
export interface QueuedRequest {
  readonly cxid: number;
  readonly type: number;
  readonly authIds: readonly Id[];
  readonly receivedAtMs: number;
  /**
   * The connection to answer when it is not the session's own but shares the
   * session (a gRPC unary call naming it): its replies are sent even though
   * the session's connection is another one. Absent: the session's connection.
   */
  readonly sharedOrigin?: number;
}

/** Applies committed txns and answers local sessions, into `outputs`. */
export class Final {
  private tree: DataTree;
  readonly watches: WatchManager;
  private reads: ReadOps;
  private readonly outputs: ClientOutput[];
  private readonly local = new Map<bigint, LocalSession>();
  /** The sum of the local sessions' queue lengths, kept as they change: the Driver asks per request. */
  private queued = 0;
  private readonly sessionQueueMax: number;

  constructor(options: { tree: DataTree; outputs: ClientOutput[]; sessionQueueMax: number }) {
    this.outputs = options.outputs;
    this.sessionQueueMax = options.sessionQueueMax;
    this.watches = new WatchManager();
    this.tree = options.tree;
    this.reads = new ReadOps({ tree: this.tree, watches: this.watches });
    this.wireTree();
  }

  /** Replaces the tree (a learner installed a SNAP). Watches stay: clients re-register nothing on a sync. */
  replaceTree(tree: DataTree): void {
    this.tree = tree;
    this.reads = new ReadOps({ tree, watches: this.watches });
    this.wireTree();
  }

  private wireTree(): void {
    this.tree.watchSink = watchSinkFor(this.watches, (sessionId, type, path, acl) => this.deliverEvent(sessionId, type, path, acl));
  }

  /** Sessions with a connection here. */
  isLocal(sessionId: bigint): boolean {
    return this.local.has(sessionId);
  }

  localSessions(): IterableIterator<bigint> {
    return this.local.keys();
  }

  /**
   * Connection `origin` now carries `sessionId`. Watches belong to the
   * connection that set them (Apache registers the ServerCnxn as the
   * watcher): a new connection starts with none, and what the old one had
   * queued is dropped (its client gave up on those xids).
   */
  attach(sessionId: bigint, origin: number, authIds: readonly Id[]): void {
    const existing = this.local.get(sessionId);
    if (existing !== undefined && existing.origin !== origin) {
      this.watches.removeSession(sessionId);
      this.outputs.push({ kind: 'close', sessionId, origin: existing.origin, reason: 'session moved to another connection' });
    }
    if (existing === undefined) {
      this.local.set(sessionId, { origin, authIds, queue: [] });
      return;
    }
    existing.origin = origin;
    existing.authIds = authIds;
  }

  /** The connection closed; the session lives on (elsewhere, or until it expires). */
  detach(sessionId: bigint, origin: number): void {
    const session = this.local.get(sessionId);
    if (session?.origin !== origin) return;
    this.queued -= session.queue.length;
    this.local.delete(sessionId);
    this.watches.removeSession(sessionId);
  }

  /** The connection `origin` of a local session, if any. */
  originOf(sessionId: bigint): number | undefined {
    return this.local.get(sessionId)?.origin;
  }

  /**
   * Queues a write (or closeSession) of a local session; false if the
   * session's queue is full (the Driver is told to close the connection).
   */
  enqueueWrite(sessionId: bigint, request: QueuedRequest, write: ClientRequest): boolean {
    const session = this.local.get(sessionId);
    assert(session !== undefined, 'writes come from local sessions');
    return this.push(sessionId, session, this.entry(session, request, write, null, null));
  }

  /** A read, or a request answered with `code` in its turn: at once if nothing is ahead of it. */
  enqueueRead(sessionId: bigint, request: QueuedRequest, read: ClientRequest | null, code: number | null): boolean {
    const session = this.local.get(sessionId);
    assert(session !== undefined, 'reads come from local sessions');
    const entry = this.entry(session, request, null, read, code);
    if (session.queue.length === 0) {
      this.answer(sessionId, session, entry);
      return true;
    }
    return this.push(sessionId, session, entry);
  }

  /** One literal per request (no spreads on the hot path). */
  private entry(session: LocalSession, request: QueuedRequest, write: ClientRequest | null, read: ClientRequest | null, code: number | null): Entry {
    const shared = request.sharedOrigin !== undefined;
    return {
      cxid: request.cxid, type: request.type, origin: request.sharedOrigin ?? session.origin, shared, authIds: request.authIds, write, read, code,
      receivedAtMs: request.receivedAtMs, reply: null,
    };
  }

  private push(sessionId: bigint, session: LocalSession, entry: Entry): boolean {
    if (session.queue.length >= this.sessionQueueMax) {
      this.outputs.push({ kind: 'close', sessionId, origin: session.origin, reason: 'too many requests in flight' });
      return false;
    }
    session.queue.push(entry);
    this.queued++;
    return true;
  }

  /**
   * Applies one committed txn. The Replica hands them in strictly
   * increasing zxid order without gaps in the counter of one epoch, and a
   * new epoch starts at counter 1 (asserted: a gap is lost history).
   */
  apply(header: TxnHeader, txn: Txn): ApplyResult {
    const last = this.tree.lastProcessedZxid;
    assert(header.zxid > last, 'committed txns are applied in zxid order');
    assert(header.zxid >> 32n > last >> 32n ? (header.zxid & 0xffffffffn) === 1n : header.zxid === last + 1n, () => `no gap between applied zxids: 0x${header.zxid.toString(16)} after 0x${last.toString(16)}`);
    const result = this.tree.apply(header, txn);
    if (txn.type === OpCode.closeSession) this.sessionClosed(header.sessionId, header.cxid);
    else this.answerWrite(header, result);
    return result;
  }

  /** Sessions closed by a txn: a local one gets its reply (client close) and its connection closed. */
  private sessionClosed(sessionId: bigint, cxid: number): void {
    const session = this.local.get(sessionId);
    this.watches.removeSession(sessionId);
    if (session === undefined) return;
    const entry = session.queue.find((candidate) => candidate.write !== null && candidate.reply === null && candidate.cxid === cxid && candidate.type === OpCode.closeSession);
    if (entry !== undefined) {
      entry.reply = { zxid: this.tree.lastProcessedZxid, err: ZkCode.OK, response: null };
      this.drain(sessionId, session);
    }
    this.queued -= session.queue.length;
    this.local.delete(sessionId);
    this.outputs.push({ kind: 'close', sessionId, origin: session.origin, reason: entry === undefined ? 'session expired' : 'session closed by client' });
  }

  private answerWrite(header: TxnHeader, result: ApplyResult): void {
    const session = this.local.get(header.sessionId);
    if (session === undefined) return;
    // Written out rather than queue.find: this runs for every applied write.
    let entry: Entry | undefined;
    for (const candidate of session.queue) {
      if (candidate.write !== null && candidate.reply === null && candidate.cxid === header.cxid) {
        entry = candidate;
        break;
      }
    }
    if (entry === undefined || entry.write === null) return;
    const reply = writeReply(entry.write, result);
    entry.reply = { zxid: this.tree.lastProcessedZxid, err: reply.err, response: reply.response };
    this.drain(header.sessionId, session);
  }

  /**
   * A sync of a local session is answered: the leader had committed, and
   * this server has applied, everything proposed before the sync reached
   * the leader. Its FIFO then moves on.
   */
  answerSync(sessionId: bigint, cxid: number): void {
    const session = this.local.get(sessionId);
    if (session === undefined) return;
    const entry = session.queue.find((candidate) => candidate.write?.type === OpCode.sync && candidate.reply === null && candidate.cxid === cxid);
    if (entry === undefined || entry.write?.type !== OpCode.sync) return;
    entry.reply = { zxid: this.tree.lastProcessedZxid, err: ZkCode.OK, response: { type: OpCode.sync, path: entry.write.path } };
    this.drain(sessionId, session);
  }

  /** Sends the replies at the head of the session's queue that are ready, in order. */
  private drain(sessionId: bigint, session: LocalSession): void {
    const queue = session.queue;
    let index = 0;
    for (; index < queue.length; index += 1) {
      const entry = queue[index];
      assert(entry !== undefined, 'queue entry present');
      if (entry.write !== null && entry.reply === null) break;
      this.answer(sessionId, session, entry);
    }
    queue.splice(0, index);
    this.queued -= index;
  }

  private answer(sessionId: bigint, session: LocalSession, entry: Entry): void {
    // A request from a connection that is gone gets no reply, and a read
    // from it must not run: a watch it set would fire on the new connection.
    // A connection that shares the session is answered while it lives (the
    // Driver drops outputs for a closed one).
    if (!entry.shared && entry.origin !== session.origin) return;
    if (entry.reply !== null) {
      this.reply(sessionId, entry, entry.reply.err, entry.reply.response, entry.reply.zxid);
      return;
    }
    if (entry.code !== null) {
      this.reply(sessionId, entry, entry.code, null, this.tree.lastProcessedZxid);
      return;
    }
    const read = entry.read;
    if (read === null || read.type === OpCode.ping) {
      this.reply(sessionId, entry, ZkCode.OK, null, this.tree.lastProcessedZxid);
      return;
    }
    if (read.type === OpCode.setWatches || read.type === OpCode.setWatches2) {
      this.setWatches(sessionId, session, read);
      this.reply(sessionId, entry, ZkCode.OK, null, this.tree.lastProcessedZxid);
      return;
    }
    const outcome = this.reads.execute({ sessionId, authIds: entry.authIds }, read);
    this.reply(sessionId, entry, outcome.err, outcome.err === ZkCode.OK ? outcome.response : null, this.tree.lastProcessedZxid);
  }

  private reply(sessionId: bigint, entry: Entry, err: number, response: ClientResponse | null, zxid: Zxid): void {
    this.outputs.push({
      kind: 'reply', sessionId, origin: entry.origin, cxid: entry.cxid, type: entry.type, zxid, err, response, receivedAtMs: entry.receivedAtMs,
    });
  }

  private setWatches(sessionId: bigint, session: LocalSession, request: ClientRequest): void {
    if (request.type !== OpCode.setWatches && request.type !== OpCode.setWatches2) return;
    const persistent = request.type === OpCode.setWatches2 ? request.persistentWatches : [];
    const recursive = request.type === OpCode.setWatches2 ? request.persistentRecursiveWatches : [];
    const { events } = setWatches(this.watches, sessionId, {
      relativeZxid: request.relativeZxid,
      dataWatches: request.dataWatches,
      existWatches: request.existWatches,
      childWatches: request.childWatches,
      persistentWatches: persistent,
      persistentRecursiveWatches: recursive,
    }, (path) => this.tree.getNode(path)?.stat);
    for (const event of events) this.outputs.push({ kind: 'event', sessionId, origin: session.origin, type: event.type, path: event.path });
  }

  /**
   * A fired watch, for a local session only. With the node's `acl`, a
   * session that may not READ it gets nothing: the watch is consumed
   * silently (CVE-2024-23944; NIOServerCnxn.process(event, acl)).
   */
  private deliverEvent(sessionId: bigint, type: number, path: string, acl: readonly ACL[]): void {
    const session = this.local.get(sessionId);
    if (session === undefined) return;
    if (!checkAcl(acl, Perms.READ, session.authIds)) return;
    this.outputs.push({ kind: 'event', sessionId, origin: session.origin, type, path });
  }

  /** This server stops serving (role lost): every local connection is closed, nothing queued is answered. */
  dropAll(reason: string): void {
    for (const [sessionId, session] of this.local) {
      this.outputs.push({ kind: 'close', sessionId, origin: session.origin, reason });
      this.watches.removeSession(sessionId);
    }
    this.local.clear();
    this.queued = 0;
  }

  /** Requests queued across local sessions (Apache's in-flight count for globalOutstandingLimit). */
  get queuedCount(): number {
    return this.queued;
  }
}

/**
 * The server's Driver (STYLE §3, packages/replica README "How the Driver
 * drives it"): it runs the standalone server as an ensemble of one through
 * @corral/replica over broadcast's real Leader, and owns all of its I/O —
 * the client transports (through the front ends), the single tick
 * interval, the clock, the txn-log handle and the one group commit.
 *
 * Every input (a request, a connect, a tick, a resolved append) is stepped
 * into the Replica at once; once per event-loop turn (setImmediate) the
 * Driver takes Readies. A Ready's broadcast part is executed in order:
 * messages, then ONE durable write (the txn-log append, then the epochs),
 * then — only after it resolved — the messages after persist (the leader's
 * self-ack is stepped straight back), and `advance`. A broadcast part with
 * nothing to write is finished synchronously, so a commit's replies never
 * wait for a turn. This file is the only consensus code that awaits: the
 * persist-before-ack ordering lives here and nowhere else.
 *
 * Connection state (transport, auth ids, counters, the `Session` objects
 * the front ends hold) stays here; the replicated session state is the
 * Replica's (the tree's session table), changed only by txns.
 */
import { randomInt } from 'node:crypto';
import { ZkCode, assert, zxidToHex, type Zxid } from '@corral/base';
import { Leader, MajorityQuorum, defaultBroadcastLimits, type BroadcastLimits, type InitialState, type Ready } from '@corral/broadcast';
import { decodeTxn, serializeSnapshot, type DataTree, type Id, type WatchManager } from '@corral/data-tree';
import { Replica, type ClientOutput, type ReplicaReady } from '@corral/replica';
import type { SnapshotStore, TxnLogStore } from '@corral/txn-log';
import { KeeperState, OpCode, type ClientRequest, type ConnectRequest } from '@corral/wire';
import { addAuth } from '../auth/auth-ids.js';
import type { ServerConfig } from '../config/server-config.js';
import type { ClientCore } from '../core/client-core.js';
import type { Logger } from '../logger.js';
import { estimateReplyBytes } from '../core/reply-size.js';
import { loadExactSnapshot, recoverTree } from '../storage/recovery.js';
import { storageLimits } from '../storage/storage-limits.js';
import { sessionPassword } from '../session/session-ids.js';
import type { SessionTable } from '../session/session-table.js';
import type { ClientTransport, Session } from '../session/session.js';
import { operationName } from '../stats/connection-stats.js';
import type { ServerStats } from '../stats/server-stats.js';
import { readEpochs, writeEpochs } from './epoch-files.js';
import { ReplyEstimates } from './reply-estimates.js';

/** Proposals in flight (proposed, not yet committed) in an ensemble of one; below broadcast's window. */
export const standalonePendingProposalsMax = 5_000;

/**
 * Broadcast's limits for an ensemble of one: zoo.cfg's initLimit and
 * syncLimit in ticks, and room at start-up for the log above the snapshot
 * (up to snapCount txns, plus what was logged while a snapshot was being
 * written). The leader re-commits that log and then prunes its window back
 * to windowTxnsMax, so memory stays at broadcast's default window.
 */
export function standaloneBroadcastLimits(config: Pick<ServerConfig, 'snapCount' | 'initLimit' | 'syncLimit'>): BroadcastLimits {
  const learnerPendingTxnsMax = Math.max(defaultBroadcastLimits.learnerPendingTxnsMax, config.snapCount + 20_000);
  return {
    ...defaultBroadcastLimits,
    // Many clients' writes in flight at once: while one append is on the disk the next Ready
    // collects everything proposed meanwhile (broadcast's default of 1,000 halved throughput).
    pendingProposalsMax: standalonePendingProposalsMax,
    learnerPendingTxnsMax,
    outboundMessagesPerPeerMax: Math.max(defaultBroadcastLimits.outboundMessagesPerPeerMax, 2 * learnerPendingTxnsMax + 4),
    initLimitTicks: config.initLimit,
    syncLimitTicks: config.syncLimit,
  };
}

/** What a Driver runs on. */
export interface DriverOptions {
  readonly config: ServerConfig;
  readonly log: TxnLogStore;
  readonly snapshots: SnapshotStore;
  /** Connection state of sessions, as the front ends see them; the Driver keeps it in step with the Replica. */
  readonly sessions: SessionTable;
  readonly stats: ServerStats;
  readonly logger: Logger;
  /** The log or the epochs could not be stored: never acknowledge; the caller exits and restart recovers. */
  readonly onFatal: (error: unknown) => void;
  /** After each Ready that applied txns (gRPC waiters). */
  readonly onApplied?: () => void;
}

/** A connect waiting for its `connected` or `refused`. */
interface PendingConnect {
  readonly transport: ClientTransport;
  readonly onSession: (session: Session | null) => void;
  readonly receivedAtMs: number;
  readonly omitsReadOnly: boolean;
  readonly isNew: boolean;
}

/** The standalone server's core over @corral/replica. */
export class Driver implements ClientCore {
  private readonly options: DriverOptions;
  private readonly replica: Replica;
  private readonly sid: number;
  /** The clock, owned here: time enters the Replica only through the Driver. */
  private readonly clock = (): number => Date.now();
  /** Connection numbers (the Replica's `origin`) of live transports, both ways. */
  private readonly transports = new Map<number, ClientTransport>();
  private readonly origins = new Map<ClientTransport, number>();
  private nextOrigin = 1;
  private readonly pendingConnects = new Map<number, PendingConnect>();
  /** Replies after which the connection closes (unknown opcode), by `${origin}:${xid}`. */
  private readonly closeAfterReply = new Set<string>();
  /** Estimated bytes of the replies each connection is owed (its output limit counts them before they are built). */
  private readonly replyEstimates = new ReplyEstimates();
  /** The last `estimateReplyBytes` answer, for the `submit` of the same request that follows it. */
  private lastEstimate: { readonly request: ClientRequest; readonly bytes: number } | null = null;
  private turnScheduled = false;
  /** A broadcast Ready whose write is in flight: no other is taken until it is advanced. */
  private persisting = false;
  private failed = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private established: (() => void) | null = null;
  /** Records appended and not yet durable. */
  private appendingCount = 0;
  private appliedSinceSnapshot = 0;
  private snapshotThreshold: number;
  private snapshotting: Promise<void> | null = null;
  lastSnapshotBytes = 0;

  private constructor(options: DriverOptions, replica: Replica, sid: number) {
    this.options = options;
    this.replica = replica;
    this.sid = sid;
    this.snapshotThreshold = this.nextSnapshotThreshold();
  }

  /**
   * Recovers from disk (README "Start a role"): the newest snapshot, made
   * exact at the end of its walk, is the tree; the log records above it go to the Leader, which re-commits them
   * at establishment — they are never replayed into the tree here. A log
   * that ends below the snapshot is dropped (its base becomes the snapshot).
   * Resolves once the Leader is established and serving.
   */
  static async start(options: DriverOptions): Promise<Driver> {
    const { config, log, snapshots, logger } = options;
    const recoverOptions = { log, snapshots, logger, decodeTxn, dataDir: config.dataDir, dataLogDir: config.dataLogDir };
    const onDisk = await readEpochs(config.dataDir);
    // A data dir the old RequestPipeline core wrote has no epoch files. Everything in its log was committed
    // (an ensemble of one acknowledged each record once durable), so it is replayed as that core
    // did, and an exact snapshot replaces its fuzzy ones before this core writes an epoch.
    const migrating = onDisk === null;
    const tree = migrating ? await recoverTree(recoverOptions) : await loadExactSnapshot(recoverOptions, performance.now());
    const applied = tree.lastProcessedZxid;
    if (log.lastLoggedZxid < applied) {
      logger.warn({ log: zxidToHex(log.lastLoggedZxid), snapshot: zxidToHex(applied) }, 'the log ends below the snapshot: dropped');
      await log.resetTo(applied);
    }
    const records: { zxid: Zxid; bytes: Uint8Array }[] = [];
    for await (const batch of log.readBatchesFrom(applied)) for (const record of batch) records.push({ zxid: record.zxid, bytes: record.bytes });
    const epoch = Number(applied >> 32n);
    const epochs = onDisk ?? { acceptedEpoch: epoch, currentEpoch: epoch };
    const state: InitialState = { ...epochs, appliedZxid: applied, logBaseZxid: applied, log: records };
    const sid = config.myid ?? 1;
    const startMs = Date.now();
    const replica = new Replica({
      serverId: sid, tree, tickMs: config.tickTimeMs, startMs, extendedTypesEnabled: config.extendedTypesEnabled, sessionPassword,
      // Prep keeps every txn under the log's record limit, so no request can become a storage failure.
      limits: { txnBytesMax: storageLimits(config).recordBytesMax },
    });
    const limits = standaloneBroadcastLimits(config);
    replica.lead(new Leader({ sid, quorum: new MajorityQuorum([sid]), observers: [], limits, state }));
    const driver = new Driver(options, replica, sid);
    if (migrating && applied > 0n) await driver.takeSnapshot();
    for (const [sessionId, timeoutMs] of tree.sessions()) options.sessions.add(sessionId, timeoutMs, startMs);
    await new Promise<void>((resolve) => {
      driver.established = resolve;
      driver.scheduleTurn();
    });
    logger.info({ zxid: zxidToHex(replica.dataTree.lastProcessedZxid), recommitted: records.length }, 'leading an ensemble of one');
    // The single tick interval: session expiry and broadcast's liveness, in ticks.
    driver.timer = setInterval(() => driver.tick(), config.tickTimeMs);
    driver.timer.unref();
    return driver;
  }

  /** The applied tree (admin commands, reply-size estimates, gRPC waiters). */
  get tree(): DataTree {
    return this.replica.dataTree;
  }

  /** The watch index of local sessions. */
  get watches(): WatchManager {
    return this.replica.watches;
  }

  get outstandingCount(): number {
    return this.replica.waitingCount + this.appendingCount;
  }

  get inFlightCount(): number {
    return this.replica.queuedCount;
  }

  estimateReplyBytes(session: Session, request: ClientRequest): number {
    const bytes = estimateReplyBytes({ tree: this.replica.dataTree, sessionId: session.id }, request);
    // The jute port asks right before it submits the same request: `submit` counts it without walking the tree again.
    this.lastEstimate = { request, bytes };
    return bytes;
  }

  // ---- inputs ---------------------------------------------------------------

  connect(transport: ClientTransport, request: ConnectRequest, onSession: (session: Session | null) => void): void {
    const { config, sessions } = this.options;
    const nowMs = this.clock();
    const tree = this.replica.dataTree;
    if (request.lastZxidSeen > tree.lastProcessedZxid) {
      transport.close(`client has seen zxid 0x${request.lastZxidSeen.toString(16)}, ours is 0x${tree.lastProcessedZxid.toString(16)}`);
      onSession(null);
      return;
    }
    const timeoutMs = Math.min(Math.max(request.timeOut, config.minSessionTimeoutMs), config.maxSessionTimeoutMs);
    const isNew = request.sessionId === 0n;
    if (isNew && sessions.size >= sessions.sessionsMax) {
      transport.close('too many sessions');
      onSession(null);
      return;
    }
    const origin = this.originOf(transport);
    this.pendingConnects.set(origin, { transport, onSession, receivedAtMs: nowMs, omitsReadOnly: request.omitsReadOnly === true, isNew });
    const authIds: Id[] = [{ scheme: 'ip', id: transport.remoteAddress }];
    if (isNew) this.replica.connect(origin, timeoutMs, authIds, nowMs);
    else this.replica.reconnect(origin, request.sessionId, request.passwd, timeoutMs, authIds, nowMs);
    this.scheduleTurn();
  }

  detach(session: Session | null, transport: ClientTransport): void {
    const origin = this.origins.get(transport);
    if (origin !== undefined && !transport.sharesSession) {
      this.origins.delete(transport);
      this.transports.delete(origin);
      // A connect still in progress: its answer finds no connection (see `connected`).
      this.pendingConnects.delete(origin);
      this.replyEstimates.forget(origin);
      if (session !== null) this.replica.detach(session.id, origin);
    }
    if (session?.transport === transport) session.transport = null;
  }

  submit(session: Session, xid: number, type: number, request: ClientRequest | null, origin: ClientTransport | null = session.transport): void {
    const nowMs = this.clock();
    this.options.stats.packetsReceived += 1;
    if (origin === null) return;
    if (request !== null && request.type === OpCode.auth) {
      this.auth(session, origin, xid, request.scheme, request.auth);
      return;
    }
    const number = this.originOf(origin);
    origin.backlog.requestCount += 1;
    if (request === null) {
      // Unknown opcode: UNIMPLEMENTED in its turn, then the connection closes (UnimplementedRequestProcessor).
      this.closeAfterReply.add(`${number}:${xid}`);
      this.replica.submitError(session.id, xid, type, ZkCode.UNIMPLEMENTED, nowMs);
    } else {
      // Counted against the connection's output limit until the reply is built (see ReplyEstimates).
      const estimate = this.lastEstimate;
      this.lastEstimate = null;
      const bytes = estimate?.request === request ? estimate.bytes : estimateReplyBytes({ tree: this.replica.dataTree, sessionId: session.id }, request);
      this.replyEstimates.owe(number, xid, bytes, origin.backlog);
      if (origin.sharesSession === true) this.replica.submit(session.id, xid, request, session.authIds, nowMs, number);
      else this.replica.submit(session.id, xid, request, session.authIds, nowMs);
    }
    this.scheduleTurn();
  }

  submitMalformed(session: Session, xid: number, type: number): void {
    this.options.stats.packetsReceived += 1;
    if (session.transport !== null) session.transport.backlog.requestCount += 1;
    this.replica.submitError(session.id, xid, type, ZkCode.MARSHALLINGERROR, this.clock());
    this.scheduleTurn();
  }

  proposeDeleteContainer(path: string): void {
    this.replica.proposeDeleteContainer(path);
    this.scheduleTurn();
  }

  /** One tick of the single interval. */
  private tick(): void {
    if (this.failed || this.closed) return;
    this.replica.tick(this.clock());
    this.forgetClosedSessions();
    this.scheduleTurn();
  }

  /** Stops the tick and waits for the write in flight and a running snapshot. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.snapshotting;
  }

  /**
   * ZooKeeperServer.processPacket answers auth at once, with the request's
   * own xid and zxid 0, outside the FIFO: auth ids are connection state.
   */
  private auth(session: Session, transport: ClientTransport, xid: number, scheme: string, auth: Uint8Array): void {
    if (!addAuth(session.authIds, { scheme, auth, superDigest: this.options.config.superDigest, remoteAddress: transport.remoteAddress })) {
      // ZooKeeper answers AUTHFAILED and closes the connection.
      transport.sendReply({ xid, zxid: 0n, err: ZkCode.AUTHFAILED }, null);
      transport.close('authentication failed');
      return;
    }
    const origin = this.origins.get(transport);
    if (origin !== undefined && transport === session.transport) this.replica.attach(session.id, origin, session.authIds);
    transport.sendReply({ xid, zxid: 0n, err: ZkCode.OK }, null);
  }

  private originOf(transport: ClientTransport): number {
    let origin = this.origins.get(transport);
    if (origin === undefined) {
      origin = this.nextOrigin++;
      this.origins.set(transport, origin);
      this.transports.set(origin, transport);
    }
    return origin;
  }

  /** Sessions closed by txns while no connection of theirs was here leave the connection-state table. */
  private forgetClosedSessions(): void {
    const live = this.replica.dataTree.sessions();
    if (this.options.sessions.size <= live.size) return;
    for (const session of [...this.options.sessions.values()]) {
      if (!live.has(session.id)) this.forgetSession(session);
    }
  }

  private forgetSession(session: Session): void {
    session.closing = true;
    this.options.sessions.remove(session.id);
  }

  // ---- the loop ---------------------------------------------------------------

  private scheduleTurn(): void {
    if (this.turnScheduled || this.failed) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.turn();
    });
  }

  /**
   * Takes Readies while there are any. The Replica hands out one broadcast
   * part at a time; while its write is in flight, the Readies that apply the
   * commits before it and answer their clients, and client-only Readies
   * (reads), keep coming.
   */
  private turn(): void {
    while (!this.failed && this.replica.hasReady()) {
      const ready = this.replica.ready();
      for (const out of ready.clientOutputs) this.write(out);
      if (ready.role !== null) this.onRole(ready);
      if (ready.applied.length > 0) this.applied(ready.applied.length);
      const broadcast = ready.broadcast;
      if (broadcast === null) {
        this.replica.advance(ready);
        continue;
      }
      if (this.execute(ready, broadcast)) {
        // txn-log starts a write in a microtask (its CommitQueue joins the appends of one
        // synchronous run); the rest of this turn — applying and answering the commits that
        // came with this Ready — runs in a microtask queued behind it, so the disk syncs
        // batch N+1 while this thread answers batch N (as the old RequestPipeline did).
        queueMicrotask(() => this.turn());
        return;
      }
    }
  }

  /**
   * One broadcast Ready, in the order broadcast's README gives. An ensemble
   * of one sends no peer messages, installs no snapshot and never truncates.
   * True when a durable write was started.
   */
  private execute(ready: ReplicaReady, broadcast: Ready): boolean {
    assert(broadcast.messages.length === 0, 'an ensemble of one has no peers to send to');
    assert(broadcast.snapshot === null && broadcast.truncate === null, 'a leader never rewrites its own log');
    if (broadcast.append.length === 0 && broadcast.hardState === null) {
      this.persisted(ready, broadcast);
      return false;
    }
    assert(!this.persisting, 'one durable write at a time');
    this.persisting = true;
    this.appendingCount += broadcast.append.length;
    this.persist(broadcast).then(
      () => {
        this.persisting = false;
        this.appendingCount -= broadcast.append.length;
        this.persisted(ready, broadcast);
        this.turn();
      },
      (error: unknown) => {
        // Never acknowledge what is not durable: stop here; restart recovers from disk.
        this.failed = true;
        // A write still in flight when the server closed its storage is simply never acknowledged.
        if (this.closed) this.options.logger.warn({ error }, 'a log write failed while closing; not acknowledged');
        else this.options.onFatal(error);
      },
    );
    return true;
  }

  /** The ONE durable unit of a Ready: the appended records (txn-log's group commit), then the epochs. */
  private async persist(broadcast: Ready): Promise<void> {
    if (broadcast.append.length > 0) await this.options.log.append(broadcast.append);
    if (broadcast.hardState !== null) await writeEpochs(this.options.config.dataDir, broadcast.hardState);
  }

  /** The Ready's writes are durable: the self-ack goes back in, then `advance`. */
  private persisted(ready: ReplicaReady, broadcast: Ready): void {
    for (const out of broadcast.messagesAfterPersist) {
      assert(out.to === this.sid, 'an ensemble of one only acknowledges to itself');
      this.replica.step(this.sid, out.msg);
    }
    assert(broadcast.logReads.length === 0, 'no learner asks for a disk read');
    this.replica.advance(ready);
    if (broadcast.stopped !== null) {
      this.failed = true;
      this.options.onFatal(new Error(`the leader of an ensemble of one stopped: ${broadcast.stopped.reason}`));
    }
  }

  private onRole(ready: ReplicaReady): void {
    const role = ready.role;
    if (role === null) return;
    assert(role.rebuildAtOrBelow === null, 'a leader is never asked to rebuild its tree');
    if (role.role === 'leading') {
      this.established?.();
      this.established = null;
    }
  }

  // ---- client outputs -----------------------------------------------------------

  private write(out: ClientOutput): void {
    switch (out.kind) {
      case 'connected':
        this.connected(out.origin, out.sessionId, out.timeoutMs, out.passwd);
        return;
      case 'refused':
        this.refused(out.origin, out.reason);
        return;
      case 'reply':
        this.reply(out);
        return;
      case 'event': {
        this.transports.get(out.origin)?.sendEvent({ type: out.type, state: KeeperState.SyncConnected, path: out.path });
        return;
      }
      case 'close': {
        const session = this.options.sessions.get(out.sessionId);
        if (session !== undefined && !this.replica.dataTree.sessions().has(out.sessionId)) this.forgetSession(session);
        const transport = this.transports.get(out.origin);
        if (transport === undefined) return;
        if (session?.transport === transport) session.transport = null;
        transport.close(out.reason);
      }
    }
  }

  private connected(origin: number, sessionId: bigint, timeoutMs: number, passwd: Uint8Array): void {
    const pending = this.pendingConnects.get(origin);
    if (pending === undefined) {
      // The connection closed before its session was ready: the session waits for a reconnect or expiry.
      this.replica.detach(sessionId, origin);
      return;
    }
    this.pendingConnects.delete(origin);
    const nowMs = this.clock();
    const session = this.options.sessions.get(sessionId) ?? this.options.sessions.add(sessionId, timeoutMs, nowMs);
    session.timeoutMs = timeoutMs;
    session.closing = false;
    session.transport = pending.transport;
    // Auth belongs to the connection, as in ZooKeeper: clients re-send it after reconnecting.
    session.authIds = [{ scheme: 'ip', id: pending.transport.remoteAddress }];
    const omits = pending.omitsReadOnly ? { omitsReadOnly: true } : {};
    if (pending.isNew) {
      pending.transport.stats.recordResponse({
        cxid: 0, zxid: this.replica.dataTree.lastProcessedZxid, operation: 'SESS', receivedAtMs: pending.receivedAtMs, nowMs,
      });
    }
    pending.transport.sendConnectResponse({ protocolVersion: 0, timeOut: timeoutMs, sessionId, passwd, readOnly: false, ...omits });
    pending.onSession(session);
  }

  private refused(origin: number, reason: string): void {
    const pending = this.pendingConnects.get(origin);
    if (pending === undefined) return;
    this.pendingConnects.delete(origin);
    const omits = pending.omitsReadOnly ? { omitsReadOnly: true } : {};
    // ZooKeeper answers an invalid session with timeout 0, which the client reports as expired.
    pending.transport.sendConnectResponse({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false, ...omits });
    pending.transport.close(reason);
    pending.onSession(null);
  }

  private reply(out: Extract<ClientOutput, { kind: 'reply' }>): void {
    const transport = this.transports.get(out.origin);
    if (transport === undefined) return;
    transport.backlog.requestCount = Math.max(0, transport.backlog.requestCount - 1);
    this.replyEstimates.settle(out.origin, out.cxid, transport.backlog);
    const nowMs = this.clock();
    this.options.stats.recordReply(nowMs - out.receivedAtMs);
    transport.stats.recordResponse({ cxid: out.cxid, zxid: out.zxid, operation: operationName(out.type, out.err), receivedAtMs: out.receivedAtMs, nowMs });
    transport.sendReply({ xid: out.cxid, zxid: out.zxid, err: out.err }, out.response);
    // Almost always empty: no key is built per reply.
    if (this.closeAfterReply.size > 0 && this.closeAfterReply.delete(`${out.origin}:${out.cxid}`)) transport.close('unknown request type');
  }

  // ---- snapshots ------------------------------------------------------------------

  /** Randomised per server so an ensemble does not snapshot all at once (ZooKeeper's snapCount). */
  private nextSnapshotThreshold(): number {
    const half = Math.max(1, Math.floor(this.options.config.snapCount / 2));
    return half + randomInt(half);
  }

  private applied(count: number): void {
    this.options.onApplied?.();
    this.appliedSinceSnapshot += count;
    if (this.appliedSinceSnapshot < this.snapshotThreshold || this.snapshotting !== null || this.closed) return;
    this.appliedSinceSnapshot = 0;
    this.snapshotThreshold = this.nextSnapshotThreshold();
    this.snapshotting = this.takeSnapshot()
      .catch((error: unknown) => this.options.logger.error({ error }, 'snapshot failed; will retry after the next snapCount txns'))
      .finally(() => {
        this.snapshotting = null;
      });
  }

  /**
   * A snapshot of the committed tree, serialized one chunk per turn so
   * requests keep being served during the walk: it is fuzzy between its
   * START zxid (its name) and the zxid the walk ended at, and recovery
   * replays the log in that range over it (`loadExactSnapshot`), which makes
   * it exact at the walk's end before the log above is re-committed. The
   * log below the oldest retained snapshot is then purged and the leader
   * told.
   */
  async takeSnapshot(): Promise<void> {
    const tree = this.replica.dataTree;
    const zxid = tree.lastProcessedZxid;
    const { snapshots, log, config, logger } = this.options;
    const writer = snapshots.beginSnapshot(zxid);
    try {
      for (const chunk of serializeSnapshot(tree)) {
        // A closing server gives up the walk; the previous snapshot still covers the log.
        if (this.closed) throw new Error('server closing');
        // The log range replayed over it must be the history this tree applied (a role that installs a SNAP replaces it).
        assert(this.replica.dataTree === tree, 'the tree is not replaced while a snapshot walks it');
        await writer.write(chunk);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const info = await writer.commit();
      this.lastSnapshotBytes = info.byteCount;
      logger.info({ zxid, bytes: info.byteCount }, 'snapshot written');
    } catch (error) {
      await writer.abort().catch(() => undefined);
      if (this.closed) return;
      throw error;
    }
    if (config.purgeIntervalHours <= 0) return;
    const purged = await snapshots.purge(config.snapRetainCount);
    if (purged.oldestRetainedZxid === null) return;
    await log.purgeBefore(purged.oldestRetainedZxid);
    this.replica.logCompacted(purged.oldestRetainedZxid);
  }
}

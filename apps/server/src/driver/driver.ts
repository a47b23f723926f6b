/**
 * The server's Driver (STYLE §3, packages/replica README "How the Driver
 * drives it"): it runs one server through @corral/replica over broadcast's
 * real machines — standalone as an ensemble of one (`SoloRole`), or as an
 * ensemble member with election and peers (`EnsembleRole`) — and owns all
 * of its I/O: the client transports (through the front ends and
 * `ClientConnections`), the single tick interval, the clock, and the disk
 * (`DriverDisk`: txn-log, snapshots, epoch files, the one group commit).
 *
 * Every input (a request, a connect, a peer message, a tick, a resolved
 * write) is stepped into the Replica at once; once per event-loop turn
 * (setImmediate) the Driver takes Readies. A Ready's broadcast part is
 * executed in broadcast's order: messages, then ONE durable write (rewrite,
 * records, epochs), then — only after it resolved — the messages after
 * persist (a self-ack is stepped straight back), log reads, disconnects and
 * `advance`. A part with nothing to write is finished synchronously, so a
 * commit's replies do not wait for a turn. This file is the only consensus
 * code that awaits: the persist-before-ack ordering lives here and nowhere
 * else.
 */
import { ZkCode, assert, zxidToHex, type Zxid } from '@corral/base';
import type { Ready } from '@corral/broadcast';
import type { DataTree, Id, WatchManager } from '@corral/data-tree';
import { Replica, type ReplicaReady } from '@corral/replica';
import { randomInt } from 'node:crypto';
import type { SnapshotStore, TxnLogStore } from '@corral/txn-log';
import { OpCode, type ClientRequest, type ConnectRequest } from '@corral/wire';
import type { EnsembleReport } from '../admin/ensemble-report.js';
import type { LearnerSyncCounts } from '../stats/learner-sync-counts.js';
import { addAuth } from '../auth/auth-ids.js';
import { ensembleMembership, isStandalone } from '../config/ensemble-config.js';
import type { ServerConfig } from '../config/server-config.js';
import type { ClientCore } from '../core/client-core.js';
import type { Logger } from '../logger.js';
import type { PeerLimits } from '../peer/limits.js';
import { takePreloadedTree } from '../peer/snapshot-preload.js';
import { estimateReplyBytes } from '../core/reply-size.js';
import { storageLimits } from '../storage/storage-limits.js';
import { sessionPassword } from '../session/session-ids.js';
import type { SessionTable } from '../session/session-table.js';
import type { ClientTransport, Session } from '../session/session.js';
import type { ServerStats } from '../stats/server-stats.js';
import { standaloneBroadcastLimits } from './broadcast-limits.js';
import { ClientConnections } from './client-connections.js';
import { DriverDisk } from './driver-disk.js';
import { EnsembleRole } from './ensemble-role.js';
import { broadcastTrace, startBroadcastTrace } from './ensemble-trace.js';
import { hopTrace } from '../stats/hop-trace.js';
import type { RoleHost, RoleRunner, ServerMode } from './role-runner.js';
import { SoloRole } from './solo-role.js';

export { standaloneBroadcastLimits, standalonePendingProposalsMax } from './broadcast-limits.js';

/** An ensemble member's base tick: election time is counted in it (its limits assume 20 ms). */
export const electionTickMs = 20;

/** What a Driver runs on. */
export interface DriverOptions {
  readonly config: ServerConfig;
  readonly log: TxnLogStore;
  readonly snapshots: SnapshotStore;
  /** Connection state of sessions, as the front ends see them; the Driver keeps it in step with the Replica. */
  readonly sessions: SessionTable;
  readonly stats: ServerStats;
  readonly logger: Logger;
  /** The log, the epochs or a snapshot could not be stored: never acknowledge; the caller exits and restart recovers. */
  readonly onFatal: (error: unknown) => void;
  /** After each Ready that applied txns, and after the tree was replaced (SNAP install, rebuild): gRPC waiters re-check. */
  readonly onApplied?: () => void;
  /** The server started or stopped serving clients (a role established, or back to election): gRPC health. */
  readonly onServing?: (serving: boolean) => void;
  /** Test-only: peer transport limits of an ensemble member. */
  readonly peerLimits?: Partial<PeerLimits>;
}

/** Front-end work run on the Driver's interval (see `Driver.every`). */
interface PeriodicTask {
  readonly everyMs: number;
  readonly run: () => void;
  dueInMs: number;
}

/** One server's core over @corral/replica. */
export class Driver implements ClientCore, RoleHost {
  readonly replica: Replica;
  readonly disk: DriverDisk;
  readonly logger: Logger;
  private readonly options: DriverOptions;
  private readonly sid: number;
  /** The clock, owned here: time enters the Replica only through the Driver. */
  private readonly clock = (): number => Date.now();
  private readonly connections: ClientConnections;
  private roles: RoleRunner | null = null;
  /** The last `estimateReplyBytes` answer, for the `submit` of the same request that follows it. */
  private lastEstimate: { readonly request: ClientRequest; readonly bytes: number } | null = null;
  private turnScheduled = false;
  /** A broadcast Ready whose write is in flight (the Replica hands out no other broadcast part until it is advanced). */
  private persisting = false;
  /** That write rewrites the log (SNAP install, TRUNC): no snapshot starts until it is durable. */
  private rewriting = false;
  private failed = false;
  private closed = false;
  private servingNow = false;
  /** The tree the last Ready left: a different one means a SNAP install or a rebuild replaced it. */
  private lastTree: DataTree | null = null;
  private timer: NodeJS.Timeout | null = null;
  private baseTicks = 0;
  private established: (() => void) | null = null;
  /**
   * The role went LOOKING (its RoleChange, with a rebuild point when a TRUNC
   * went below the tree); the runner is told once the machine's last Ready is
   * durable and advanced, so election starts from the position on disk.
   */
  private roleEnded: { readonly reason: string; readonly rebuildAtOrBelow: Zxid | null } | null = null;
  /** Records appended and not yet durable. */
  private appendingCount = 0;
  private appliedSinceSnapshot = 0;
  private snapshotThreshold: number;
  /** Work of the front ends run on the Driver's interval (container checks, gRPC keep-alives): one timer per server. */
  private readonly periodic = new Set<PeriodicTask>();

  private constructor(options: DriverOptions, replica: Replica, disk: DriverDisk, sid: number) {
    this.options = options;
    this.logger = options.logger;
    this.replica = replica;
    this.disk = disk;
    this.sid = sid;
    this.connections = new ClientConnections({ replica, sessions: options.sessions, stats: options.stats, clock: this.clock });
    this.snapshotThreshold = this.nextSnapshotThreshold();
  }

  /**
   * Recovers from disk (DriverDisk.recover) and starts the role: standalone,
   * resolves once the Leader is established and serving; an ensemble
   * member, once its peer ports are bound (it serves once elected and synced).
   */
  static async start(options: DriverOptions): Promise<Driver> {
    const { config, log, snapshots, logger } = options;
    const startedMs = performance.now();
    const standalone = isStandalone(config);
    const membership = standalone ? null : ensembleMembership(config);
    const { disk, tree, migrated } = await DriverDisk.recover({ config, log, snapshots, logger }, standalone);
    const sid = membership?.myid ?? config.myid ?? 1;
    const startMs = Date.now();
    const replica = new Replica({
      serverId: sid, tree, tickMs: config.tickTimeMs, startMs, extendedTypesEnabled: config.extendedTypesEnabled, sessionPassword,
      // The tree a SNAP's peer stream loaded as its chunks arrived.
      preloadedSnapshot: takePreloadedTree,
      // Prep keeps every txn under the log's record limit, so no request can become a storage failure.
      limits: { txnBytesMax: storageLimits(config).recordBytesMax },
    });
    const driver = new Driver(options, replica, disk, sid);
    if (migrated && tree.lastProcessedZxid > 0n) await disk.takeSnapshot(tree, (zxid) => replica.logCompacted(zxid));
    for (const [sessionId, timeoutMs] of tree.sessions()) options.sessions.add(sessionId, timeoutMs, startMs);
    const limits = standaloneBroadcastLimits(config);
    if (membership === null) {
      const established = new Promise<void>((resolve) => {
        driver.established = resolve;
      });
      driver.roles = await SoloRole.start(driver, config, sid, limits);
      driver.scheduleTurn();
      await established;
      logger.info({ zxid: zxidToHex(replica.dataTree.lastProcessedZxid), ms: Math.round(performance.now() - startedMs) }, 'leading an ensemble of one');
      driver.startTicks(config.tickTimeMs);
      return driver;
    }
    if (config.reconfigEnabled) logger.warn({ key: 'reconfigEnabled' }, 'dynamic reconfiguration is not supported: the server lines of zoo.cfg are the ensemble');
    driver.roles = await EnsembleRole.start({ host: driver, config, membership, limits, ...(options.peerLimits === undefined ? {} : { peerLimits: options.peerLimits }) });
    logger.info({ sid, zxid: zxidToHex(tree.lastProcessedZxid), ms: Math.round(performance.now() - startedMs) }, 'ensemble member started');
    driver.startTicks(electionTickMs);
    startBroadcastTrace(logger, sid);
    return driver;
  }

  /** The applied tree (admin commands, reply-size estimates, gRPC waiters); replaced by a SNAP. */
  get tree(): DataTree {
    return this.replica.dataTree;
  }

  /** The watch index of local sessions. */
  get watches(): WatchManager {
    return this.replica.watches;
  }

  /** True while a role is established and clients are served (false while electing or syncing). */
  get serving(): boolean {
    return this.servingNow;
  }

  /** True while this member, without a quorum, serves read-only clients (readonlymode.enabled). */
  get readOnly(): boolean {
    return this.replica.readOnly;
  }

  /** ZooKeeper's Mode: standalone, leader, follower, observer, or looking (not serving). */
  get mode(): ServerMode {
    return this.roles?.mode ?? 'looking';
  }

  /** What the four-letter words print about this server's role. */
  ensembleReport(): EnsembleReport {
    const roles = this.roles;
    assert(roles !== null, 'the role runner starts with the Driver');
    return roles.ensembleReport();
  }

  /** Learners this server synced as a leader, by DIFF and by SNAP. */
  get learnerSyncs(): Readonly<LearnerSyncCounts> {
    return this.roles?.learnerSyncs ?? { diff: 0, snap: 0 };
  }

  get lastSnapshotBytes(): number {
    return this.disk.lastSnapshotBytes;
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
    // A read-only server takes the connect to the Replica, which refuses clients that did not ask for read-only.
    if (!this.servingNow && !this.replica.readOnly) {
      // ZooKeeper closes connections while it is not running (electing, syncing): the client tries another server.
      transport.close('ZooKeeperServer not running');
      onSession(null);
      return;
    }
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
    const origin = this.connections.originOf(transport);
    this.connections.expectConnect(origin, { transport, onSession, receivedAtMs: nowMs, omitsReadOnly: request.omitsReadOnly === true, isNew });
    const authIds: Id[] = [{ scheme: 'ip', id: transport.remoteAddress }];
    if (isNew) this.replica.connect(origin, timeoutMs, authIds, nowMs, request.readOnly);
    else this.replica.reconnect(origin, request.sessionId, request.passwd, timeoutMs, authIds, nowMs, request.readOnly);
    this.scheduleTurn();
  }

  detach(session: Session | null, transport: ClientTransport): void {
    if (!transport.sharesSession) {
      const origin = this.connections.forget(transport);
      if (origin !== undefined && session !== null) this.replica.detach(session.id, origin);
    }
    if (session?.transport === transport) session.transport = null;
  }

  submit(session: Session, xid: number, type: number, request: ClientRequest | null, origin: ClientTransport | null = session.transport): void {
    const nowMs = this.clock();
    if (hopTrace.enabled) hopTrace.mark('client-in', String(type));
    this.options.stats.packetsReceived += 1;
    if (origin === null) return;
    if (request !== null && request.type === OpCode.auth) {
      this.auth(session, origin, xid, request.scheme, request.auth);
      return;
    }
    const number = this.connections.originOf(origin);
    origin.backlog.requestCount += 1;
    if (request === null) {
      // Unknown opcode: UNIMPLEMENTED in its turn, then the connection closes (UnimplementedRequestProcessor).
      this.connections.closeAfter(number, xid);
      this.replica.submitError(session.id, xid, type, ZkCode.UNIMPLEMENTED, nowMs);
    } else {
      // Counted against the connection's output limit until the reply is built (see ReplyEstimates).
      const estimate = this.lastEstimate;
      this.lastEstimate = null;
      const bytes = estimate?.request === request ? estimate.bytes : estimateReplyBytes({ tree: this.replica.dataTree, sessionId: session.id }, request);
      this.connections.owe(number, xid, bytes, origin.backlog);
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

  /**
   * Runs `run` about every `everyMs` (rounded up to the Driver's interval)
   * until the returned function is called: the front ends' periodic work
   * shares the Driver's one timer instead of holding their own.
   */
  every(everyMs: number, run: () => void): () => void {
    assert(everyMs > 0, 'a periodic task needs a positive period');
    const task: PeriodicTask = { everyMs, run, dueInMs: everyMs };
    this.periodic.add(task);
    return () => this.periodic.delete(task);
  }

  /** Stops the tick, the peers, and waits for a running snapshot. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.roles?.close();
    await this.disk.idle();
  }

  // ---- RoleHost ---------------------------------------------------------------

  idle(): boolean {
    return !this.persisting && !this.failed && this.roleEnded === null && this.replica.role === 'looking' && !this.replica.hasReady();
  }

  scheduleTurn(): void {
    if (this.turnScheduled || this.failed) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.turn();
    });
  }

  fatal(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    // A write still in flight when the server closed its storage is simply never acknowledged.
    if (this.closed) this.logger.warn({ error }, 'a write failed while closing; not acknowledged');
    else this.options.onFatal(error);
  }

  // ---- the loop ---------------------------------------------------------------

  private runPeriodic(elapsedMs: number): void {
    for (const task of this.periodic) {
      task.dueInMs -= elapsedMs;
      if (task.dueInMs > 0) continue;
      task.dueInMs = task.everyMs;
      task.run();
    }
  }

  /** The single interval: base ticks (election time for a member), and the Replica's tick every tickTime. */
  private startTicks(baseMs: number): void {
    const perTick = Math.max(1, Math.round(this.options.config.tickTimeMs / baseMs));
    this.timer = setInterval(() => {
      if (this.failed || this.closed) return;
      this.roles?.tick();
      this.baseTicks += 1;
      if (this.baseTicks % perTick === 0) {
        this.replica.tick(this.clock());
        this.connections.forgetClosedSessions();
      }
      this.runPeriodic(Math.min(baseMs, this.options.config.tickTimeMs));
      this.scheduleTurn();
    }, Math.min(baseMs, this.options.config.tickTimeMs));
    this.timer.unref();
  }

  /**
   * Takes Readies while there are any. The Replica hands out one broadcast
   * part at a time; while its write is in flight, the Readies that apply the
   * commits before it and answer their clients, and client-only Readies
   * (reads), keep coming.
   */
  private turn(): void {
    if (this.closed) return;
    hopTrace.mark('turn');
    this.roles?.pump();
    while (!this.failed && this.replica.hasReady()) {
      const ready = this.replica.ready();
      broadcastTrace.ready();
      for (const out of ready.clientOutputs) this.connections.write(out);
      if (ready.role !== null) this.onRole(ready.role);
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
    this.endRole();
    this.roles?.pump();
    this.noticeTreeReplaced();
  }

  /** The Replica's tree is a new object (SNAP installed, or rebuilt below a TRUNC): whoever reads it re-checks. */
  private noticeTreeReplaced(): void {
    const tree = this.replica.dataTree;
    if (tree === this.lastTree) return;
    const replaced = this.lastTree !== null;
    this.lastTree = tree;
    if (replaced) this.options.onApplied?.();
  }

  /** The ended role's machine is gone and nothing of it is in flight: back to election. */
  private endRole(): void {
    const ended = this.roleEnded;
    if (ended === null || this.persisting || this.failed || this.replica.role !== 'looking') return;
    this.roleEnded = null;
    this.roles?.stopped(ended.reason, ended.rebuildAtOrBelow);
  }

  /** One broadcast Ready, in the order broadcast's README gives; true when a durable write started. */
  private execute(ready: ReplicaReady, broadcast: Ready): boolean {
    this.roles?.send(broadcast.messages);
    if (!DriverDisk.writes(broadcast)) {
      this.persisted(ready, broadcast);
      return false;
    }
    assert(!this.persisting, 'one durable write at a time');
    this.persisting = true;
    this.rewriting = broadcast.snapshot !== null || broadcast.truncate !== null;
    this.appendingCount += broadcast.append.length;
    const startedMs = broadcastTrace.enabled ? performance.now() : 0;
    if (hopTrace.enabled) hopTrace.mark('persist-start', String(broadcast.append.length));
    this.disk.persist(broadcast).then(
      () => {
        if (broadcastTrace.enabled) broadcastTrace.wrote(broadcast.append.length, performance.now() - startedMs);
        hopTrace.mark('persist-end');
        this.persisting = false;
        this.rewriting = false;
        this.appendingCount -= broadcast.append.length;
        // Closing: nothing more is acknowledged or sent (the peers and storage are going).
        if (this.failed || this.closed) return;
        this.persisted(ready, broadcast);
        this.turn();
      },
      (error: unknown) => this.fatal(error),
    );
    return true;
  }

  /** The Ready's writes are durable: acks go out (a self-ack back in), log reads, disconnects, `advance`. */
  private persisted(ready: ReplicaReady, broadcast: Ready): void {
    const others = broadcast.messagesAfterPersist.filter((out) => out.to !== this.sid);
    this.roles?.send(others);
    for (const out of broadcast.messagesAfterPersist) if (out.to === this.sid) this.replica.step(this.sid, out.msg);
    for (const read of broadcast.logReads) {
      this.disk.read(read).then((txns) => {
        this.replica.logRead(read, txns);
        this.scheduleTurn();
      }, (error: unknown) => this.fatal(error));
    }
    this.roles?.disconnect(broadcast.disconnect);
    this.replica.advance(ready);
  }

  private onRole(role: NonNullable<ReplicaReady['role']>): void {
    const serving = role.role !== 'looking';
    const changed = serving !== this.servingNow;
    this.servingNow = serving;
    if (changed) this.options.onServing?.(serving);
    if (role.role === 'looking') this.roleEnded = { reason: role.reason ?? 'role lost', rebuildAtOrBelow: role.rebuildAtOrBelow };
    this.roles?.roleChanged(role.role);
    if (role.role === 'looking') {
      // Every connection goes: its clients reconnect to a serving server (the Replica closed its sessions' already).
      this.connections.closeAll(`this server stopped serving: ${role.reason ?? 'role lost'}`);
      return;
    }
    this.established?.();
    this.established = null;
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
    const origin = this.connections.knownOrigin(transport);
    if (origin !== undefined && transport === session.transport) this.replica.attach(session.id, origin, session.authIds);
    transport.sendReply({ xid, zxid: 0n, err: ZkCode.OK }, null);
  }

  // ---- snapshots ------------------------------------------------------------------

  /** Randomised per server so an ensemble does not snapshot all at once (ZooKeeper's snapCount). */
  private nextSnapshotThreshold(): number {
    const half = Math.max(1, Math.floor(this.options.config.snapCount / 2));
    return half + randomInt(half);
  }

  /** Txns were applied: maybe a snapshot (never between a log rewrite and its durability). */
  private applied(count: number): void {
    this.options.onApplied?.();
    this.appliedSinceSnapshot += count;
    if (this.appliedSinceSnapshot < this.snapshotThreshold || this.disk.snapshotRunning || this.closed || this.rewriting) return;
    this.appliedSinceSnapshot = 0;
    this.snapshotThreshold = this.nextSnapshotThreshold();
    this.disk.startSnapshot(this.replica.dataTree, (zxid) => this.replica.logCompacted(zxid), () => this.replica.dataTree, (error) => this.fatal(error));
  }

  /** Test hook: an exact snapshot now. */
  async takeSnapshot(): Promise<void> {
    await this.disk.takeSnapshot(this.replica.dataTree, (zxid) => this.replica.logCompacted(zxid));
  }
}

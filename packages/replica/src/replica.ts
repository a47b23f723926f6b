/**
 * One server's brain, pure and shared by the server and the simulator
 * (DESIGN-REPLICATION "packages/replica"): it holds the data tree, the
 * replicated session table and this server's broadcast machine, and turns
 * client requests and peer messages into one Ready stream for its Driver.
 *
 * - A follower forwards writes to the leader (REQUEST); the leader runs
 *   prep and proposes. Standalone is a leader of an ensemble of one: the
 *   same path.
 * - Final applies committed txns in zxid order on every server and answers
 *   the local session waiting for (sessionId, cxid).
 * - Sessions are created, expired and closed only through txns the leader
 *   proposes; the leader owns expiry (in ticks); learners relay touches.
 *
 * Nothing here waits, reads a clock or draws a random number: time comes in
 * with `tick(nowMs)` and `submit(..., nowMs)`, and the one secret-dependent
 * function (session passwords) is injected.
 */
import { ZkCode, assert, type Zxid } from '@corral/base';
import {
  DataTree, decodeTxn, deserializeSnapshot, encodeTxn, serializeSnapshot, txnBytesMax, type Id, type WatchManager,
} from '@corral/data-tree';
import { OpCode, ProtocolError, type ClientRequest } from '@corral/wire';
import type { Inbound, LeaderMachine, LearnerMachine, LogRead, OutMsg, PeerMsg, Ready, ServerId, Txn } from './broadcast-port.js';
import { Final, type QueuedRequest } from './final/final.js';
import { revalidationsPendingMax, sessionQueueMax, syncsPendingMax, touchesPerMessageMax, waitingWritesMax, type ReplicaLimits } from './limits.js';
import type { ClientOutput, ReplicaReady, RoleChange } from './outputs.js';
import {
  decodeRequestPayload, decodeRevalidatePayload, encodeRequestPayload, encodeRevalidatePayload, type ForwardedSync, type RequestPayload, type RevalidatePayload,
} from './peer-payload.js';
import { multiAsZooKeeperReadsIt } from './prep/multi-ops.js';
import { Prep } from './prep/prep.js';
import type { PreparedTxn } from './prep/prepared.js';
import { OwnProposals } from './own-proposals.js';
import { ReadOnlySessions } from './read-only/read-only-sessions.js';
import { SessionExpiry } from './session/session-expiry.js';
import { frameSnapshotChunks, snapshotChunksOf } from './snapshot-frames.js';
import { initialSessionId, passwordsEqual } from './session/session-ids.js';

/** Requests that become txns. */
const writeTypes: ReadonlySet<number> = new Set([
  OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.deleteContainer,
  OpCode.setData, OpCode.setACL, OpCode.check, OpCode.multi, OpCode.reconfig,
]);

/** What a Replica is built from. */
export interface ReplicaOptions {
  readonly serverId: ServerId;
  /** The tree recovered from disk (snapshot plus log); a fresh one by default. */
  readonly tree?: DataTree;
  /** Milliseconds per tick: session timeouts are turned into ticks with it. */
  readonly tickMs: number;
  /** The server's start time: session ids begin from it, as ZooKeeper's. */
  readonly startMs: number;
  readonly extendedTypesEnabled?: boolean;
  /**
   * The 16-byte password of a session, the same on every server (ZooKeeper
   * derives it from the id and a shared secret). Injected: the server
   * hashes with node:crypto, the simulator with anything deterministic.
   */
  readonly sessionPassword: (sessionId: bigint) => Uint8Array;
  /**
   * The tree already loaded from a SNAP's bytes (snapshot-frames), or null.
   * Injected: the server's peer stream loads it while the chunks arrive, so
   * loading overlaps the transfer. Null (and the default) deserializes the
   * bytes at install.
   */
  readonly preloadedSnapshot?: (snapshot: Uint8Array) => DataTree | null;
  readonly limits?: Partial<ReplicaLimits>;
}

/** A write waiting for the leader to give it a zxid (a sync never takes one). */
type Waiting = Exclude<RequestPayload, ForwardedSync> | { readonly kind: 'expire'; readonly sessionId: bigint };

/** The role machine this Replica drives. */
type Machine =
  | { readonly role: 'leading'; readonly machine: LeaderMachine }
  | { readonly role: 'following' | 'observing'; readonly machine: LearnerMachine };

/** One server's replicated state machine. */
export class Replica {
  readonly serverId: ServerId;
  private tree: DataTree;
  private readonly final: Final;
  private readonly outputs: ClientOutput[] = [];
  private readonly limits: ReplicaLimits;
  private readonly tickMs: number;
  private readonly extendedTypesEnabled: boolean;
  private readonly sessionPassword: (sessionId: bigint) => Uint8Array;
  private readonly preloadedSnapshot: (snapshot: Uint8Array) => DataTree | null;
  private nowMs: number;
  private nextSessionId: bigint;

  private current: Machine | null = null;
  /** broadcast said the role is established (ZooKeeper's "now serving"): clients are served from here on. */
  private established = false;
  /** The broadcast Ready given to the Driver and not advanced yet (the original, for broadcast's identity check). */
  private outstanding: { readonly original: Ready; readonly given: Ready } | null = null;
  /**
   * The second half of the outstanding broadcast Ready (see ReplicaReady):
   * its commits, inbound messages, establishment and stop, handled by the
   * next `ready()` or `advance`, whichever comes first.
   */
  private deferred: { readonly ready: Ready; readonly rebuild: Zxid | null } | null = null;
  /** Txns applied and not yet reported in a Ready's `applied`. */
  private readonly appliedTxns: Txn[] = [];
  /** The machine stopped in the outstanding Ready: dropped once it is advanced. */
  private stoppedAfterAdvance = false;
  private roleChange: RoleChange | null = null;

  // Leader only.
  private prep: Prep | null = null;
  private expiry: SessionExpiry | null = null;
  /** Sessions whose closeSession is prepared (or waiting): no more writes, no second close. */
  private readonly closing = new Set<bigint>();
  private readonly waiting: Waiting[] = [];
  /**
   * The txns this leader proposed and has not applied yet, as prep built
   * them: applying them skips a decode of bytes it just encoded. Followers
   * decode, so a codec that did not round-trip would show as a digest
   * difference between servers (the simulator's check). At most broadcast's
   * pending limit plus one Ready of commits.
   */
  private readonly ownProposals = new OwnProposals();
  /** The zxid of the last txn this leader proposed (its establishment committed everything before). */
  private lastProposedZxid: Zxid = 0n;
  /**
   * Syncs waiting for the txns proposed before them to be applied, oldest
   * first (ZooKeeper's Leader.processSync): `from` null for a local session.
   */
  private readonly pendingSyncs: { readonly from: ServerId | null; readonly sessionId: bigint; readonly cxid: number; readonly afterZxid: Zxid; readonly round: number }[] = [];

  // Learner only.
  /** Local sessions active since the last touch batch, with their timeouts. */
  private readonly touched = new Map<bigint, number>();

  /** Connects waiting for their createSession to commit: session id → connection. */
  private readonly pendingConnects = new Map<bigint, { readonly origin: number; readonly timeoutMs: number; readonly authIds: readonly Id[] }>();
  /**
   * Set while this LOOKING server serves read-only clients (ZooKeeper's
   * ReadOnlyZooKeeperServer, `readonlymode.enabled`): the sessions it made.
   */
  private readOnlySessions: ReadOnlySessions | null = null;

  /** Reconnects waiting for the leader's verdict (learner). */
  private readonly pendingRevalidations = new Map<bigint, { readonly origin: number; readonly timeoutMs: number; readonly authIds: readonly Id[] }>();

  constructor(options: ReplicaOptions) {
    this.serverId = options.serverId;
    this.tree = options.tree ?? new DataTree();
    this.tickMs = options.tickMs;
    this.extendedTypesEnabled = options.extendedTypesEnabled ?? true;
    this.sessionPassword = options.sessionPassword;
    this.preloadedSnapshot = options.preloadedSnapshot ?? (() => null);
    this.limits = {
      waitingWritesMax: options.limits?.waitingWritesMax ?? waitingWritesMax,
      sessionQueueMax: options.limits?.sessionQueueMax ?? sessionQueueMax,
      revalidationsPendingMax: options.limits?.revalidationsPendingMax ?? revalidationsPendingMax,
      syncsPendingMax: options.limits?.syncsPendingMax ?? syncsPendingMax,
      txnBytesMax: options.limits?.txnBytesMax ?? txnBytesMax,
    };
    assert(Number.isSafeInteger(options.tickMs) && options.tickMs > 0, 'tickMs is a positive integer');
    this.nowMs = options.startMs;
    this.nextSessionId = initialSessionId(options.startMs, options.serverId);
    this.final = new Final({ tree: this.tree, outputs: this.outputs, sessionQueueMax: this.limits.sessionQueueMax });
  }

  /** The applied tree (read-only use: snapshots, admin commands, reply-size estimates). */
  get dataTree(): DataTree {
    return this.tree;
  }

  /** The watch index of local sessions (read-only use: admin commands, a gRPC stream parking its watches). */
  get watches(): WatchManager {
    return this.final.watches;
  }

  /** The current role. */
  get role(): RoleChange['role'] {
    return this.current?.role ?? 'looking';
  }

  /** True while this server serves read-only clients (LOOKING, cut off from a quorum). */
  get readOnly(): boolean {
    return this.readOnlySessions !== null;
  }

  /** A session this server knows: in the replicated table, or made here while read-only. */
  hasSession(sessionId: bigint): boolean {
    return this.tree.sessions().has(sessionId) || this.readOnlySessions?.has(sessionId) === true;
  }

  /** Writes waiting for a zxid on the leader. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Leader: syncs forwarded by learners still waiting for their round (`mntr` zk_pending_syncs). */
  get learnerSyncsPending(): number {
    let count = 0;
    for (const sync of this.pendingSyncs) if (sync.from !== null) count += 1;
    return count;
  }

  /** Requests queued in local session FIFOs. */
  get queuedCount(): number {
    return this.final.queuedCount;
  }

  // ---- role hand-off (the Driver runs election and builds the machine) ----

  /**
   * This server leads, through `machine` (broadcast's Leader, built from
   * what is on disk after the election). Every session in the replicated
   * table gets a full timeout from now, as a new ZooKeeper leader's
   * SessionTracker does.
   */
  lead(machine: LeaderMachine): void {
    this.startRole({ role: 'leading', machine });
    this.prep = new Prep({ tree: this.tree, extendedTypesEnabled: this.extendedTypesEnabled, txnBytesMax: this.limits.txnBytesMax });
    this.lastProposedZxid = 0n;
    const expiry = new SessionExpiry({ tickMs: this.tickMs });
    for (const [sessionId, timeoutMs] of this.tree.sessions()) expiry.touch(sessionId, timeoutMs);
    this.expiry = expiry;
  }

  /** This server follows (or observes) the leader `machine` names. */
  follow(machine: LearnerMachine, observer = false): void {
    this.startRole({ role: observer ? 'observing' : 'following', machine });
  }

  /**
   * The Driver rebuilt the tree from its disk (a TRUNC below the applied
   * tree, `RoleChange.rebuildAtOrBelow`): the next role starts from it.
   * Only while LOOKING, when no local session or prep holds the old tree.
   */
  replaceTree(tree: DataTree): void {
    assert(this.current === null, 'the tree is replaced only while LOOKING');
    this.tree = tree;
    this.final.replaceTree(tree);
  }

  /**
   * This LOOKING server has been unable to elect for the grace period the
   * Driver measures (ZooKeeper: max(2 s, tickTime)): it now serves clients
   * that accept a read-only server, from its tree, until a role starts.
   */
  serveReadOnly(): void {
    assert(this.current === null && this.outstanding === null && this.deferred === null, 'read-only only while LOOKING');
    this.readOnlySessions ??= new ReadOnlySessions({ tickMs: this.tickMs });
  }

  private startRole(next: Machine): void {
    assert(this.current === null, 'a role starts only from LOOKING');
    if (this.readOnlySessions !== null) {
      // ReadOnlyZooKeeperServer.shutdown closes every connection: clients reconnect read-write.
      this.readOnlySessions = null;
      this.final.dropAll('read-only server rejoined a quorum');
    }
    assert(this.outstanding === null, 'no Ready of the previous role is outstanding');
    assert(this.deferred === null, 'no half of a Ready of the previous role is left');
    this.current = next;
    this.established = false;
  }

  // ---- inputs ---------------------------------------------------------------

  /** One tick of the Driver's single interval. */
  tick(nowMs: number): void {
    this.advanceClock(nowMs);
    if (this.readOnlySessions !== null) this.expireReadOnly(this.readOnlySessions);
    const current = this.current;
    if (current === null) return;
    current.machine.tick();
    if (current.role === 'leading') this.expireSessions();
    else this.sendTouches(current.machine);
    this.pump();
  }

  /** A message from peer `from` on the Driver's stream number `stream` (leader side). */
  step(from: ServerId, msg: PeerMsg, stream?: number): void {
    if (this.current === null) return;
    const current = this.current;
    current.machine.step(from, msg, stream);
    // A learner's write is prepared at once, as a local client's is, not after the write in flight.
    if (current.role === 'leading' && this.serving()) for (const inbound of current.machine.takeInbound()) this.onInbound(inbound);
    // A round's echo (a PING) may release syncs.
    if (msg.type === 'PING') this.releaseSyncs();
    this.pump();
  }

  /** The Driver's stream to learner `sid` closed (leader). */
  peerDisconnected(sid: ServerId, stream: number): void {
    if (this.current?.role === 'leading') this.current.machine.learnerDisconnected(sid, stream);
  }

  /** The Driver read the log range a Ready's `logReads` asked for (leader; passed to broadcast). */
  logRead(read: LogRead, txns: readonly Txn[]): void {
    if (this.current?.role === 'leading') this.current.machine.logRead(read, txns);
    this.pump();
  }

  /** The Driver purged its log up to `zxid` after a snapshot (leader; passed to broadcast). */
  logCompacted(zxid: Zxid): void {
    if (this.current?.role === 'leading') this.current.machine.logCompacted(zxid);
  }

  /** The Driver lost its stream to the leader (learner). */
  leaderLost(): void {
    if (this.current !== null && this.current.role !== 'leading') this.current.machine.connectionLost();
  }

  /** Connection `origin` now carries session `sessionId` with these auth ids (after a connect or reconnect). */
  attach(sessionId: bigint, origin: number, authIds: readonly Id[]): void {
    this.final.attach(sessionId, origin, authIds);
  }

  /** Connection `origin` closed; its session lives on until it expires or reconnects. */
  detach(sessionId: bigint, origin: number): void {
    this.final.detach(sessionId, origin);
  }

  /**
   * A new session for connection `origin`: its id is chosen here (unique per
   * server), its createSession goes through the leader, and `connected`
   * comes out once it is applied. Null when this server is not serving.
   */
  connect(origin: number, timeoutMs: number, authIds: readonly Id[], nowMs: number, canBeReadOnly = false): bigint | null {
    this.advanceClock(nowMs);
    if (this.readOnlySessions !== null && canBeReadOnly) {
      // A local session, answered at once (no leader to ask).
      const sessionId = this.newSessionId();
      this.readOnlySessions.add(sessionId, timeoutMs);
      this.final.attach(sessionId, origin, authIds);
      this.outputs.push({ kind: 'connected', sessionId, origin, timeoutMs, passwd: this.sessionPassword(sessionId), readOnly: true });
      return sessionId;
    }
    if (!this.serving()) {
      const reason = this.readOnlySessions !== null ? 'read-only server refuses a client that is not read-only' : 'this server is not serving';
      this.outputs.push({ kind: 'refused', origin, reason, expired: false });
      return null;
    }
    const sessionId = this.newSessionId();
    this.pendingConnects.set(sessionId, { origin, timeoutMs, authIds });
    this.toLeader({ kind: 'createSession', sessionId, timeoutMs });
    return sessionId;
  }

  /**
   * A client reconnects with an existing session. The password is checked
   * here (it is the same function on every server); the leader, which owns
   * expiry, decides whether the session is still alive: at once on the
   * leader, through REVALIDATE on a learner.
   */
  reconnect(origin: number, sessionId: bigint, passwd: Uint8Array, timeoutMs: number, authIds: readonly Id[], nowMs: number, canBeReadOnly = false): void {
    this.advanceClock(nowMs);
    if (this.readOnlySessions !== null && canBeReadOnly) {
      this.reconnectReadOnly(this.readOnlySessions, origin, sessionId, passwd, { origin, timeoutMs, authIds });
      return;
    }
    const current = this.current;
    if (current === null || !this.serving()) {
      this.outputs.push({ kind: 'refused', origin, reason: 'this server is not serving', expired: false });
      return;
    }
    // The password is derived from the id: checked here. Whether the session lives is the
    // leader's to say (ZooKeeper's Learner.validateSession): a learner whose tree has not yet
    // applied the session's creation (a client that moved before this server caught up) asks.
    if (!passwordsEqual(this.sessionPassword(sessionId), passwd)) {
      this.outputs.push({ kind: 'refused', origin, reason: 'session expired or bad password', expired: true });
      return;
    }
    if (current.role === 'leading') {
      this.revalidated(sessionId, { origin, timeoutMs, authIds }, this.leaderRevalidate(sessionId, timeoutMs));
      return;
    }
    if (this.pendingRevalidations.size >= this.limits.revalidationsPendingMax
      || !current.machine.revalidate(encodeRevalidatePayload({ kind: 'revalidate', sessionId, timeoutMs }))) {
      this.outputs.push({ kind: 'refused', origin, reason: 'cannot reach the leader', expired: false });
      return;
    }
    this.pendingRevalidations.set(sessionId, { origin, timeoutMs, authIds });
  }

  /**
   * One request of a local session, in arrival order. Writes are answered
   * once their txn is applied, reads in their turn behind them. Auth ids
   * are the connection's (connection state stays in the Driver).
   * `sharedOrigin` names a connection that is not the session's but shares
   * it (a gRPC unary call naming the session): it gets the reply.
   */
  submit(sessionId: bigint, cxid: number, request: ClientRequest, authIds: readonly Id[], nowMs: number, sharedOrigin?: number): void {
    this.advanceClock(nowMs);
    // Closed here (expired, closed, role lost) and the Driver has not yet closed the connection.
    if (!this.final.isLocal(sessionId)) return;
    this.touch(sessionId);
    const queued = sharedOrigin === undefined ? { cxid, type: request.type, authIds, receivedAtMs: nowMs }
      : { cxid, type: request.type, authIds, receivedAtMs: nowMs, sharedOrigin };
    if (this.closing.has(sessionId)) {
      this.final.enqueueRead(sessionId, queued, null, ZkCode.SESSIONEXPIRED);
      return;
    }
    if (this.readOnlySessions !== null && (writeTypes.has(request.type) || request.type === OpCode.sync)) {
      // ReadOnlyRequestProcessor: every state change, and sync, is answered NOTREADONLY.
      this.final.enqueueRead(sessionId, queued, null, ZkCode.NOTREADONLY);
      return;
    }
    if (request.type === OpCode.multi || request.type === OpCode.multiRead) {
      const multi = multiAsZooKeeperReadsIt(request);
      if (multi === null) {
        this.final.enqueueRead(sessionId, queued, null, ZkCode.MARSHALLINGERROR);
        return;
      }
      request = multi;
    }
    if (request.type === OpCode.closeSession && this.readOnlySessions !== null) {
      this.closeReadOnly(this.readOnlySessions, sessionId, queued);
      return;
    }
    if (request.type === OpCode.closeSession) {
      if (this.final.enqueueWrite(sessionId, queued, request)) this.toLeader({ kind: 'closeSession', sessionId, cxid });
      return;
    }
    if (writeTypes.has(request.type)) {
      if (this.final.enqueueWrite(sessionId, queued, request)) this.toLeader({ kind: 'write', sessionId, cxid, authIds, request });
      return;
    }
    if (request.type === OpCode.sync) {
      // Held in the FIFO like a write: reads behind it see what the leader had committed.
      if (this.final.enqueueWrite(sessionId, queued, request)) this.toLeader({ kind: 'sync', sessionId, cxid });
      return;
    }
    this.final.enqueueRead(sessionId, queued, request, null);
  }

  /** A request answered with `code` in its turn (undecodable body: MARSHALLINGERROR; unknown opcode: UNIMPLEMENTED). */
  submitError(sessionId: bigint, cxid: number, type: number, code: number, nowMs: number): void {
    this.advanceClock(nowMs);
    if (!this.final.isLocal(sessionId)) return;
    this.touch(sessionId);
    this.final.enqueueRead(sessionId, { cxid, type, authIds: [], receivedAtMs: nowMs }, null, code);
  }

  /**
   * Removes an empty container or expired TTL node through the log
   * (ContainerManager; the Driver asks on its own schedule). Leader only.
   */
  proposeDeleteContainer(path: string): boolean {
    const prep = this.prep;
    const current = this.current;
    if (prep === null || current?.role !== 'leading') return false;
    // A change to it is still on its way to the log: look again at the next check.
    if (prep.changes.get(path) !== undefined) return false;
    const zxid = current.machine.nextZxid();
    if (zxid === null) return false;
    return this.propose(current.machine, prep, zxid, prep.prepareDeleteContainer(path, zxid, this.nowMs));
  }

  // ---- outputs --------------------------------------------------------------

  hasReady(): boolean {
    if (this.outputs.length > 0 || this.roleChange !== null || this.deferred !== null || this.appliedTxns.length > 0) return true;
    return this.current !== null && this.outstanding === null && this.current.machine.hasReady();
  }

  /**
   * The next Ready. Taking broadcast's Ready also does two of its steps
   * here, where the tree is, in two halves (ReplicaReady): first SNAPs are
   * serialized (the tree stands at their zxid, before this Ready's commits)
   * and the broadcast part goes out for the Driver to start its writes; the
   * next call installs a SNAP and applies `committed`, which produces
   * the replies and events of local sessions, and handles the rest.
   */
  ready(): ReplicaReady {
    let given: Ready | null = null;
    const current = this.current;
    if (this.deferred !== null) {
      this.finishBroadcastReady();
    } else if (current !== null && this.outstanding === null && this.appliedTxns.length === 0 && current.machine.hasReady()) {
      const original = current.machine.ready();
      given = this.takeBroadcastReady(original);
      this.outstanding = { original, given };
    }
    const role = this.roleChange;
    this.roleChange = null;
    return { broadcast: given, applied: this.appliedTxns.splice(0), clientOutputs: this.outputs.splice(0), role };
  }

  /** The Driver did everything `ready` asked (for a broadcast part: after its writes were durable). */
  advance(ready: ReplicaReady): void {
    if (ready.broadcast === null) return;
    const outstanding = this.outstanding;
    assert(outstanding !== null && outstanding.given === ready.broadcast, 'advance the Ready that was taken');
    // Advanced before the second half was taken (nothing to write): it is done now, reported by the next Ready.
    if (this.deferred !== null) this.finishBroadcastReady();
    this.outstanding = null;
    const current = this.current;
    assert(current !== null, 'a broadcast Ready belongs to a role');
    current.machine.advance(outstanding.original);
    if (this.stoppedAfterAdvance) {
      this.stoppedAfterAdvance = false;
      this.established = false;
      this.current = null;
    }
    this.pump();
  }

  // ---- internals ------------------------------------------------------------

  private advanceClock(nowMs: number): void {
    // Wall clocks may step back; txn times never do.
    if (nowMs > this.nowMs) this.nowMs = nowMs;
  }

  private serving(): boolean {
    return this.current !== null && this.established && !this.stoppedAfterAdvance;
  }

  /** An id unique on this server; 0 means "no session" in a ConnectRequest, so it is never handed out. */
  private newSessionId(): bigint {
    const live = this.tree.sessions();
    let sessionId = this.nextSessionId;
    while (sessionId === 0n || live.has(sessionId) || this.pendingConnects.has(sessionId) || this.readOnlySessions?.has(sessionId) === true) sessionId += 1n;
    this.nextSessionId = sessionId + 1n;
    return sessionId;
  }

  /**
   * A read-only server takes back only a session it made (password
   * checked). One of the replicated table is refused without an answer, as
   * ReadOnlyZooKeeperServer.validateSession does ("Refusing global session
   * reconnection in RO mode"): its client keeps trying until a quorum serves
   * it, where the session lives on.
   */
  private reconnectReadOnly(
    sessions: ReadOnlySessions, origin: number, sessionId: bigint, passwd: Uint8Array, pending: { readonly origin: number; readonly timeoutMs: number; readonly authIds: readonly Id[] },
  ): void {
    if (this.tree.sessions().has(sessionId)) {
      this.outputs.push({ kind: 'refused', origin, reason: 'a global session does not reconnect to a read-only server', expired: false });
      return;
    }
    if (!sessions.has(sessionId) || !passwordsEqual(this.sessionPassword(sessionId), passwd)) {
      this.outputs.push({ kind: 'refused', origin, reason: 'session expired or bad password', expired: true });
      return;
    }
    sessions.touch(sessionId);
    this.final.attach(sessionId, pending.origin, pending.authIds);
    this.outputs.push({ kind: 'connected', sessionId, origin, timeoutMs: pending.timeoutMs, passwd: this.sessionPassword(sessionId), readOnly: true });
  }

  /**
   * closeSession on a read-only server: a session made here is closed here;
   * one of the replicated table cannot be (no leader), so only its
   * connection closes and the quorum expires it later.
   */
  private closeReadOnly(sessions: ReadOnlySessions, sessionId: bigint, queued: QueuedRequest): void {
    this.final.enqueueRead(sessionId, queued, null, ZkCode.OK);
    const origin = this.final.originOf(sessionId);
    sessions.remove(sessionId);
    if (origin === undefined) return;
    this.final.detach(sessionId, origin);
    this.outputs.push({ kind: 'close', sessionId, origin, reason: 'session closed by client' });
  }

  /** Read-only tick: sessions made here that went quiet expire here (a local session tracker's job). */
  private expireReadOnly(sessions: ReadOnlySessions): void {
    for (const sessionId of sessions.tick()) {
      const origin = this.final.originOf(sessionId);
      if (origin === undefined) continue;
      this.final.detach(sessionId, origin);
      this.outputs.push({ kind: 'close', sessionId, origin, reason: 'session expired' });
    }
  }

  private touch(sessionId: bigint): void {
    if (this.readOnlySessions !== null) {
      this.readOnlySessions.touch(sessionId);
      return;
    }
    const timeoutMs = this.tree.sessions().get(sessionId);
    if (timeoutMs === undefined || this.closing.has(sessionId)) return;
    if (this.current?.role === 'leading') this.expiry?.touch(sessionId, timeoutMs);
    else if (this.touched.size < touchesPerMessageMax || this.touched.has(sessionId)) this.touched.set(sessionId, timeoutMs);
  }

  /** A write for the leader: prepared here if this server leads, forwarded otherwise. */
  private toLeader(payload: RequestPayload): void {
    const current = this.current;
    if (current === null || !this.serving()) {
      this.failLocal(payload, 'this server is not serving');
      return;
    }
    if (current.role === 'leading') {
      if (payload.kind === 'sync') this.holdSync(null, payload.sessionId, payload.cxid);
      else this.wait(payload);
      this.pump();
      return;
    }
    if (!current.machine.forward(encodeRequestPayload(payload))) this.failLocal(payload, 'cannot reach the leader');
  }

  private failLocal(payload: RequestPayload, reason: string): void {
    if (payload.kind === 'createSession') {
      const pending = this.pendingConnects.get(payload.sessionId);
      this.pendingConnects.delete(payload.sessionId);
      if (pending !== undefined) this.outputs.push({ kind: 'refused', origin: pending.origin, reason, expired: false });
      return;
    }
    const origin = this.final.originOf(payload.sessionId);
    if (origin === undefined) return;
    this.final.detach(payload.sessionId, origin);
    this.outputs.push({ kind: 'close', sessionId: payload.sessionId, origin, reason });
  }

  private wait(item: Waiting): void {
    if (this.waiting.length < this.limits.waitingWritesMax) {
      this.waiting.push(item);
      return;
    }
    if (item.kind !== 'expire') this.failLocal(item, 'too many writes waiting for the leader');
  }

  /** Leader: prepares and proposes waiting writes while broadcast hands out zxids. */
  private pump(): void {
    const current = this.current;
    const prep = this.prep;
    if (current?.role !== 'leading' || prep === null) return;
    while (this.waiting.length > 0) {
      const zxid = current.machine.nextZxid();
      if (zxid === null) return;
      const item = this.waiting[0];
      assert(item !== undefined, 'waiting is not empty');
      if (!this.propose(current.machine, prep, zxid, this.prepare(prep, item, zxid))) return;
      this.waiting.shift();
    }
  }

  /** Prep for one waiting write; the session checks of PrepRequestProcessor come first. */
  private prepare(prep: Prep, item: Waiting, zxid: Zxid): PreparedTxn {
    const timeMs = this.nowMs;
    switch (item.kind) {
      case 'createSession':
        return prep.prepareCreateSession(item.sessionId, item.timeoutMs, zxid, timeMs);
      case 'expire':
        return prep.prepareCloseSession(item.sessionId, 0, zxid, timeMs);
      case 'closeSession':
        if (this.sessionGone(item.sessionId)) return prep.prepareError(item.sessionId, item.cxid, ZkCode.SESSIONEXPIRED, zxid, timeMs);
        this.closing.add(item.sessionId);
        this.expiry?.remove(item.sessionId);
        return prep.prepareCloseSession(item.sessionId, item.cxid, zxid, timeMs);
      case 'write':
        if (this.sessionGone(item.sessionId)) return prep.prepareError(item.sessionId, item.cxid, ZkCode.SESSIONEXPIRED, zxid, timeMs);
        return prep.prepare({ sessionId: item.sessionId, cxid: item.cxid, authIds: item.authIds }, item.request, zxid, timeMs);
    }
  }

  /** checkSession: a write from a session that is unknown or closing is answered SESSIONEXPIRED, through the log. */
  private sessionGone(sessionId: bigint): boolean {
    return !this.tree.sessions().has(sessionId) || this.closing.has(sessionId);
  }

  /** Proposes one prepared txn at `zxid`; a refusal rolls prep back and the write waits. */
  private propose(leader: LeaderMachine, prep: Prep, zxid: Zxid, prepared: PreparedTxn): boolean {
    assert(prepared.header.zxid === zxid, 'prep keyed the txn by the zxid broadcast announced');
    const result = leader.propose(encodeTxn(prepared.header, prepared.txn));
    if (!result.ok) {
      prep.discard(zxid);
      return false;
    }
    assert(result.zxid === zxid, 'broadcast assigned the zxid nextZxid announced');
    this.lastProposedZxid = zxid;
    this.ownProposals.add(prepared);
    return true;
  }

  /** Leader tick: sessions past their deadline are closed through the log. */
  private expireSessions(): void {
    const expiry = this.expiry;
    if (expiry === null) return;
    for (const sessionId of expiry.tick()) {
      if (this.sessionGone(sessionId)) continue;
      this.closing.add(sessionId);
      this.wait({ kind: 'expire', sessionId });
    }
  }

  /** Learner tick: the sessions active here since the last batch, to the leader (ZooKeeper sends them with PING). */
  private sendTouches(learner: LearnerMachine): void {
    if (this.touched.size === 0) return;
    const sessions = [...this.touched].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
    if (learner.revalidate(encodeRevalidatePayload({ kind: 'touch', sessions }))) this.touched.clear();
  }

  private leaderRevalidate(sessionId: bigint, timeoutMs: number): boolean {
    if (this.sessionGone(sessionId)) return false;
    this.expiry?.touch(sessionId, timeoutMs);
    return true;
  }

  private revalidated(sessionId: bigint, pending: { readonly origin: number; readonly timeoutMs: number; readonly authIds: readonly Id[] }, valid: boolean): void {
    if (!valid) {
      this.outputs.push({ kind: 'refused', origin: pending.origin, reason: 'session expired', expired: true });
      return;
    }
    this.final.attach(sessionId, pending.origin, pending.authIds);
    this.outputs.push({ kind: 'connected', sessionId, origin: pending.origin, timeoutMs: pending.timeoutMs, passwd: this.sessionPassword(sessionId), readOnly: false });
  }

  /**
   * broadcast's Ready → the Driver's, first half: SNAPs filled. The rest
   * (a SNAP installed, commits applied) waits for `finishBroadcastReady`, so
   * the Driver can start the writes before this thread loads and applies.
   */
  private takeBroadcastReady(ready: Ready): Ready {
    let rebuild: Zxid | null = null;
    if (ready.truncate !== null && ready.truncate < this.tree.lastProcessedZxid) rebuild = ready.truncate;
    const messages = this.fillSnapshots(ready.messages);
    const messagesAfterPersist = this.fillSnapshots(ready.messagesAfterPersist);
    // A SNAP is installed in the second half too: loading the tree is the
    // long part, and the Driver has started storing the snapshot by then.
    if (ready.snapshot !== null || ready.committed.length > 0 || ready.inbound.length > 0 || ready.established || ready.stopped !== null || rebuild !== null) {
      this.deferred = { ready, rebuild };
    }
    if (messages === ready.messages && messagesAfterPersist === ready.messagesAfterPersist) return ready;
    return { ...ready, messages, messagesAfterPersist };
  }

  /**
   * The second half: a SNAP installed, the role serves (established:
   * clients are served only once the log it re-committed is applied),
   * commits applied, inbound handled, a stop noted.
   */
  private finishBroadcastReady(): void {
    const deferred = this.deferred;
    assert(deferred !== null, 'a broadcast Ready is half done');
    this.deferred = null;
    const { ready, rebuild } = deferred;
    // Before the commits: they follow the snapshot's zxid.
    if (ready.snapshot !== null) this.installSnapshot(ready.snapshot.snapshot);
    if (rebuild === null) {
      for (const txn of ready.committed) {
        this.applyCommitted(txn.zxid, txn.bytes);
        this.appliedTxns.push(txn);
      }
    }
    if (ready.established) {
      const current = this.current;
      assert(current !== null, 'a broadcast Ready belongs to a role');
      this.established = true;
      this.roleChange = { role: current.role, reason: null, rebuildAtOrBelow: null };
    }
    for (const inbound of ready.inbound) this.onInbound(inbound);
    if (ready.stopped !== null || rebuild !== null) {
      this.stop(ready.stopped?.reason ?? 'truncated below the applied tree', rebuild);
    }
  }

  /** Every SNAP of a Ready carries the tree as it stands now, before the Ready's commits. */
  private fillSnapshots(messages: readonly OutMsg[]): readonly OutMsg[] {
    if (!messages.some((out) => out.msg.type === 'SNAP')) return messages;
    return messages.map((out) => {
      if (out.msg.type !== 'SNAP' || out.msg.snapshot !== null) return out;
      assert(out.msg.zxid === this.tree.lastProcessedZxid, 'the tree stands at the SNAP zxid');
      return { ...out, msg: { ...out.msg, snapshot: frameSnapshotChunks(serializeSnapshot(this.tree)) } };
    });
  }

  private installSnapshot(bytes: Uint8Array): void {
    // Only a learner installs a SNAP: no prep holds the old tree.
    assert(this.prep === null, 'a leader does not install a snapshot');
    // The new tree keeps a digest exactly when the old one did (the server's never do).
    const tree = this.preloadedSnapshot(bytes) ?? deserializeSnapshot(snapshotChunksOf(bytes), { incrementalDigest: this.tree.hasIncrementalDigest });
    assert(tree.hasIncrementalDigest === this.tree.hasIncrementalDigest, 'a SNAP\'s tree keeps a digest exactly when the replaced one did');
    this.tree = tree;
    this.final.replaceTree(tree);
  }

  /** Final for one committed txn: decode, apply in order, retire prep's change records, track sessions. */
  private applyCommitted(zxid: Zxid, bytes: Uint8Array): void {
    const own = this.ownProposals.take(zxid);
    const { header, txn } = own ?? decodeTxn(bytes);
    assert(header.zxid === zxid, 'a txn carries the zxid broadcast ordered it at');
    this.final.apply(header, txn);
    this.prep?.changes.applied(zxid);
    this.releaseSyncs();
    if (txn.type === OpCode.createSession) {
      this.expiry?.touch(header.sessionId, txn.timeOut);
      const pending = this.pendingConnects.get(header.sessionId);
      if (pending !== undefined) {
        this.pendingConnects.delete(header.sessionId);
        this.final.attach(header.sessionId, pending.origin, pending.authIds);
        this.outputs.push({
          kind: 'connected', sessionId: header.sessionId, origin: pending.origin, timeoutMs: pending.timeoutMs, passwd: this.sessionPassword(header.sessionId), readOnly: false,
        });
      }
    } else if (txn.type === OpCode.closeSession) {
      this.closing.delete(header.sessionId);
      this.expiry?.remove(header.sessionId);
      this.touched.delete(header.sessionId);
    }
  }

  /**
   * Leader: a sync is answered once every txn proposed before it is applied
   * here (ZooKeeper's Leader.processSync) AND a quorum of voters echoed a
   * leadership round started after it arrived. The round makes sync+read
   * linearizable across a leader change (issue 8 item 6, ZOOKEEPER-1675): a
   * leader that was paused or partitioned and still believes it leads cannot
   * collect that quorum once the others follow a new leader, so it never
   * answers from stale state; it steps down and the sync fails with the
   * connection. A round costs one round trip; a single-server ensemble
   * confirms at once.
   */
  private holdSync(from: ServerId | null, sessionId: bigint, cxid: number): void {
    const current = this.current;
    assert(current?.role === 'leading', 'only a leader holds syncs');
    if (this.pendingSyncs.length >= this.limits.syncsPendingMax) {
      if (from === null) this.failLocal({ kind: 'sync', sessionId, cxid }, 'too many syncs pending');
      return;
    }
    this.pendingSyncs.push({ from, sessionId, cxid, afterZxid: this.lastProposedZxid, round: current.machine.confirmRound() });
    this.releaseSyncs();
  }

  private releaseSyncs(): void {
    const current = this.current;
    if (current?.role !== 'leading') return;
    const applied = this.tree.lastProcessedZxid;
    while (this.pendingSyncs.length > 0) {
      const head = this.pendingSyncs[0];
      assert(head !== undefined, 'pendingSyncs is not empty');
      if (head.afterZxid > applied || !current.machine.roundConfirmed(head.round)) return;
      this.pendingSyncs.shift();
      if (head.from === null) this.final.answerSync(head.sessionId, head.cxid);
      else current.machine.revalidate(head.from, encodeRevalidatePayload({ kind: 'synced', sessionId: head.sessionId, cxid: head.cxid }));
    }
  }

  /** REQUEST and REVALIDATE from peers (network input: a bad payload is dropped, never asserted on). */
  private onInbound(inbound: Inbound): void {
    const current = this.current;
    if (current === null) return;
    try {
      if (inbound.msg.type === 'REQUEST') {
        if (current.role !== 'leading') return;
        const payload = decodeRequestPayload(inbound.msg.payload);
        this.touch(payload.sessionId);
        if (payload.kind === 'sync') this.holdSync(inbound.from, payload.sessionId, payload.cxid);
        else this.wait(payload);
        return;
      }
      this.onRevalidate(current, inbound.from, decodeRevalidatePayload(inbound.msg.payload));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    }
  }

  private onRevalidate(current: Machine, from: ServerId, payload: RevalidatePayload): void {
    if (current.role === 'leading') {
      if (payload.kind === 'touch') {
        for (const { sessionId, timeoutMs } of payload.sessions) if (!this.sessionGone(sessionId)) this.expiry?.touch(sessionId, timeoutMs);
      } else if (payload.kind === 'revalidate') {
        const valid = this.leaderRevalidate(payload.sessionId, payload.timeoutMs);
        current.machine.revalidate(from, encodeRevalidatePayload({ kind: 'revalidated', sessionId: payload.sessionId, valid }));
      }
      return;
    }
    if (payload.kind === 'synced') {
      this.final.answerSync(payload.sessionId, payload.cxid);
      return;
    }
    if (payload.kind !== 'revalidated') return;
    const pending = this.pendingRevalidations.get(payload.sessionId);
    if (pending === undefined) return;
    this.pendingRevalidations.delete(payload.sessionId);
    this.revalidated(payload.sessionId, pending, payload.valid);
  }

  /**
   * The role ends with this Ready: back to LOOKING. Like a ZooKeeper server
   * that stops serving, every local connection is closed; writes in flight
   * may still commit under the next leader, their clients learn it by
   * reading after reconnecting.
   */
  private stop(reason: string, rebuild: Zxid | null): void {
    this.stoppedAfterAdvance = true;
    this.roleChange = { role: 'looking', reason, rebuildAtOrBelow: rebuild };
    this.final.dropAll(`server stopped serving: ${reason}`);
    for (const pending of [...this.pendingConnects.values(), ...this.pendingRevalidations.values()]) {
      this.outputs.push({ kind: 'refused', origin: pending.origin, reason, expired: false });
    }
    this.pendingConnects.clear();
    this.pendingRevalidations.clear();
    this.waiting.length = 0;
    this.pendingSyncs.length = 0;
    this.ownProposals.clear();
    this.closing.clear();
    this.touched.clear();
    this.prep = null;
    this.expiry = null;
  }
}

/**
 * A whole Corral server as the simulator drives it: the real
 * `@corral/election` machine picks the leader, then the real broadcast
 * `Leader`/`Learner` under `@corral/replica`'s Replica (prep, Final,
 * sessions) serve it. This class is the server's Driver without awaits
 * (STYLE §3), doing what `@corral/replica/testing`'s TestEnsemble does and
 * with the same disk rules (`applyReadyWrites`, `recoveredDisk`,
 * `initialStateOf`), but behind the simulator's network, clock and disk:
 *
 * 1. the Replica's Ready has applied `committed` and filled SNAPs;
 * 2. `messages` leave at once (a leader's on the learner's stream);
 * 3. the Ready's writes become ONE disk record (a crash or a torn tail keeps
 *    all of it or none), issued as the NodeReady's `persist`;
 * 4. once the simulator reports it durable (`persisted`): the self-ack is
 *    stepped back, the log reads are answered, streams given up are closed,
 *    the Replica advances; `messagesAfterPersist` leave through the
 *    simulator's `sendAfterPersist`.
 *
 * Streams: a learner numbers its connection to the leader (a counter shared
 * by the seed, so numbers never repeat); messages on an older stream are
 * dropped, as a closed TCP stream's would be. ZAB needs FIFO channels, so
 * each direction of a stream numbers its messages: a duplicate is dropped,
 * and a lost or overtaken message breaks the stream (the receiver closes it,
 * as a TCP connection that lost data resets). A `close` message stands in
 * for the FIN: it may be lost, then broadcast's tick limits end the role.
 *
 * The disk stores four-byte record numbers; the records themselves sit in a
 * per-seed {@link RecordStore} (they are immutable, so a number names one for
 * good). Checksums and torn tails still apply to the stored bytes.
 */
import { assert, zxidCounter, type QuorumVerifier, type ServerId, type Zxid } from '@corral/base';
import { Leader, Learner, MajorityQuorum, serveLogRead, type BroadcastLimits, type UnsafeFaults } from '@corral/broadcast';
import { DataTree, deserializeSnapshot, serializeSnapshot } from '@corral/data-tree';
import { Election, type ElectionLimits, type ElectionResult, type Notification } from '@corral/election';
import { Replica, snapshotChunksOf, type ClientOutput, type ReplicaReady } from '@corral/replica';
import {
  applyReadyWrites, emptyDisk, initialStateOf, lastLoggedZxid, readyWrites, recoveredDisk, testSessionPassword, withSnapshot, type TestDisk,
} from '@corral/replica/testing';
import type { PeerMsg, Ready, Txn } from '@corral/broadcast';
import type { ClientRequest } from '@corral/wire';
import { crashKey, type CrashPoint, type CrashRole, type CrashSync } from './crash-coverage.js';
import type { Envelope, NodeReady, NodeStart, SimNode } from './node.js';

/** A txn a server applied: its zxid, a hash of its bytes, and the bytes (to read its header). */
export interface AppliedTxn {
  readonly zxid: Zxid;
  readonly hash: number;
  readonly bytes?: Uint8Array;
}

/** A message between simulated servers. */
export type ReplicaMessage =
  | { readonly kind: 'vote'; readonly notification: Notification }
  /** `seq` numbers the messages of one direction of a stream: a gap breaks the stream, as TCP would. */
  | { readonly kind: 'peer'; readonly msg: PeerMsg; readonly stream: number; readonly seq: number }
  /** The stream closed (the FIN of its TCP connection). */
  | { readonly kind: 'close'; readonly stream: number };

/** One record on the simulated disk: a Ready's writes, or a snapshot file. */
export type DiskUnit =
  | { readonly kind: 'ready'; readonly writes: Pick<Ready, 'snapshot' | 'truncate' | 'append' | 'hardState'> }
  | { readonly kind: 'snapshot'; readonly chunks: readonly Uint8Array[]; readonly zxid: Zxid; readonly purge: boolean };

/** The records of one seed, by number. */
export class RecordStore {
  private readonly units: DiskUnit[] = [];

  put(unit: DiskUnit): Uint8Array {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, this.units.length);
    this.units.push(unit);
    return bytes;
  }

  get(bytes: Uint8Array): DiskUnit {
    const unit = this.units[new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0)];
    assert(unit !== undefined, 'a record number names a stored unit');
    return unit;
  }

  /** The disk a restart reads from its recovered records. */
  recover(records: readonly Uint8Array[]): TestDisk {
    let disk = emptyDisk;
    for (const bytes of records) {
      const unit = this.get(bytes);
      disk = unit.kind === 'ready' ? applyReadyWrites(disk, unit.writes) : withSnapshot(disk, unit.chunks, unit.zxid, unit.purge);
    }
    return recoveredDisk(disk);
  }
}

/** Events of the replica node, for the checkers and the client workload. */
export type ReplicaNodeEvent =
  | { readonly kind: 'applied'; readonly sid: ServerId; readonly incarnation: number; readonly txns: readonly AppliedTxn[]; readonly digest: string; readonly text: string }
  | { readonly kind: 'installed'; readonly sid: ServerId; readonly incarnation: number; readonly zxid: Zxid; readonly digest: string; readonly text: string }
  | { readonly kind: 'started'; readonly sid: ServerId; readonly incarnation: number; readonly zxid: Zxid; readonly text: string }
  | { readonly kind: 'established'; readonly sid: ServerId; readonly role: 'leading' | 'following' | 'observing'; readonly epoch: number; readonly appliedZxid: Zxid; readonly text: string }
  | { readonly kind: 'looking'; readonly sid: ServerId; readonly text: string }
  /** The server raises its currentEpoch, taken from `leaderSid` (itself when it leads). */
  | { readonly kind: 'current-epoch'; readonly sid: ServerId; readonly epoch: number; readonly leaderSid: ServerId; readonly text: string }
  | { readonly kind: 'client'; readonly sid: ServerId; readonly output: ClientOutput; readonly text: string };

/** What checkers see of a replica node. */
export interface ReplicaNodeView {
  readonly sid: ServerId;
  readonly role: 'leading' | 'following' | 'observing' | 'looking';
  /** The role is established (serving). */
  readonly established: boolean;
  readonly leaderSid: ServerId | null;
  /** The leader's epoch (leading: its own; learning: the one it acked). */
  readonly epoch: number;
  readonly appliedZxid: Zxid;
  /** The server's log (volatile: including writes not durable yet). */
  readonly disk: TestDisk;
}

/**
 * A crash the node asks for: at `point`, before its write is durable or after, and, when given,
 * only in that role and after that kind of synchronisation (crash-coverage.ts).
 */
export interface CrashAt {
  readonly point: CrashPoint;
  readonly when: 'before' | 'after';
  readonly role?: CrashRole;
  readonly sync?: CrashSync;
  /** The chance each hit crashes, when not the seed's. */
  readonly chance?: number;
}

/** Options of {@link ReplicaNode}. */
export interface ReplicaNodeOptions extends NodeStart {
  readonly verifier: QuorumVerifier;
  readonly voters: readonly ServerId[];
  readonly observers: readonly ServerId[];
  readonly electionLimits: Partial<ElectionLimits>;
  readonly limits: BroadcastLimits;
  readonly records: RecordStore;
  /** Numbers learner streams; shared by the seed so that none repeats. */
  readonly nextStream: () => number;
  readonly incarnation: number;
  /** Take a snapshot after this many applied txns (0: never). */
  readonly snapshotEvery: number;
  readonly purgeLog: boolean;
  readonly tickMs: number;
  /** Deliberate defects, for tests only. */
  readonly faults?: UnsafeFaults;
  /** Test-only: hand a Ready's client outputs to the connections in reverse order (breaks FIFO). */
  readonly reverseClientOutputs?: boolean;
  /** Test-only: never deliver watch events (breaks the event-before-data order). */
  readonly dropWatchEvents?: boolean;
  /** The crash point this seed exercises and the chance each hit crashes the server. */
  readonly crashAt?: { readonly points: readonly CrashAt[]; readonly chance: (probability: number | undefined) => boolean };
  /** Counts every crash-point combination reached (crashing or not), for the coverage table. */
  readonly reached?: Map<string, number>;
}

/** FNV-1a over a txn's bytes: enough to tell two different txns apart. */
function hashOf(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/** Election, broadcast and replica of one server, driven as a {@link SimNode}. */
export class ReplicaNode implements SimNode<ReplicaMessage, ReplicaNodeView, ReplicaNodeEvent> {
  readonly sid: ServerId;
  readonly replica: Replica;
  private readonly options: ReplicaNodeOptions;
  private readonly election: Election;
  private readonly observer: boolean;
  private volatile: TestDisk;
  private localTick = 0;
  /** The Replica's Ready whose writes are not durable yet, with their write id once issued and the crash points they touch. */
  private held: { readonly ready: ReplicaReady; writeId: number | null; readonly points: readonly CrashPoint[] } | null = null;
  /** A decision waiting for the previous role's last Ready. */
  private decision: ElectionResult | null = null;
  private role: ReplicaNodeView['role'] = 'looking';
  private established = false;
  private leaderSid: ServerId | null = null;
  private stream: number | null = null;
  private leader: Leader | null = null;
  private learner: Learner | null = null;
  private outbox: Envelope<ReplicaMessage>[] = [];
  /**
   * The learner's FOLLOWERINFO/OBSERVERINFO: a refused connect (the leader has not decided yet)
   * is sent again on a new stream at the next tick, as ZooKeeper's connectToLeader retries until
   * initLimit; the Learner machine's own initLimit ends the attempts.
   */
  private connectInfo: PeerMsg | null = null;
  private retryConnect = false;
  /** Set when a crash point fired: the seed runner crashes the server after this step. */
  crashRequested: string | null = null;
  /**
   * Set by a scenario (observer-trunc.ts): DIFF/TRUNC/SNAP from this server are lost, so the
   * stream breaks at its sync, as a link that fails at that moment would.
   */
  dropSyncFrom: ServerId | null = null;
  /** How the current learner role synchronised (DIFF, TRUNC, SNAP), for crash-point coverage. */
  private lastSync: CrashSync = 'none';
  /** Next sequence number per (peer, stream) sent, and expected per (peer, stream) received. */
  private readonly sentSeq = new Map<string, number>();
  private readonly receivedSeq = new Map<string, number>();
  private persistQueue: Uint8Array[] = [];
  private events: ReplicaNodeEvent[] = [];
  private lastReady: { ready: NodeReady<ReplicaMessage, ReplicaNodeEvent>; replica: ReplicaReady | null; election: ReturnType<Election['ready']> | null } | null = null;

  constructor(options: ReplicaNodeOptions) {
    this.options = options;
    this.sid = options.sid;
    this.observer = options.observers.includes(options.sid);
    this.volatile = options.records.recover(options.recovered);
    const tree = this.volatile.snapshot === null ? new DataTree() : deserializeSnapshot(this.volatile.snapshot);
    this.replica = new Replica({ serverId: this.sid, tickMs: options.tickMs, sessionPassword: testSessionPassword, startMs: this.nowMs(), tree });
    this.election = new Election({ sid: this.sid, verifier: options.verifier, limits: options.electionLimits, ...this.position() });
    this.events.push({ kind: 'started', sid: this.sid, incarnation: options.incarnation, zxid: tree.lastProcessedZxid, text: `${this.sid} started at 0x${tree.lastProcessedZxid.toString(16)}` });
  }

  /** A process's clock: each incarnation starts a minute later (session ids are drawn from it). */
  nowMs(): number {
    return 1_000_000 + this.options.incarnation * 60_000 + this.localTick * this.options.tickMs;
  }

  step(from: ServerId, message: ReplicaMessage): void {
    // A server at its crash point is frozen until the seed runner crashes it (within the base tick).
    if (this.crashRequested !== null) return;
    switch (message.kind) {
      case 'vote':
        this.election.step(message.notification);
        return;
      case 'close':
        if (this.role === 'leading') this.replica.peerDisconnected(from, message.stream);
        else if (this.stream === message.stream && this.learner?.state === 'discovery' && this.connectInfo !== null) this.retryConnect = true;
        else if (this.stream === message.stream) this.replica.leaderLost();
        return;
      case 'peer': {
        const open = this.leader !== null || (this.learner !== null && from === this.leaderSid && message.stream === this.stream);
        if (!open) {
          // A connect to a server that does not lead (yet) is refused, as TCP's RST; the learner retries.
          if (message.msg.type === 'FOLLOWERINFO' || message.msg.type === 'OBSERVERINFO') this.outbox.push({ to: from, message: { kind: 'close', stream: message.stream } });
          return;
        }
        const type = message.msg.type;
        if (from === this.dropSyncFrom && (type === 'DIFF' || type === 'TRUNC' || type === 'SNAP')) return;
        const key = `${from}:${message.stream}`;
        const expected = this.receivedSeq.get(key) ?? 0;
        if (message.seq < expected) return;
        if (message.seq > expected) {
          this.receivedSeq.set(key, Number.MAX_SAFE_INTEGER);
          this.breakStream(from, message.stream);
          return;
        }
        this.receivedSeq.set(key, expected + 1);
        if (this.leader === null && (type === 'DIFF' || type === 'TRUNC' || type === 'SNAP')) this.lastSync = type;
        if (type === 'UPTODATE') {
          this.hitCrashPoint('uptodate', 'before');
          // On receipt: the crash comes before the learner acts on it.
          if (this.crashRequested !== null) return;
        }
        if (this.leader !== null) this.replica.step(from, message.msg, message.stream);
        else this.replica.step(from, message.msg);
        return;
      }
    }
  }

  tick(): void {
    if (this.crashRequested !== null) return;
    this.localTick++;
    if (this.retryConnect && this.connectInfo !== null && this.leaderSid !== null && this.learner?.state === 'discovery') {
      this.stream = this.options.nextStream();
      this.outbox.push(this.envelope(this.leaderSid, this.connectInfo, this.stream));
    }
    this.retryConnect = false;
    this.election.tick();
    this.replica.tick(this.nowMs());
  }

  persisted(writeId: number): void {
    if (this.crashRequested !== null) return;
    const held = this.held;
    if (held === null || held.writeId !== writeId) return;
    this.held = null;
    this.afterDurable(held.ready, held.points);
    this.startDecided();
  }

  hasReady(): boolean {
    if (this.crashRequested !== null) return false;
    return this.election.hasReady() || this.outbox.length > 0 || this.persistQueue.length > 0 || this.events.length > 0 || this.replica.hasReady()
      || (this.learner?.hasUnordered() ?? false);
  }

  ready(): NodeReady<ReplicaMessage, ReplicaNodeEvent> {
    const election = this.election.hasReady() ? this.election.ready() : null;
    if (election?.result != null) {
      this.decision = election.result;
      this.startDecided();
    }
    const send: Envelope<ReplicaMessage>[] = (election?.messages ?? []).map(({ to, notification }) => ({ to, message: { kind: 'vote', notification } }));
    let sendAfterPersist: Envelope<ReplicaMessage>[] = [];
    let replica: ReplicaReady | null = null;
    // While a broadcast Ready is held, the Replica hands out client-only Readies (replies never wait for an fsync not theirs).
    if (this.replica.hasReady()) {
      replica = this.replica.ready();
      sendAfterPersist = this.takeReplicaReady(replica, send);
    }
    // As the server's EnsembleRole: a learner's REQUEST/REVALIDATE/PING echo leaves now, not behind its fsync.
    if (this.learner !== null && this.leaderSid !== null) for (const out of this.learner.takeUnordered()) send.push(this.envelope(out.to, out.msg, undefined));
    send.push(...this.outbox);
    const ready: NodeReady<ReplicaMessage, ReplicaNodeEvent> = { send, persist: this.persistQueue, sendAfterPersist, events: this.events };
    this.outbox = [];
    this.persistQueue = [];
    this.events = [];
    this.lastReady = { ready, replica, election };
    return ready;
  }

  advance(ready: NodeReady<ReplicaMessage, ReplicaNodeEvent>, writeId: number | null): void {
    const last = this.lastReady;
    assert(last !== null && last.ready === ready, 'advance must get the Ready last returned by ready()');
    this.lastReady = null;
    if (last.election !== null) this.election.advance(last.election);
    const replica = last.replica;
    if (replica !== null) {
      if (replica.broadcast === null) this.replica.advance(replica);
      else if (this.held !== null && this.held.ready === replica) {
        assert(writeId !== null, 'a Ready with writes has a write id');
        this.held.writeId = writeId;
      } else this.afterDurable(replica, []);
    }
    this.startDecided();
  }

  view(): ReplicaNodeView {
    return {
      sid: this.sid, role: this.role, established: this.established, leaderSid: this.leaderSid,
      epoch: this.leader?.leadingEpoch ?? this.learner?.epochs.currentEpoch ?? this.volatile.currentEpoch,
      appliedZxid: this.replica.dataTree.lastProcessedZxid, disk: this.volatile,
    };
  }

  /** A client connects here; null when the server does not serve. */
  connect(origin: number, timeoutMs: number): bigint | null {
    return this.replica.connect(origin, timeoutMs, [], this.nowMs());
  }

  submit(sessionId: bigint, cxid: number, request: ClientRequest): void {
    this.replica.submit(sessionId, cxid, request, [], this.nowMs());
  }

  detach(sessionId: bigint, origin: number): void {
    this.replica.detach(sessionId, origin);
  }

  /** Starts the decided role once the previous one's last Ready is done. */
  private startDecided(): void {
    const decided = this.decision;
    if (decided === null || this.held !== null || this.replica.role !== 'looking' || this.replica.hasReady() || this.lastReady !== null) return;
    this.decision = null;
    const applied = this.replica.dataTree.lastProcessedZxid;
    const state = initialStateOf(this.volatile, applied, this.options.limits.windowTxnsMax);
    const faults = this.options.faults;
    if (decided.state === 'LEADING') {
      this.leader = new Leader({ sid: this.sid, quorum: new MajorityQuorum(this.options.voters), observers: this.options.observers, limits: this.options.limits, state, faults });
      this.role = 'leading';
      this.leaderSid = this.sid;
      this.replica.lead(this.leader);
    } else {
      this.stream = this.options.nextStream();
      this.leaderSid = decided.leader;
      this.lastSync = 'none';
      this.learner = new Learner({ sid: this.sid, leaderSid: decided.leader, observer: this.observer, limits: this.options.limits, state, faults });
      this.role = this.observer ? 'observing' : 'following';
      this.replica.follow(this.learner, this.observer);
    }
  }

  /** Steps 1–3 of a Replica Ready; returns the messages that wait for its writes. */
  private takeReplicaReady(ready: ReplicaReady, send: Envelope<ReplicaMessage>[]): Envelope<ReplicaMessage>[] {
    let outputs = this.options.reverseClientOutputs === true ? [...ready.clientOutputs].reverse() : ready.clientOutputs;
    if (this.options.dropWatchEvents === true) outputs = outputs.filter((output) => output.kind !== 'event');
    for (const output of outputs) this.events.push({ kind: 'client', sid: this.sid, output, text: `${this.sid} ${output.kind} origin=${output.origin}` });
    const tree = this.replica.dataTree;
    // A Ready that applied txns has no broadcast part: the tree stands at the last of them.
    if (ready.applied.length > 0) {
      const txns = ready.applied.map((txn: Txn) => ({ zxid: txn.zxid, hash: hashOf(txn.bytes), bytes: txn.bytes }));
      const last = txns.at(-1)?.zxid ?? 0n;
      this.events.push({ kind: 'applied', sid: this.sid, incarnation: this.options.incarnation, txns, digest: String(tree.digest()), text: `${this.sid} applied ${txns.length} to 0x${last.toString(16)}` });
    }
    if (ready.role !== null) this.onRole(ready);
    const broadcast = ready.broadcast;
    if (broadcast === null) return [];
    if (broadcast.snapshot !== null) {
      // The Replica loads the snapshot in the Ready's second half (the server stores it meanwhile):
      // the digest at the SNAP's zxid is the snapshot's own. The next `applied` digests show it was installed.
      const digest = deserializeSnapshot(snapshotChunksOf(broadcast.snapshot.snapshot)).digest();
      this.events.push({ kind: 'installed', sid: this.sid, incarnation: this.options.incarnation, zxid: broadcast.snapshot.zxid, digest: String(digest), text: `${this.sid} installed SNAP 0x${broadcast.snapshot.zxid.toString(16)}` });
    }
    for (const out of broadcast.messages) {
      if (out.msg.type === 'FOLLOWERINFO' || out.msg.type === 'OBSERVERINFO') this.connectInfo = out.msg;
      send.push(this.envelope(out.to, out.msg, out.stream));
    }
    const after: Envelope<ReplicaMessage>[] = [];
    for (const out of broadcast.messagesAfterPersist) if (out.to !== this.sid) after.push(this.envelope(out.to, out.msg, out.stream));
    const epoch = broadcast.hardState?.currentEpoch;
    if (epoch !== undefined && epoch !== this.volatile.currentEpoch && this.leaderSid !== null) {
      this.events.push({ kind: 'current-epoch', sid: this.sid, epoch, leaderSid: this.leaderSid, text: `${this.sid} currentEpoch ${epoch} from ${this.leaderSid}` });
    }
    if (readyWrites(broadcast)) {
      const points = this.pointsOf(broadcast);
      for (const point of points) this.hitCrashPoint(point, 'before');
      this.volatile = applyReadyWrites(this.volatile, broadcast);
      this.persistQueue.push(this.options.records.put({ kind: 'ready', writes: broadcast }));
      this.held = { ready, writeId: null, points };
    }
    return after;
  }

  private onRole(ready: ReplicaReady): void {
    const role = ready.role;
    assert(role !== null, 'a role change');
    // A role starts with the tree at a committed point, so broadcast never truncates below it.
    assert(role.rebuildAtOrBelow === null, () => `server ${this.sid} asked to rebuild its tree`);
    if (role.role === 'looking') {
      this.events.push({ kind: 'looking', sid: this.sid, text: `${this.sid} looking: ${role.reason ?? ''}` });
      return;
    }
    this.established = true;
    const epoch = this.leader?.leadingEpoch ?? this.learner?.epochs.currentEpoch ?? 0;
    const appliedZxid = this.replica.dataTree.lastProcessedZxid;
    this.events.push({ kind: 'established', sid: this.sid, role: role.role, epoch, appliedZxid, text: `${this.sid} ${role.role} epoch ${epoch} at 0x${appliedZxid.toString(16)}` });
  }

  /** A peer message on its stream; its sequence number is set as it leaves (`leaving`). */
  private envelope(to: ServerId, msg: PeerMsg, stream: number | undefined): Envelope<ReplicaMessage> {
    return { to, message: { kind: 'peer', msg, stream: stream ?? this.stream ?? 0, seq: -1 } };
  }

  /**
   * Numbers a stream's messages in the order they reach the network, as TCP orders bytes: an ACK
   * held for its fsync leaves after a PING echo sent meanwhile. Numbered when the Ready was made,
   * the echo overtook the ACK and broke the stream at every slow fsync (sim seed 9003411 at 50d238d).
   */
  leaving(envelope: Envelope<ReplicaMessage>): Envelope<ReplicaMessage> {
    const message = envelope.message;
    if (message.kind !== 'peer') return envelope;
    assert(message.seq === -1, 'a peer message leaves once');
    const key = `${envelope.to}:${message.stream}`;
    const seq = this.sentSeq.get(key) ?? 0;
    this.sentSeq.set(key, seq + 1);
    return { to: envelope.to, message: { ...message, seq } };
  }

  /** A message of the stream was lost or overtaken: the stream resets, both ends are told. */
  private breakStream(from: ServerId, stream: number): void {
    this.outbox.push({ to: from, message: { kind: 'close', stream } });
    if (this.leader !== null) this.replica.peerDisconnected(from, stream);
    else this.replica.leaderLost();
  }

  /**
   * The persistence points a broadcast Ready's writes touch (before they reach the volatile disk).
   * An epoch write is the point of the field it changes (crash-coverage.ts); one that changes
   * neither is a learner's NEWLEADER re-synced to the epoch it already holds: currentEpoch's.
   */
  private pointsOf(ready: Ready): CrashPoint[] {
    const points: CrashPoint[] = [];
    if (ready.append.length > 0) points.push('append');
    if (ready.snapshot !== null) points.push('snapshot');
    if (ready.truncate !== null) points.push('truncate');
    const hard = ready.hardState;
    if (hard !== null) {
      const accepted = hard.acceptedEpoch !== this.volatile.acceptedEpoch;
      if (accepted) points.push('accepted-epoch');
      if (hard.currentEpoch !== this.volatile.currentEpoch || !accepted) points.push('current-epoch');
    }
    return points;
  }

  /** A crash point is reached: crash here if the seed exercises it (and its dice say so). */
  private hitCrashPoint(point: CrashPoint, when: 'before' | 'after'): void {
    if (this.crashRequested !== null || this.role === 'looking') return;
    const sync: CrashSync = this.role === 'leading' ? 'leader' : this.lastSync;
    const reached = this.options.reached;
    if (reached !== undefined) {
      const key = crashKey({ point, when, role: this.role, sync });
      reached.set(key, (reached.get(key) ?? 0) + 1);
    }
    const crashAt = this.options.crashAt;
    if (crashAt === undefined) return;
    const role = this.role;
    const matches = (at: CrashAt): boolean => at.point === point && at.when === when && (at.role ?? role) === role && (at.sync ?? sync) === sync;
    const rule = crashAt.points.find(matches);
    if (rule === undefined || !crashAt.chance(rule.chance)) return;
    this.crashRequested = crashKey({ point, when, role: this.role, sync });
  }

  /** Steps 4–6: the Ready's writes (touching `points`) are durable. */
  private afterDurable(ready: ReplicaReady, points: readonly CrashPoint[]): void {
    const broadcast = ready.broadcast;
    assert(broadcast !== null, 'only broadcast Readies persist');
    for (const point of points) this.hitCrashPoint(point, 'after');
    if (broadcast.messagesAfterPersist.some((out) => out.msg.type === 'ACK' && out.to !== this.sid && zxidCounter(out.msg.zxid) === 0)) this.hitCrashPoint('newleader-ack', 'after');
    for (const out of broadcast.messagesAfterPersist) if (out.to === this.sid) this.replica.step(this.sid, out.msg);
    for (const ref of broadcast.disconnect) this.outbox.push({ to: ref.sid, message: { kind: 'close', stream: ref.stream } });
    for (const read of broadcast.logReads) {
      this.replica.logRead(read, serveLogRead(this.volatile.log, read));
    }
    this.replica.advance(ready);
    if (broadcast.stopped !== null) this.stopRole();
    else this.maybeSnapshot();
  }

  /** The role is over: close the stream, back to election with the position on disk. */
  private stopRole(): void {
    if (this.stream !== null && this.leaderSid !== null) this.outbox.push({ to: this.leaderSid, message: { kind: 'close', stream: this.stream } });
    this.leader = null;
    this.learner = null;
    this.stream = null;
    this.connectInfo = null;
    this.retryConnect = false;
    this.leaderSid = null;
    this.role = 'looking';
    this.established = false;
    this.election.startElection(this.position());
  }

  private position(): { currentEpoch: bigint; lastLoggedZxid: Zxid } {
    return { currentEpoch: BigInt(this.volatile.currentEpoch), lastLoggedZxid: lastLoggedZxid(this.volatile) };
  }

  /** ZooKeeper's snapCount: after `snapshotEvery` applied txns, a snapshot file, and maybe a purge. */
  private maybeSnapshot(): void {
    const every = this.options.snapshotEvery;
    if (every === 0 || this.held !== null) return;
    const tree = this.replica.dataTree;
    const zxid = tree.lastProcessedZxid;
    const since = this.volatile.log.filter((txn) => txn.zxid > this.volatile.snapshotZxid && txn.zxid <= zxid).length;
    if (since < every) return;
    const chunks = [...serializeSnapshot(tree)];
    const purge = this.options.purgeLog;
    this.volatile = withSnapshot(this.volatile, chunks, zxid, purge);
    this.persistQueue.push(this.options.records.put({ kind: 'snapshot', chunks, zxid, purge }));
    if (purge) this.replica.logCompacted(this.volatile.logBaseZxid);
  }
}

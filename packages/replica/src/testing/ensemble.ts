/**
 * An in-memory ensemble of Replicas over broadcast's real Leader and Learner
 * for tests: a tiny Driver per server (STYLE §3's loop, without awaits), a
 * FIFO network of numbered learner streams and a fake disk (epochs, log,
 * snapshot) that loses unsynced writes on a crash. It performs each Ready in
 * the order broadcast's README gives, so what the tests see is what the
 * server's Driver must do:
 *
 * 1. the Replica's `ready()` has already installed a SNAP into its tree and
 *    serialized outgoing SNAPs; it applies `committed` in the next Ready,
 *    which this Driver takes at once, also while the writes are held;
 * 2. send `messages` (each leader message on the stream it names);
 * 3. ONE write unit: the snapshot install or truncate, the appends, the
 *    epochs (a crash keeps all of it or none);
 * 4. once durable (at once, unless the disk is held): `messagesAfterPersist`
 *    (the self-ack is stepped straight back), close `disconnect`, `advance`.
 *
 * Election is an oracle (`elect`, or `electIfPossible`: the most up-to-date
 * voter of a LOOKING quorum, as fast leader election picks).
 */
import { assert, type Zxid } from '@corral/base';
import { Leader, Learner, MajorityQuorum, defaultBroadcastLimits, type BroadcastLimits, type InitialState } from '@corral/broadcast';
import { applyReadyWrites, emptyDisk, initialStateOf, lastLoggedZxid, recoveredDisk, readyWrites, withSnapshot, type TestDisk } from './disk-state.js';
import { DataTree, deserializeSnapshot, serializeSnapshot } from '@corral/data-tree';
import type { PeerMsg, Ready, ServerId } from '../broadcast-port.js';
import type { ClientOutput, ReplicaReady, RoleChange } from '../outputs.js';
import { Replica, type ReplicaOptions } from '../replica.js';

/** A deterministic stand-in for the server's secret-keyed password hash. */
export function testSessionPassword(sessionId: bigint): Uint8Array {
  const out = new Uint8Array(16);
  let x = BigInt.asUintN(64, sessionId ^ 0x9e3779b97f4a7c15n);
  for (let index = 0; index < 16; index += 1) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    out[index] = Number(x >> 56n);
  }
  return out;
}

/** One server of the test ensemble: its Replica, its disk and what it handed its clients. */
export interface TestServer {
  readonly sid: ServerId;
  readonly observer: boolean;
  /** Replaced by `restart` (a new process rebuilt from the durable disk). */
  replica: Replica;
  /** What a crash keeps. */
  durable: TestDisk;
  /** Including writes not durable yet. */
  volatile: TestDisk;
  readonly outputs: ClientOutput[];
  readonly roles: RoleChange[];
  /** A Ready whose writes are not durable yet (disk held). */
  held: ReplicaReady | null;
  holdDisk: boolean;
  crashed: boolean;
  restarts: number;
  /** The leader this server learns from and the stream number, while it follows or observes. */
  link: { readonly leaderSid: ServerId; readonly stream: number } | null;
  leading: boolean;
  /** The syncs this server sent (DIFF/TRUNC/SNAP to a learner) and snapshots it installed. */
  readonly syncs: string[];
}

/** Options of a TestEnsemble. */
export interface TestEnsembleOptions {
  /** Broadcast limits (defaults to broadcast's, with a long syncLimit: tests tick on purpose). */
  readonly limits?: Partial<BroadcastLimits>;
  /**
   * After each durable Ready, a server whose tree applied this many txns past its snapshot
   * takes a new one and purges its log below it (0: never).
   */
  readonly snapshotEvery?: number;
  /**
   * 'purge' drops log records at each snapshot (a leader then SNAPs a learner behind its window);
   * 'keep' retains them, so the leader DIFFs such a learner from a disk read (`Ready.logReads`).
   */
  readonly logRetention?: 'purge' | 'keep';
}

interface InFlight {
  readonly from: ServerId;
  readonly to: ServerId;
  readonly msg: PeerMsg;
  /** The learner's stream the message travels on. */
  readonly stream: number;
}

/** N Replicas over real broadcast machines, a FIFO network and the Driver loop. */
export class TestEnsemble {
  readonly servers = new Map<ServerId, TestServer>();
  readonly limits: BroadcastLimits;
  private readonly snapshotEvery: number;
  private readonly keepLog: boolean;
  private readonly options = new Map<ServerId, Partial<ReplicaOptions>>();
  private network: InFlight[] = [];
  private nextStream = 1;
  /** Every Ready taken, in order (for tests of the Ready stream itself). */
  readonly readies: { sid: ServerId; ready: ReplicaReady }[] = [];

  constructor(options: TestEnsembleOptions = {}) {
    this.limits = { ...defaultBroadcastLimits, syncLimitTicks: 50, initLimitTicks: 100, ...options.limits };
    this.snapshotEvery = options.snapshotEvery ?? 0;
    this.keepLog = options.logRetention === 'keep';
  }

  add(sid: ServerId, options: Partial<ReplicaOptions> = {}, observer = false): TestServer {
    this.options.set(sid, options);
    const server: TestServer = {
      sid, observer, replica: this.newReplica(sid, new DataTree()), durable: emptyDisk, volatile: emptyDisk, outputs: [], roles: [],
      held: null, holdDisk: false, crashed: false, restarts: 0, link: null, leading: false, syncs: [],
    };
    this.servers.set(sid, server);
    return server;
  }

  server(sid: ServerId): TestServer {
    const server = this.servers.get(sid);
    assert(server !== undefined, `server ${sid} exists`);
    return server;
  }

  /** An ensemble of `voters` (and observers) with `leader` elected, run until it settles. */
  static started(voters: readonly ServerId[], options: TestEnsembleOptions & { observers?: readonly ServerId[]; leader?: ServerId } = {}): TestEnsemble {
    const ensemble = new TestEnsemble(options);
    for (const sid of voters) ensemble.add(sid);
    for (const sid of options.observers ?? []) ensemble.add(sid, {}, true);
    const leader = options.leader ?? voters[0];
    assert(leader !== undefined, 'an ensemble has a voter');
    ensemble.elect(leader, [...ensemble.servers.keys()].filter((sid) => sid !== leader));
    ensemble.run();
    return ensemble;
  }

  /** `leaderSid` leads and `learners` follow (or observe) it, each built from what is on its disk. */
  elect(leaderSid: ServerId, learners: readonly ServerId[]): void {
    const leader = this.server(leaderSid);
    assert(!leader.observer, 'a voter leads');
    const voters = [...this.servers.values()].filter((server) => !server.observer).map((server) => server.sid);
    const observers = [...this.servers.values()].filter((server) => server.observer).map((server) => server.sid);
    this.startRole(leader);
    leader.leading = true;
    leader.replica.lead(new Leader({ sid: leaderSid, quorum: new MajorityQuorum(voters), observers, limits: this.limits, state: this.initialState(leader) }));
    for (const sid of learners) this.join(sid, leaderSid);
  }

  /** A LOOKING server learns from the running leader `leaderSid`. */
  join(sid: ServerId, leaderSid: ServerId): void {
    const server = this.server(sid);
    this.startRole(server);
    const state = this.initialState(server);
    server.link = { leaderSid, stream: this.nextStream++ };
    server.replica.follow(new Learner({ sid, leaderSid, observer: server.observer, limits: this.limits, state }), server.observer);
  }

  /**
   * Fast leader election as an oracle: LOOKING servers join a running leader; with none, a
   * quorum of LOOKING voters elects the one with the highest (currentEpoch, last zxid, sid).
   */
  electIfPossible(): boolean {
    const looking = [...this.servers.values()].filter((server) => this.isLooking(server));
    // Not before every stopped role's last Ready is done.
    if ([...this.servers.values()].some((server) => server.held !== null || server.replica.hasReady())) return false;
    if (looking.length === 0) return false;
    const running = [...this.servers.values()].find((server) => server.leading);
    if (running !== undefined) {
      for (const server of looking) this.join(server.sid, running.sid);
      return true;
    }
    const voters = looking.filter((server) => !server.observer);
    const allVoters = [...this.servers.values()].filter((server) => !server.observer).length;
    if (voters.length * 2 <= allVoters) return false;
    voters.sort((a, b) => compareVote(b, a));
    const leader = voters[0] as TestServer;
    this.elect(leader.sid, looking.filter((server) => server !== leader).map((server) => server.sid));
    return true;
  }

  /** No role, not crashed, nothing held: ready for an election. */
  isLooking(server: TestServer): boolean {
    return !server.crashed && server.replica.role === 'looking' && server.held === null && !server.leading && server.link === null;
  }

  /** Crashes `sid`: writes not durable are lost, its streams close, its Replica is gone. */
  crash(sid: ServerId): void {
    const server = this.server(sid);
    this.dropRole(server);
    server.crashed = true;
    server.held = null;
    server.holdDisk = false;
    server.volatile = server.durable;
  }

  /**
   * A crashed server starts again: a new Replica from its durable snapshot,
   * LOOKING. A process starts at a later time: session ids are drawn from it
   * (initialSessionId), so a restart never hands out its old ids again.
   */
  restart(sid: ServerId): void {
    const server = this.server(sid);
    assert(server.crashed, 'restart a crashed server');
    server.crashed = false;
    server.restarts += 1;
    const disk = recoveredDisk(server.durable);
    server.durable = disk;
    server.volatile = disk;
    server.replica = this.newReplica(sid, disk.snapshot === null ? new DataTree() : deserializeSnapshot(disk.snapshot), server.restarts);
  }

  /** `sid` snapshots its tree now and purges the log at or below it (ZooKeeper's snapCount and purge). */
  snapshot(sid: ServerId): void {
    const server = this.server(sid);
    const tree = server.replica.dataTree;
    const zxid = tree.lastProcessedZxid;
    const chunks = [...serializeSnapshot(tree)];
    // A snapshot is a file of its own: durable on its own, before the purge that relies on it.
    const keep = this.keepLog;
    const write = (disk: TestDisk): TestDisk => withSnapshot(disk, chunks, zxid, !keep);
    server.volatile = write(server.volatile);
    server.durable = write(server.durable);
    if (!keep) server.replica.logCompacted(server.volatile.logBaseZxid);
  }

  /** Runs Driver turns and deliveries until nothing moves. */
  run(): void {
    for (let rounds = 0; rounds < 100_000; rounds += 1) {
      if (!this.stepOnce()) return;
    }
    assert(false, 'the ensemble settles');
  }

  /** Ticks every running server at `nowMs`. */
  tick(nowMs: number): void {
    for (const server of this.servers.values()) if (!server.crashed) server.replica.tick(nowMs);
  }

  /**
   * One Driver turn on every server, then one message delivered (the
   * oldest, or the one `pick` chooses among the heads of the streams: a
   * stream stays in order). False when nothing moved.
   */
  stepOnce(pick?: (count: number) => number): boolean {
    let moved = false;
    for (const server of this.servers.values()) moved = this.turn(server) || moved;
    const index = pick === undefined ? 0 : this.deliverable(pick);
    const [next] = this.network.splice(index, 1);
    if (next !== undefined) {
      this.deliver(next);
      moved = true;
    }
    return moved;
  }

  /** Messages in flight. */
  get inFlight(): number {
    return this.network.length;
  }

  /** The held disk of `sid` finishes its write. */
  releaseDisk(sid: ServerId): void {
    const server = this.server(sid);
    server.holdDisk = false;
    const held = server.held;
    server.held = null;
    if (held !== null) this.persisted(server, held);
  }

  /** Replies and other outputs of `sid` so far, then forgotten. */
  takeOutputs(sid: ServerId): ClientOutput[] {
    return this.server(sid).outputs.splice(0);
  }

  /** The last zxid in the volatile log of `sid` (or its snapshot's). */
  lastLoggedZxid(sid: ServerId): Zxid {
    return lastLoggedZxid(this.server(sid).volatile);
  }

  // ---- the Driver -------------------------------------------------------------

  private newReplica(sid: ServerId, tree: DataTree, restarts = 0): Replica {
    const options = this.options.get(sid);
    const startMs = (options?.startMs ?? 1_000_000) + restarts * 60_000;
    return new Replica({ serverId: sid, tickMs: 100, sessionPassword: testSessionPassword, ...options, startMs, tree });
  }

  private startRole(server: TestServer): void {
    assert(this.isLooking(server), () => `server ${server.sid} is LOOKING`);
  }

  /**
   * What a role starts from: the epochs on disk, the tree where the Replica
   * stands (a committed point: a snapshot, or the last txn a machine handed
   * out as committed) and the log records above it, with as many older ones
   * as fit half the window so that the leader can DIFF learners a little
   * behind.
   */
  private initialState(server: TestServer): InitialState {
    return initialStateOf(server.volatile, server.replica.dataTree.lastProcessedZxid, this.limits.windowTxnsMax);
  }

  /** One Driver turn: take Readies while there are any, executing each. */
  private turn(server: TestServer): boolean {
    let moved = false;
    while (!server.crashed && server.replica.hasReady()) {
      const ready = server.replica.ready();
      this.readies.push({ sid: server.sid, ready });
      moved = true;
      server.outputs.push(...ready.clientOutputs);
      if (ready.role !== null) server.roles.push(ready.role);
      // A role starts with the tree at a committed point, so broadcast never truncates below it.
      assert(ready.role?.rebuildAtOrBelow == null, () => `server ${server.sid} asked to rebuild its tree`);
      const broadcast = ready.broadcast;
      if (broadcast === null) {
        server.replica.advance(ready);
        // Never while a sync's rewrite waits for its disk: a snapshot made durable before the
        // NEWLEADER write would purge the old log under the old currentEpoch.
        const rewriting = server.held?.broadcast != null && (server.held.broadcast.snapshot !== null || server.held.broadcast.truncate !== null);
        if (ready.applied.length > 0 && server.held !== null && !rewriting) this.maybeSnapshot(server);
        continue;
      }
      this.perform(server, broadcast);
      if (server.holdDisk) {
        server.held = ready;
        // Only Readies without a broadcast part come out until it is advanced.
        continue;
      }
      this.persisted(server, ready);
    }
    return moved;
  }

  /** Steps 1–4 of a broadcast Ready, up to the writes (which land in `volatile`). */
  private perform(server: TestServer, ready: Ready): void {
    for (const out of ready.messages) {
      assert(out.to !== server.sid, 'only after-persist messages go to the sender itself');
      if (out.msg.type === 'SNAP' || out.msg.type === 'DIFF' || out.msg.type === 'TRUNC') server.syncs.push(`sent ${out.msg.type} to ${out.to}`);
      this.send(server, out.to, out.msg, out.stream);
    }
    if (!readyWrites(ready)) return;
    if (ready.snapshot !== null) server.syncs.push('installed SNAP');
    if (ready.logReads.length > 0) server.syncs.push(`read the log for ${ready.logReads.map((read) => read.sid).join(',')}`);
    // One unit: the rewrite, the sync's appends and currentEpoch become durable together.
    server.volatile = applyReadyWrites(server.volatile, ready);
  }

  /** Step 5 and 6: the writes are durable. */
  private persisted(server: TestServer, ready: ReplicaReady): void {
    const broadcast = ready.broadcast;
    assert(broadcast !== null, 'only broadcast Readies persist');
    server.durable = server.volatile;
    for (const out of broadcast.messagesAfterPersist) {
      // The self-ack is the "persisted" input: delivered straight back (after the write).
      if (out.to === server.sid) server.replica.step(server.sid, out.msg);
      else this.send(server, out.to, out.msg, out.stream);
    }
    for (const ref of broadcast.disconnect) {
      const learner = this.servers.get(ref.sid);
      if (learner?.link?.stream === ref.stream) this.closeStream(learner);
    }
    for (const read of broadcast.logReads) {
      server.replica.logRead(read, server.volatile.log.filter((txn) => txn.zxid >= read.fromZxid && txn.zxid <= read.upToZxid));
    }
    server.replica.advance(ready);
    if (broadcast.stopped !== null) this.dropRole(server);
    else this.maybeSnapshot(server);
  }

  /**
   * The tree applied `snapshotEvery` txns past the last snapshot: take one.
   * Checked after every Ready, also while one is held (a snapshot is its own file): a
   * role starts with the log above the tree, and that must fit broadcast's
   * window (snapshotEvery + pendingProposalsMax below windowTxnsMax).
   */
  private maybeSnapshot(server: TestServer): void {
    if (this.snapshotEvery === 0) return;
    const tree = server.replica.dataTree.lastProcessedZxid;
    const since = server.volatile.log.filter((txn) => txn.zxid > server.volatile.snapshotZxid && txn.zxid <= tree).length;
    if (since >= this.snapshotEvery) this.snapshot(server.sid);
  }

  /** The role is over (stopped or crashed): its streams close. */
  private dropRole(server: TestServer): void {
    if (server.leading) {
      server.leading = false;
      for (const learner of this.servers.values()) if (learner.link?.leaderSid === server.sid) this.closeStream(learner);
    }
    if (server.link !== null) this.closeStream(server);
    this.network = this.network.filter((entry) => entry.from !== server.sid && entry.to !== server.sid);
  }

  /** The learner's stream to its leader closes: in-flight messages vanish, both ends are told. */
  private closeStream(learner: TestServer): void {
    const link = learner.link;
    if (link === null) return;
    learner.link = null;
    this.network = this.network.filter((entry) => entry.stream !== link.stream);
    const leader = this.server(link.leaderSid);
    if (!leader.crashed) leader.replica.peerDisconnected(learner.sid, link.stream);
    if (!learner.crashed) learner.replica.leaderLost();
  }

  /** Queues a message on its learner stream; one for a stream that has closed is dropped. */
  private send(from: TestServer, to: ServerId, msg: PeerMsg, stream: number | undefined): void {
    const learner = from.leading ? this.servers.get(to) : from;
    const open = learner?.link?.stream;
    if (open === undefined || (from.leading && stream !== open)) return;
    this.network.push({ from: from.sid, to, msg, stream: open });
  }

  private deliver(entry: InFlight): void {
    const to = this.server(entry.to);
    if (to.crashed) return;
    if (to.leading) to.replica.step(entry.from, entry.msg, entry.stream);
    else if (to.link?.stream === entry.stream) to.replica.step(entry.from, entry.msg);
  }

  /** The index of a message that is the oldest of its (from, to) pair, chosen by `pick`. */
  private deliverable(pick: (count: number) => number): number {
    const seen = new Set<string>();
    const heads: number[] = [];
    this.network.forEach((message, index) => {
      const pair = `${message.from}>${message.to}`;
      if (seen.has(pair)) return;
      seen.add(pair);
      heads.push(index);
    });
    if (heads.length === 0) return 0;
    return heads[pick(heads.length)] ?? 0;
  }
}

function compareVote(a: TestServer, b: TestServer): number {
  const ae = a.volatile.currentEpoch;
  const be = b.volatile.currentEpoch;
  if (ae !== be) return ae - be;
  const az = a.volatile.log.at(-1)?.zxid ?? a.volatile.logBaseZxid;
  const bz = b.volatile.log.at(-1)?.zxid ?? b.volatile.logBaseZxid;
  if (az !== bz) return az < bz ? -1 : 1;
  return a.sid - b.sid;
}

/**
 * A deterministic in-process ensemble for broadcast's tests: N servers, each
 * a Leader or Learner machine driven by a fake driver with a fake disk (a
 * crash loses every write not yet synced) and a fake data tree (the list of
 * applied txns), joined by a FIFO network of per-pair streams. It performs
 * each Ready in the order Ready documents, so a test sees what a real Driver
 * would do, and it checks ZAB's safety properties after every step.
 *
 * Election is an oracle here (packages/election is a separate machine): the
 * caller names the leader, or `electIfPossible` picks, like fast leader
 * election, the most up-to-date voter among a quorum of LOOKING voters.
 */
import { assert, type Zxid } from '@corral/base';
import { Leader } from '../leader.js';
import { serveLogRead } from '../leader-sync.js';
import { Learner } from '../learner.js';
import { defaultBroadcastLimits, type BroadcastLimits } from '../limits.js';
import { MajorityQuorum } from '../quorum.js';
import type { Epoch, InitialState, LogRead, OutMsg, PeerMsg, Ready, ServerId, Txn, UnsafeFaults } from '../types.js';
import { Checker } from './checker.js';
import { decodeText, encodeText, formatMsg, formatReady, formatTxn, formatZxid, parseZxid } from './format.js';
import type { Prng } from './prng.js';

/** What a fake disk holds durably (or, in `volatile`, including unsynced writes). */
export interface DiskState {
  readonly acceptedEpoch: Epoch;
  readonly currentEpoch: Epoch;
  readonly snapshotZxid: Zxid;
  /** The data tree at snapshotZxid: the txns applied to build it. */
  readonly snapshot: readonly Txn[];
  /** Log records, oldest first: every record above logBaseZxid. */
  readonly log: readonly Txn[];
  readonly logBaseZxid: Zxid;
}

type WriteUnit = (disk: DiskState) => DiskState;

/** A server's role in the harness. */
export type NodeRole = 'LOOKING' | 'LEADING' | 'FOLLOWING' | 'OBSERVING' | 'CRASHED';

/** One simulated server: fake disk, fake tree, and the machine of its current role. */
export class SimNode {
  readonly sid: ServerId;
  readonly observer: boolean;
  durable: DiskState = { acceptedEpoch: 0, currentEpoch: 0, snapshotZxid: 0n, snapshot: [], log: [], logBaseZxid: 0n };
  volatile: DiskState = this.durable;
  unsynced: WriteUnit[] = [];
  tree: Txn[] = [];
  machine: Leader | Learner | null = null;
  role: NodeRole = 'LOOKING';
  /** The Ready performed up to its writes, waiting for `persist`. */
  pendingReady: Ready | null = null;
  /** Log reads the leader asked for in the pending Ready, answered at persist. */
  logReads: readonly LogRead[] = [];
  /** The pending Ready's after-persist messages, SNAPs already serialized. */
  afterPersist: readonly OutMsg[] = [];
  /** Whether the checker has verified this leader machine's history at establishment. */
  historyChecked = false;

  constructor(sid: ServerId, observer: boolean) {
    this.sid = sid;
    this.observer = observer;
  }

  write(unit: WriteUnit): void {
    this.volatile = unit(this.volatile);
    this.unsynced.push(unit);
  }

  lastLoggedZxid(): Zxid {
    return this.volatile.log.at(-1)?.zxid ?? this.volatile.snapshotZxid;
  }
}

/** Options of a Cluster. */
export interface ClusterOptions {
  readonly voters: readonly ServerId[];
  readonly observers?: readonly ServerId[];
  readonly limits?: Partial<BroadcastLimits>;
  readonly faults?: UnsafeFaults;
  /** The fake driver snapshots its tree after this many applied txns past the last snapshot. */
  readonly snapshotEvery?: number;
  /**
   * 'compact' drops log records at each snapshot (a leader then SNAPs any learner behind its
   * window); 'keep' retains them, so the leader DIFFs such learners from a disk read.
   */
  readonly logRetention?: 'compact' | 'keep';
  /** Crash keeps a random prefix of unsynced writes when set; loses them all otherwise. */
  readonly prng?: Prng;
}

/** Small limits so that tests reach them. */
export const testLimits: BroadcastLimits = {
  ...defaultBroadcastLimits,
  pendingProposalsMax: 8,
  windowTxnsMax: 64,
  outboundMessagesPerPeerMax: 1000,
  learnerPendingTxnsMax: 256,
  initLimitTicks: 10,
  syncLimitTicks: 5,
};

/** N servers, a FIFO network and a checker. */
export class Cluster {
  readonly nodes = new Map<ServerId, SimNode>();
  readonly quorum: MajorityQuorum;
  readonly limits: BroadcastLimits;
  readonly checker = new Checker();
  /** Lines describing what happened, for the data-driven scripts. */
  readonly trace: string[] = [];
  /** In-flight messages per from→to pair, each tagged with the learner stream it belongs to. */
  private readonly links = new Map<string, Array<{ readonly msg: PeerMsg; readonly stream: number }>>();
  /** The open stream of each learner to its leader (the Driver's stream numbers). */
  private readonly streams = new Map<ServerId, number>();
  private nextStream = 1;
  private readonly faults: UnsafeFaults;
  private readonly snapshotEvery: number;
  private readonly keepLog: boolean;
  private readonly prng: Prng | undefined;

  constructor(options: ClusterOptions) {
    this.quorum = new MajorityQuorum(options.voters);
    this.limits = { ...testLimits, ...options.limits };
    this.faults = options.faults ?? {};
    this.snapshotEvery = options.snapshotEvery ?? 16;
    this.keepLog = options.logRetention === 'keep';
    this.prng = options.prng;
    for (const sid of options.voters) this.nodes.set(sid, new SimNode(sid, false));
    for (const sid of options.observers ?? []) this.nodes.set(sid, new SimNode(sid, true));
  }

  node(sid: ServerId): SimNode {
    const node = this.nodes.get(sid);
    assert(node !== undefined, () => `no node ${sid}`);
    return node;
  }

  /** Sets the durable state of a server that is not running a machine. */
  setDisk(sid: ServerId, disk: DiskState): void {
    const node = this.node(sid);
    assert(node.machine === null, 'set the disk of a stopped server');
    node.durable = disk;
    node.volatile = disk;
    node.unsynced = [];
  }

  /** Starts `leaderSid` as leader and `learnerSids` (LOOKING servers) as its learners. */
  elect(leaderSid: ServerId, learnerSids: readonly ServerId[]): void {
    const leader = this.node(leaderSid);
    assert(leader.role === 'LOOKING', 'the leader was LOOKING');
    this.start(leader, null);
    for (const sid of learnerSids) this.join(sid, leaderSid);
  }

  /** Starts a LOOKING server as a learner of a running leader. */
  join(sid: ServerId, leaderSid: ServerId): void {
    const node = this.node(sid);
    assert(node.role === 'LOOKING', 'a joining server was LOOKING');
    this.start(node, leaderSid);
  }

  /** The stream number of learner `sid`'s connection to its leader (for tests that step the leader directly). */
  streamOf(sid: ServerId): number {
    const stream = this.streams.get(sid);
    assert(stream !== undefined, `server ${sid} has a stream`);
    return stream;
  }

  /** The running leader machine, if any. */
  leader(): SimNode | undefined {
    for (const node of this.nodes.values()) if (node.role === 'LEADING') return node;
    return undefined;
  }

  /** Performs the next Ready of `sid` up to its writes (steps 1–4 of Ready). False if none. */
  process(sid: ServerId): boolean {
    const node = this.node(sid);
    const machine = node.machine;
    if (machine === null || node.pendingReady !== null || !machine.hasReady()) return false;
    const ready = machine.ready();
    this.trace.push(...formatReady(sid, ready));
    const rewrite = this.rewriteLog(node, ready);
    for (const out of ready.messages) this.send(node, { ...out, msg: this.fillSnapshot(node, out.msg) });
    // Every SNAP is serialized now, before this Ready's commits, even one that waits for the disk.
    node.afterPersist = ready.messagesAfterPersist.map((out) => ({ ...out, msg: this.fillSnapshot(node, out.msg) }));
    this.apply(node, ready.committed);
    if (ready.hardState !== null && ready.hardState.currentEpoch !== node.volatile.currentEpoch) {
      this.checker.onCurrentEpoch(sid, ready.hardState.currentEpoch, machine instanceof Leader ? sid : machine.leaderSid);
    }
    if (rewrite !== null || ready.append.length > 0 || ready.hardState !== null) {
      const { append, hardState } = ready;
      // One unit: a crash keeps the rewrite, the appends and the hard state together or not at all.
      node.write((before) => {
        const disk = rewrite === null ? before : rewrite(before);
        const epochs = hardState === null ? {} : { acceptedEpoch: hardState.acceptedEpoch, currentEpoch: hardState.currentEpoch };
        return { ...disk, log: [...disk.log, ...append], ...epochs };
      });
    }
    node.logReads = ready.logReads;
    for (const ref of ready.disconnect) if (this.streams.get(ref.sid) === ref.stream) this.closeStream(sid, ref.sid);
    node.pendingReady = ready;
    return true;
  }

  /** The writes of `sid` become durable: after-persist messages go, and the Ready is advanced. */
  persist(sid: ServerId): boolean {
    const node = this.node(sid);
    const ready = node.pendingReady;
    if (ready === null) return false;
    if (node.unsynced.length > 0) this.trace.push(`[${sid}] durable`);
    node.durable = node.volatile;
    node.unsynced = [];
    node.pendingReady = null;
    const machine = node.machine;
    assert(machine !== null, 'a pending Ready belongs to a machine');
    for (const out of node.afterPersist) {
      if (out.to === sid) machine.step(sid, out.msg);
      else this.send(node, out);
    }
    machine.advance(ready);
    // The driver reads the log whenever it likes; here, once the Ready is done.
    for (const read of node.logReads) {
      if (!(machine instanceof Leader)) break;
      machine.logRead(read, serveLogRead(node.volatile.log, read));
    }
    node.logReads = [];
    this.maybeSnapshot(node);
    if (ready.stopped !== null) this.toLooking(node);
    this.checkLeaders();
    return true;
  }

  /** Delivers the oldest message on from→to. False if there is none. */
  deliver(from: ServerId, to: ServerId): boolean {
    const queue = this.links.get(linkKey(from, to));
    const entry = queue?.shift();
    if (entry === undefined) return false;
    const { msg, stream } = entry;
    const machine = this.node(to).machine;
    if (machine instanceof Learner && this.streams.get(to) !== stream) return true;
    this.trace.push(`deliver ${from}->${to} ${formatMsg(msg)}`);
    if (machine instanceof Leader) machine.step(from, msg, stream);
    else machine?.step(from, msg);
    this.checkLeaders();
    return true;
  }

  /** Links with messages in flight, as [from, to] pairs in a stable order. */
  busyLinks(): Array<[ServerId, ServerId]> {
    const result: Array<[ServerId, ServerId]> = [];
    for (const [key, queue] of this.links) {
      if (queue.length === 0) continue;
      const [from, to] = key.split('->').map(Number) as [number, number];
      result.push([from, to]);
    }
    return result;
  }

  /** Messages in flight on from→to. */
  queuedCount(from: ServerId, to: ServerId): number {
    return this.links.get(linkKey(from, to))?.length ?? 0;
  }

  tick(sid: ServerId): void {
    this.node(sid).machine?.tick();
  }

  /** Proposes on the leader `sid`; returns a line describing the result. */
  propose(sid: ServerId, data: string): string {
    const machine = this.node(sid).machine;
    if (!(machine instanceof Leader)) return `${sid} is not leading`;
    const result = machine.propose(encodeText(data));
    return result.ok ? `proposed ${formatZxid(result.zxid)}` : `rejected: ${result.reason}`;
  }

  /** Crashes `sid`: unsynced writes are lost (a random prefix survives when the cluster has a PRNG). */
  crash(sid: ServerId): void {
    const node = this.node(sid);
    if (node.role === 'CRASHED') return;
    const keep = this.prng === undefined ? 0 : this.prng.below(node.unsynced.length + 1);
    let disk = node.durable;
    for (const unit of node.unsynced.slice(0, keep)) disk = unit(disk);
    this.endRole(node);
    node.durable = disk;
    node.volatile = disk;
    node.unsynced = [];
    node.role = 'CRASHED';
    this.trace.push(`[${sid}] crashed`);
  }

  /** Restarts a crashed server: it is LOOKING with its durable state. */
  restart(sid: ServerId): void {
    const node = this.node(sid);
    assert(node.role === 'CRASHED', 'restart a crashed server');
    node.role = 'LOOKING';
  }

  /** Breaks the stream between a leader and a learner (both ends notice). */
  disconnect(a: ServerId, b: ServerId): void {
    const leaderSid = this.node(a).role === 'LEADING' ? a : b;
    this.closeStream(leaderSid, leaderSid === a ? b : a);
  }

  /**
   * Fast leader election as an oracle: when a quorum of voters is LOOKING (and no leader runs),
   * the one with the highest (currentEpoch, last zxid, sid) leads them; LOOKING servers join a
   * running leader. Returns true if anything started.
   */
  electIfPossible(): boolean {
    const running = this.leader();
    const looking = [...this.nodes.values()].filter((n) => n.role === 'LOOKING');
    if (looking.length === 0) return false;
    if (running !== undefined) {
      for (const node of looking) this.join(node.sid, running.sid);
      return true;
    }
    const voters = looking.filter((n) => !n.observer);
    if (!this.quorum.containsQuorum(new Set(voters.map((n) => n.sid)))) return false;
    voters.sort((x, y) => compareVote(y, x));
    const leader = voters[0] as SimNode;
    this.elect(leader.sid, looking.filter((n) => n !== leader).map((n) => n.sid));
    return true;
  }

  /** True when no machine has a Ready or pending write and no message is in flight. */
  quiet(): boolean {
    for (const node of this.nodes.values()) {
      if (node.pendingReady !== null || node.machine?.hasReady() === true) return false;
    }
    return this.busyLinks().length === 0;
  }

  /** One line per server: role, phase, epochs, zxids. */
  status(): string[] {
    const lines: string[] = [];
    for (const node of this.nodes.values()) {
      const d = node.volatile;
      let head = `${node.sid} ${node.role}`;
      const m = node.machine;
      if (m instanceof Leader) head += ` ${m.state} committed=${formatZxid(m.lastCommittedZxid)} synced=[${m.syncedLearners().join(',')}]`;
      if (m instanceof Learner) head += `(${m.leaderSid}) ${m.state}`;
      lines.push(`${head} accepted=${d.acceptedEpoch} current=${d.currentEpoch} last=${formatZxid(node.lastLoggedZxid())} applied=${formatZxid(node.tree.at(-1)?.zxid ?? 0n)}`);
    }
    return lines;
  }

  /** The log of `sid`: snapshot point, durable and volatile records, applied txns. */
  describeLog(sid: ServerId): string[] {
    const node = this.node(sid);
    const list = (txns: readonly Txn[]): string => txns.map(formatTxn).join(' ');
    return [
      `${sid} snap=${formatZxid(node.volatile.snapshotZxid)} log=[${list(node.volatile.log)}] durable=[${list(node.durable.log)}]`,
      `${sid} tree=[${list(node.tree)}]`,
    ];
  }

  private start(node: SimNode, leaderSid: ServerId | null): void {
    const disk = node.volatile;
    const state: InitialState = {
      acceptedEpoch: disk.acceptedEpoch,
      currentEpoch: disk.currentEpoch,
      appliedZxid: disk.snapshotZxid,
      logBaseZxid: disk.snapshotZxid,
      log: disk.log.filter((txn) => txn.zxid > disk.snapshotZxid),
      diskLogBaseZxid: disk.logBaseZxid < disk.snapshotZxid ? disk.logBaseZxid : disk.snapshotZxid,
    };
    node.tree = [...disk.snapshot];
    node.historyChecked = false;
    if (leaderSid === null) {
      const observers = [...this.nodes.values()].filter((n) => n.observer).map((n) => n.sid);
      node.machine = new Leader({ sid: node.sid, quorum: this.quorum, observers, limits: this.limits, state, faults: this.faults });
      node.role = 'LEADING';
    } else {
      node.machine = new Learner({ sid: node.sid, leaderSid, observer: node.observer, limits: this.limits, state, faults: this.faults });
      this.streams.set(node.sid, this.nextStream++);
      node.role = node.observer ? 'OBSERVING' : 'FOLLOWING';
    }
    this.trace.push(`[${node.sid}] ${node.role}${leaderSid === null ? '' : ` ${leaderSid}`}`);
  }

  /** The tree stands at exactly SNAP.zxid at step 2 of a Ready: serialize it into the message. */
  private fillSnapshot(from: SimNode, msg: PeerMsg): PeerMsg {
    if (msg.type !== 'SNAP' || msg.snapshot !== null) return msg;
    const treeZxid = from.tree.at(-1)?.zxid ?? 0n;
    assert(treeZxid === msg.zxid, () => `SNAP at ${formatZxid(msg.zxid)} but the tree is at ${formatZxid(treeZxid)}`);
    return { ...msg, snapshot: encodeSnapshot(from.tree) };
  }

  /** Queues a message on its learner stream; one meant for a stream that has closed is dropped. */
  private send(from: SimNode, out: OutMsg): void {
    const learnerSid = from.machine instanceof Leader ? out.to : from.sid;
    const stream = this.streams.get(learnerSid);
    if (stream === undefined || (from.machine instanceof Leader && out.stream !== stream)) {
      this.trace.push(`drop ${from.sid}->${out.to} ${formatMsg(out.msg)} (stream closed)`);
      return;
    }
    const key = linkKey(from.sid, out.to);
    const queue = this.links.get(key) ?? [];
    queue.push({ msg: out.msg, stream });
    this.links.set(key, queue);
  }

  /** Step 1 of a Ready on the tree; returns the disk part, which process() writes with the appends. */
  private rewriteLog(node: SimNode, ready: Ready): WriteUnit | null {
    const install = ready.snapshot;
    if (install !== null) {
      const txns = decodeSnapshot(install.snapshot);
      node.tree = [...txns];
      return (disk) => ({ ...disk, snapshotZxid: install.zxid, snapshot: txns, log: [], logBaseZxid: install.zxid });
    }
    const truncate = ready.truncate;
    if (truncate !== null) {
      const lost = node.tree.filter((txn) => txn.zxid > truncate);
      if (lost.length > 0) this.checker.violation(`[${node.sid}] truncated applied txns ${lost.map(formatTxn).join(' ')}`);
      node.tree = node.tree.filter((txn) => txn.zxid <= truncate);
      return (disk) => ({ ...disk, log: disk.log.filter((txn) => txn.zxid <= truncate) });
    }
    return null;
  }

  private apply(node: SimNode, committed: readonly Txn[]): void {
    const isLeader = node.machine instanceof Leader;
    for (const txn of committed) {
      const last = node.tree.at(-1)?.zxid ?? 0n;
      if (txn.zxid <= last) this.checker.violation(`[${node.sid}] applied ${formatTxn(txn)} after ${formatZxid(last)}`);
      node.tree.push(txn);
      this.checker.onApply(node.sid, txn);
      if (isLeader) {
        this.checker.onQuorumCommit(txn);
        this.checkDurableOnQuorum(node.sid, txn);
      }
    }
  }

  /** A commit means a quorum has the txn on disk: their acks were sent only after that. */
  private checkDurableOnQuorum(leaderSid: ServerId, txn: Txn): void {
    const holders = new Set<ServerId>();
    for (const node of this.nodes.values()) {
      const disk = node.durable;
      const held = disk.log.find((t) => t.zxid === txn.zxid) ?? disk.snapshot.findLast((t) => t.zxid === txn.zxid);
      if (held !== undefined && decodeText(held.bytes) === decodeText(txn.bytes)) holders.add(node.sid);
    }
    if (!this.quorum.containsQuorum(holders)) {
      this.checker.violation(`leader ${leaderSid} committed ${formatTxn(txn)} durable only on [${[...holders].join(',')}]`);
    }
  }

  private maybeSnapshot(node: SimNode): void {
    const applied = node.tree.length - node.volatile.snapshot.length;
    if (applied < this.snapshotEvery) return;
    const tree = [...node.tree];
    const zxid = (tree.at(-1) as Txn).zxid;
    const keep = this.keepLog;
    node.write((disk) => ({
      ...disk,
      snapshotZxid: zxid,
      snapshot: tree,
      ...(keep ? {} : { log: disk.log.filter((txn) => txn.zxid > zxid), logBaseZxid: zxid }),
    }));
    if (!keep && node.machine instanceof Leader) node.machine.logCompacted(zxid);
    node.durable = node.volatile;
    node.unsynced = [];
  }

  private checkLeaders(): void {
    for (const node of this.nodes.values()) {
      if (node.historyChecked || !(node.machine instanceof Leader) || node.machine.state !== 'broadcast') continue;
      node.historyChecked = true;
      this.checker.checkLeaderHistory(node.sid, [...node.volatile.snapshot, ...node.volatile.log]);
    }
  }

  /** Closes the leader–learner stream: in-flight messages vanish; both machines are told. */
  private closeStream(leaderSid: ServerId, learnerSid: ServerId): void {
    this.links.delete(linkKey(leaderSid, learnerSid));
    this.links.delete(linkKey(learnerSid, leaderSid));
    const leader = this.node(leaderSid).machine;
    const learner = this.node(learnerSid).machine;
    const stream = this.streams.get(learnerSid);
    this.streams.delete(learnerSid);
    if (leader instanceof Leader && stream !== undefined) leader.learnerDisconnected(learnerSid, stream);
    if (learner instanceof Learner && learner.leaderSid === leaderSid) learner.connectionLost();
  }

  /** The machine finished: its writes are durable (persist ran); the server is LOOKING. */
  private toLooking(node: SimNode): void {
    this.endRole(node);
    node.role = 'LOOKING';
    this.trace.push(`[${node.sid}] LOOKING`);
  }

  private endRole(node: SimNode): void {
    const machine = node.machine;
    node.machine = null;
    node.pendingReady = null;
    if (machine instanceof Leader) {
      for (const other of this.nodes.values()) {
        if (other.machine instanceof Learner && other.machine.leaderSid === node.sid) this.closeStream(node.sid, other.sid);
      }
    }
    if (machine instanceof Learner) this.closeStream(machine.leaderSid, node.sid);
    for (const key of [...this.links.keys()]) {
      const [from, to] = key.split('->').map(Number);
      if (from === node.sid || to === node.sid) this.links.delete(key);
    }
  }
}

function linkKey(from: ServerId, to: ServerId): string {
  return `${from}->${to}`;
}

function compareVote(a: SimNode, b: SimNode): number {
  const ae = a.volatile.currentEpoch;
  const be = b.volatile.currentEpoch;
  if (ae !== be) return ae - be;
  const az = a.lastLoggedZxid();
  const bz = b.lastLoggedZxid();
  if (az !== bz) return az < bz ? -1 : 1;
  return a.sid - b.sid;
}

function encodeSnapshot(tree: readonly Txn[]): Uint8Array {
  return encodeText(tree.map((txn) => `${formatZxid(txn.zxid)}=${decodeText(txn.bytes)}`).join('\n'));
}

function decodeSnapshot(bytes: Uint8Array): Txn[] {
  const text = decodeText(bytes);
  if (text === '') return [];
  return text.split('\n').map((line) => {
    const index = line.indexOf('=');
    return { zxid: parseZxid(line.slice(0, index)), bytes: encodeText(line.slice(index + 1)) };
  });
}

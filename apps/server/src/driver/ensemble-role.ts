/**
 * An ensemble member's role (issue 9): fast leader election over the
 * PeerNetwork's election links and ticks; on a decision the Leader (quorum =
 * the voters, observers listed) or a Learner (a `connectLeader` stream;
 * FOLLOWERINFO/OBSERVERINFO sent again on a new stream while the leader
 * refuses, until the Learner's initLimit ends it) under the Replica; when
 * the machine stops, every stream of the role closes and the server goes
 * back to election with its on-disk position. tools/sim's ReplicaNode is the
 * model; this is it over real sockets.
 *
 * Streams (packages/broadcast README): the network numbers them; a leader
 * steps each learner's messages with its stream and sends on the stream each
 * message names; a learner takes messages only from its current stream.
 */
import { majorityQuorum } from '@corral/base';
import { Leader, Learner, MajorityQuorum, type BroadcastLimits, type OutMsg, type PeerMsg, type Ready } from '@corral/broadcast';
import { Election, type ElectionResult, type Notification } from '@corral/election';
import type { Replica } from '@corral/replica';
import type { EnsembleReport } from '../admin/ensemble-report.js';
import { countLearnerSync, type LearnerSyncCounts } from '../stats/learner-sync-counts.js';
import { leaderReport, learnerReport, lookingReport } from '../admin/role-reports.js';
import type { EnsembleMembership } from '../config/ensemble-config.js';
import type { ServerConfig } from '../config/server-config.js';
import { PeerNetwork, type BroadcastStreamRef, type PeerEvents } from '../peer/peer-network.js';
import { defaultPeerLimits, type PeerLimits } from '../peer/limits.js';
import { ProposalSizeStats } from '../stats/proposal-size-stats.js';
import { broadcastTrace } from './ensemble-trace.js';
import { MeasuredLeader } from './measured-leader.js';
import type { RoleHost, RoleRunner, ServerMode } from './role-runner.js';
import { hopTrace } from '../stats/hop-trace.js';

/**
 * Base ticks between a refused connect to the leader and the next attempt (20 ms): a follower
 * usually decides before its leader has read its log and built its machine, and each retry
 * step here is time every client of the ensemble waits after a failover.
 */
export const connectRetryTicks = 1;
/**
 * The election's finalize wait in base ticks (60 ms; ZooKeeper's finalizeWait is 200 ms). On
 * loopback or a LAN a better vote arrives within a millisecond or two; a decision made before it
 * is refused by ZAB's discovery (the leader finds no quorum, or a learner ahead) and costs one
 * more round, while every failover pays the wait. tools/sim runs 1-4 ticks.
 */
export const finalizeWaitTicks = 3;
/** Milliseconds between attempts to bind the peer ports (ZooKeeper's electionPortBindRetry waits 1 s). */
export const peerBindRetryMs = 1000;
/** QuorumPeer waits at least this long LOOKING (or tickTime, if longer) before it serves read-only clients. */
export const readOnlyGraceMinMs = 2000;

/** Options of {@link EnsembleRole.start}. */
export interface EnsembleRoleOptions {
  readonly host: RoleHost;
  readonly config: ServerConfig;
  readonly membership: EnsembleMembership;
  readonly limits: BroadcastLimits;
  readonly peerLimits?: Partial<PeerLimits>;
}

/** A learner's sync as it arrives, for the one log line at establishment. */
interface SyncProgress {
  readonly mode: 'DIFF' | 'TRUNC' | 'SNAP';
  readonly zxid: bigint;
  txnCount: number;
  byteCount: number;
  readonly startedMs: number;
}

/** Election, the decided role and the peer streams of one ensemble member. */
export class EnsembleRole implements RoleRunner, PeerEvents {
  mode: ServerMode = 'looking';
  readonly learnerSyncs: LearnerSyncCounts = { diff: 0, snap: 0 };
  private readonly options: EnsembleRoleOptions;
  private readonly sid: number;
  private readonly election: Election;
  private network: PeerNetwork | null = null;
  private decision: ElectionResult | null = null;
  /** A decided role is being built (its InitialState is read from disk). */
  private starting = false;
  private rebuilding = false;
  private closed = false;
  private leader: Leader | null = null;
  private learner: Learner | null = null;
  private leaderSid: number | null = null;
  /** The learner's stream to its leader, and whether its handshake finished. */
  private stream: number | null = null;
  private streamOpen = false;
  /** FOLLOWERINFO/OBSERVERINFO: sent when the stream opens, and again on each new stream. */
  private connectInfo: PeerMsg | null = null;
  private retryInTicks = 0;
  /** Learner streams this server accepted (closed when a leadership ends). */
  private readonly accepted = new Set<number>();
  private electionStartedMs = performance.now();
  private decidedMs = 0;
  private sync: SyncProgress | null = null;
  /** For the four-letter words: the last sync header stepped into this learner, the leader's start of broadcast and its proposal sizes. */
  private syncHeader: 'none' | 'DIFF' | 'TRUNC' | 'SNAP' = 'none';
  private establishedAtMs: number | null = null;
  private proposalSizes = new ProposalSizeStats();
  /**
   * The last notification meant for each peer: resent when its election link comes up, as
   * ZooKeeper's QuorumCnxManager.SendWorker resends lastMessageSent on a new connection (a vote
   * sent while the link was down is otherwise only resent at the election's doubling interval).
   */
  private readonly lastNotification = new Map<number, Notification>();

  private constructor(options: EnsembleRoleOptions) {
    this.options = options;
    const { membership } = options;
    this.sid = membership.myid;
    const verifier = majorityQuorum({ voters: membership.voters, observers: membership.observers });
    const limits = { finalizeWaitTicks, finalizeTicksMax: finalizeWaitTicks * 8 };
    this.election = new Election({ sid: this.sid, verifier, limits, ...options.host.disk.position() });
  }

  /** Binds the peer ports (retried as electionPortBindRetry says) and starts electing. */
  static async start(options: EnsembleRoleOptions): Promise<EnsembleRole> {
    const role = new EnsembleRole(options);
    const { config, membership, limits, host } = options;
    const peerLimits: PeerLimits = {
      ...defaultPeerLimits,
      handshakeTimeoutMs: config.cnxTimeoutMs,
      // One Ready may send a learner a whole sync, plus the chunks of a SNAP.
      outboundMessagesPerLinkMax: Math.max(defaultPeerLimits.outboundMessagesPerLinkMax, limits.outboundMessagesPerPeerMax + 4_200),
      ...options.peerLimits,
    };
    const networkOptions = {
      sid: membership.myid, servers: membership.servers, secret: config.peerAuthSecret, limits: peerLimits, logger: host.logger, events: role,
      // A SNAP's chunks are stored as they arrive, while the peer stream loads the tree from them.
      snapshotStaging: (zxid: bigint) => host.disk.stageSnapshot(zxid),
      ...(config.quorumListenOnAllIPs ? { listenHost: '0.0.0.0' } : {}),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        role.network = await PeerNetwork.start(networkOptions);
        break;
      } catch (error) {
        const retries = config.electionPortBindRetry;
        // grpc-js reports a port it cannot bind as "No address added out of total N resolved".
        if ((error as { code?: string }).code !== 'EADDRINUSE' && !/address already in use|No address added/i.test(String(error))) throw error;
        if (retries !== 0 && attempt >= retries) {
          const { me } = membership;
          // ELISTEN: the CLI prints one line and exits 1, as for the client port.
          throw Object.assign(new Error(`quorum port ${me.host}:${me.quorumPort} or election port ${me.host}:${me.electionPort} of server.${me.sid}: ${String(error)}`), { code: 'ELISTEN' });
        }
        host.logger.warn({ attempt, error: String(error) }, 'cannot bind the quorum or election port; retrying');
        await new Promise((resolve) => setTimeout(resolve, peerBindRetryMs));
      }
    }
    host.logger.info({ sid: role.sid, voters: membership.voters, observers: membership.observers, ...host.disk.position() }, 'looking for a leader');
    host.scheduleTurn();
    return role;
  }

  // ---- RoleRunner -------------------------------------------------------------

  pump(): void {
    this.sendUnordered();
    if (this.election.hasReady()) {
      const ready = this.election.ready();
      for (const { to, notification } of ready.messages) {
        this.lastNotification.set(to, notification);
        this.network?.sendNotification(to, notification);
      }
      if (ready.result !== null) this.decided(ready.result);
      this.election.advance(ready);
    }
    if (this.decision !== null && !this.starting && !this.rebuilding && !this.closed && this.options.host.idle()) this.startDecided(this.decision);
  }

  tick(): void {
    this.election.tick();
    this.maybeServeReadOnly();
    if (this.retryInTicks > 0) {
      this.retryInTicks -= 1;
      if (this.retryInTicks === 0 && this.learner?.state === 'discovery' && this.stream === null) this.openLeaderStream();
    }
  }

  send(messages: readonly OutMsg[]): void {
    const network = this.network;
    if (network === null) return;
    for (const out of messages) {
      broadcastTrace.sent(out.msg.type);
      if (this.leader !== null) {
        if (out.stream === undefined) continue;
        if (out.msg.type === 'DIFF' || out.msg.type === 'TRUNC' || out.msg.type === 'SNAP') this.loggedLearnerSync(out);
        network.sendBroadcast(out.stream, out.msg);
        continue;
      }
      if (out.msg.type === 'FOLLOWERINFO' || out.msg.type === 'OBSERVERINFO') {
        this.connectInfo = out.msg;
        if (this.stream !== null && this.streamOpen) network.sendBroadcast(this.stream, out.msg);
        continue;
      }
      if (this.stream !== null) network.sendBroadcast(this.stream, out.msg);
    }
  }

  disconnect(refs: Ready['disconnect']): void {
    for (const ref of refs) {
      this.accepted.delete(ref.stream);
      this.network?.closeBroadcast(ref.stream, 'dropped by the leader');
    }
  }

  stopped(reason: string, rebuildAtOrBelow: bigint | null): void {
    const { host } = this.options;
    const was = this.leader !== null ? 'leader' : this.learner?.observer === true ? 'observer' : 'follower';
    // Nothing of the role is in flight (Driver.endRole): the position logged is what this server will vote with.
    const { lastLoggedZxid } = host.disk.position();
    host.logger.info({ sid: this.sid, was, reason, lastLoggedZxid: `0x${lastLoggedZxid.toString(16)}` }, 'role ended; back to election');
    if (this.stream !== null) this.network?.closeBroadcast(this.stream, 'role ended');
    for (const stream of this.accepted) this.network?.closeBroadcast(stream, 'leadership ended');
    this.accepted.clear();
    this.leader = null;
    this.learner = null;
    this.leaderSid = null;
    this.stream = null;
    this.streamOpen = false;
    this.connectInfo = null;
    this.retryInTicks = 0;
    this.sync = null;
    this.mode = 'looking';
    if (rebuildAtOrBelow === null) {
      this.lookAgain();
      return;
    }
    this.rebuilding = true;
    host.disk.rebuild(rebuildAtOrBelow).then((tree) => {
      this.rebuilding = false;
      host.replica.replaceTree(tree);
      this.lookAgain();
    }, (error: unknown) => host.fatal(error));
  }

  roleChanged(role: Replica['role']): void {
    const { logger } = this.options.host;
    if (role === 'looking') {
      this.mode = 'looking';
      return;
    }
    this.mode = role === 'leading' ? 'leader' : role === 'following' ? 'follower' : 'observer';
    if (role === 'leading') this.establishedAtMs = Date.now();
    const zxid = `0x${this.options.host.replica.dataTree.lastProcessedZxid.toString(16)}`;
    const ms = Math.round(performance.now() - this.decidedMs);
    const sync = this.sync;
    const synced = sync === null ? {} : {
      sync: sync.mode, syncZxid: `0x${sync.zxid.toString(16)}`, syncTxns: sync.txnCount, syncBytes: sync.byteCount, syncMs: Math.round(performance.now() - sync.startedMs),
    };
    logger.info({ sid: this.sid, role, leader: this.leaderSid, zxid, msSinceDecision: ms, ...synced }, `serving as ${this.mode}`);
    this.sync = null;
  }

  ensembleReport(): EnsembleReport {
    const membership = { serverId: this.sid, servers: this.options.config.servers };
    const { leader, learner } = this;
    if (leader !== null) {
      return leaderReport(membership, {
        phase: leader.state, syncedLearnerSids: leader.syncedLearners(), learnerCount: this.accepted.size,
        pendingSyncCount: this.options.host.replica.learnerSyncsPending, establishedAtMs: this.establishedAtMs, proposalSizes: this.proposalSizes,
      });
    }
    if (learner !== null) return learnerReport(membership, { phase: learner.state, leaderSid: learner.leaderSid, observer: learner.observer, syncHeader: this.syncHeader });
    return { ...lookingReport(membership), readOnly: this.options.host.replica.readOnly };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.network?.close();
  }

  // ---- PeerEvents ---------------------------------------------------------------

  notification(_from: number, notification: Notification): void {
    this.election.step(notification);
    this.options.host.scheduleTurn();
  }

  electionLink(sid: number, up: boolean): void {
    const last = this.lastNotification.get(sid);
    if (up && last !== undefined) this.network?.sendNotification(sid, last);
  }

  broadcastOpened(ref: BroadcastStreamRef): void {
    if (ref.side === 'leader') {
      this.accepted.add(ref.stream);
      return;
    }
    if (ref.stream !== this.stream) return;
    this.streamOpen = true;
    if (this.connectInfo !== null) this.network?.sendBroadcast(ref.stream, this.connectInfo);
  }

  broadcastMessage(ref: BroadcastStreamRef, msg: PeerMsg): void {
    hopTrace.mark('peer-in', msg.type);
    const { replica } = this.options.host;
    broadcastTrace.received(msg.type);
    if (ref.side === 'leader') {
      // A connect to a server that does not lead (yet) is refused; the learner retries.
      if (this.leader === null) this.network?.closeBroadcast(ref.stream, 'not leading');
      else replica.step(ref.sid, msg, ref.stream);
    } else if (this.learner !== null && ref.stream === this.stream) {
      this.noteSync(msg);
      replica.step(ref.sid, msg);
    }
    this.options.host.scheduleTurn();
  }

  broadcastClosed(ref: BroadcastStreamRef, _reason: string): void {
    const { replica } = this.options.host;
    if (ref.side === 'leader') {
      this.accepted.delete(ref.stream);
      if (this.leader !== null) replica.peerDisconnected(ref.sid, ref.stream);
    } else if (ref.stream === this.stream) {
      this.stream = null;
      this.streamOpen = false;
      // Refused while the leader is not ready: connect again (ZooKeeper's connectToLeader retries within initLimit).
      if (this.learner?.state === 'discovery') this.retryInTicks = connectRetryTicks;
      else replica.leaderLost();
    }
    this.options.host.scheduleTurn();
  }

  // ---- internals ------------------------------------------------------------------

  private decided(result: ElectionResult): void {
    this.decidedMs = performance.now();
    const ms = Math.round(this.decidedMs - this.electionStartedMs);
    this.options.host.logger.info(
      { sid: this.sid, state: result.state, leader: result.leader, zxid: `0x${result.zxid.toString(16)}`, electionEpoch: String(result.electionEpoch), ms },
      'election decided',
    );
    this.decision = result;
  }

  /** Builds the decided role from what is on disk once the previous role is fully done. */
  private startDecided(decided: ElectionResult): void {
    const { host, membership, limits } = this.options;
    this.decision = null;
    this.starting = true;
    const applied = host.replica.dataTree.lastProcessedZxid;
    host.disk.initialState(applied).then((state) => {
      this.starting = false;
      if (this.closed) return;
      if (decided.state === 'LEADING') {
        this.leaderSid = this.sid;
        this.leader = new Leader({ sid: this.sid, quorum: new MajorityQuorum(membership.voters), observers: membership.observers, limits, state });
        this.proposalSizes = new ProposalSizeStats();
        this.establishedAtMs = null;
        host.replica.lead(new MeasuredLeader(this.leader, this.proposalSizes));
      } else {
        const observer = decided.state === 'OBSERVING';
        this.leaderSid = decided.leader;
        this.learner = new Learner({ sid: this.sid, leaderSid: decided.leader, observer, limits, state });
        this.syncHeader = 'none';
        host.replica.follow(this.learner, observer);
        this.openLeaderStream();
      }
      host.scheduleTurn();
    }, (error: unknown) => host.fatal(error));
  }

  /**
   * A learner's forwarded writes, revalidations and PING echoes go out now, not with its next
   * Ready: that Ready waits for the write in flight, and a forwarded write would wait for this
   * follower's fsync before the leader even saw it.
   */
  private sendUnordered(): void {
    const { learner, network, stream } = this;
    if (learner === null || network === null || stream === null || !this.streamOpen) return;
    for (const out of learner.takeUnordered()) {
      broadcastTrace.sent(out.msg.type);
      network.sendBroadcast(stream, out.msg);
    }
  }

  private openLeaderStream(): void {
    if (this.leaderSid === null || this.network === null || this.closed) return;
    this.stream = this.network.connectLeader(this.leaderSid);
    this.streamOpen = false;
  }

  /**
   * `readonlymode.enabled`: LOOKING for longer than the grace period
   * (QuorumPeer's max(2 s, tickTime), counted from the start of this
   * election) without a decided role, this server serves read-only clients
   * until a role starts (the Replica then closes their connections).
   */
  private maybeServeReadOnly(): void {
    const { host, config } = this.options;
    if (!config.readOnlyModeEnabled || host.replica.readOnly || this.decision !== null || this.starting || this.rebuilding || !host.idle()) return;
    if (performance.now() - this.electionStartedMs < Math.max(readOnlyGraceMinMs, config.tickTimeMs)) return;
    host.replica.serveReadOnly();
    host.logger.info({ sid: this.sid, zxid: `0x${host.replica.dataTree.lastProcessedZxid.toString(16)}` }, 'no quorum: serving read-only clients');
  }

  private lookAgain(): void {
    this.electionStartedMs = performance.now();
    this.election.startElection(this.options.host.disk.position());
    this.options.host.scheduleTurn();
  }

  private noteSync(msg: PeerMsg): void {
    if (msg.type === 'DIFF' || msg.type === 'TRUNC' || msg.type === 'SNAP') {
      this.syncHeader = msg.type;
      this.sync = { mode: msg.type, zxid: msg.zxid, txnCount: 0, byteCount: msg.type === 'SNAP' ? (msg.snapshot?.byteLength ?? 0) : 0, startedMs: performance.now() };
    } else if (this.sync !== null && this.mode === 'looking' && (msg.type === 'PROPOSAL' || msg.type === 'INFORM')) {
      this.sync.txnCount += 1;
      this.sync.byteCount += msg.txn.bytes.byteLength;
    }
  }

  private loggedLearnerSync(out: OutMsg): void {
    const msg = out.msg;
    if (msg.type !== 'DIFF' && msg.type !== 'TRUNC' && msg.type !== 'SNAP') return;
    countLearnerSync(this.learnerSyncs, msg.type);
    const bytes = msg.type === 'SNAP' ? (msg.snapshot?.byteLength ?? 0) : 0;
    this.options.host.logger.info({ sid: this.sid, learner: out.to, sync: msg.type, zxid: `0x${msg.zxid.toString(16)}`, bytes }, 'syncing a learner');
  }
}

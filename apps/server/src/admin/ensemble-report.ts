/**
 * What the four-letter words need to know about this server's place in its
 * ensemble, as plain values: the Driver (or, standalone, the configuration)
 * fills an EnsembleReport each time a word runs, and `admin/` turns it into
 * Apache ZooKeeper 3.8's text. Nothing here knows about sockets or the
 * Driver; the words never reach into broadcast or election themselves.
 *
 * Apache's sources for each fact: ZooKeeperServer.getState (the role names),
 * QuorumPeer.getDetailedPeerState (the peer state), LeaderZooKeeperServer
 * .registerMetrics (the leader's gauges), QuorumZooKeeperServer (quorum_size),
 * ObserverZooKeeperServer (observer_master_id), QuorumMaj.toString (conf's
 * membership lines). The contract the Driver must meet is in
 * apps/server/README.md, "Four-letter words in an ensemble".
 */
import { assert } from '@corral/base';
import type { QuorumServerSpec, ServerConfig } from '../config/server-config.js';

/**
 * The server's role. `standalone`: no ensemble (ZooKeeperServer). `looking`:
 * in leader election (QuorumPeer.ServerState.LOOKING). An elected server is
 * `leader`, `follower` or `observer` from the end of its election on, and
 * serves clients once its phase reaches `broadcast`.
 */
export type EnsembleRole = 'standalone' | 'looking' | 'leader' | 'follower' | 'observer';

/** ZAB's phase (QuorumPeer.ZabState): election, then discovery and synchronization, then broadcast. */
export type ZabPhase = 'election' | 'discovery' | 'synchronization' | 'broadcast';

/** How a learner was brought up to date (QuorumPeer.SyncMode); `none` outside synchronization. */
export type SyncMode = 'none' | 'diff' | 'snap' | 'trunc';

/** A server line's `;[clientHost:]clientPort` part (the ensemble helper adds it to QuorumServerSpec). */
export interface ClientAddressSpec {
  /** Null when the line gave only a port: Apache then prints the wildcard 0.0.0.0. */
  readonly host: string | null;
  readonly port: number;
}

/** One `server.N` line as the configuration has it, with its client address when the line has one. */
export type ReportedServer = QuorumServerSpec & { readonly client?: ClientAddressSpec | null };

/**
 * The `Proposal sizes last/min/max` of a leader (Leader.proposalStats, a
 * BufferStats): bytes of each txn as proposed, -1 until the first proposal.
 * `srst` on a leader calls reset(). stats/proposal-size-stats.ts implements it.
 */
export interface ProposalSizes {
  readonly lastBytes: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  reset(): void;
}

/** The leader's gauges (LeaderZooKeeperServer.registerMetrics); present only on a leader. */
export interface LeaderReport {
  /** zk_learners: learner streams the leader holds, syncing or synced, followers and observers. */
  readonly learnerCount: number;
  /** zk_synced_followers: voting followers past synchronization, receiving PROPOSALs. */
  readonly syncedFollowerCount: number;
  /** zk_synced_non_voting_followers: synced followers outside the voting view (0 without reconfig). */
  readonly syncedNonVotingFollowerCount: number;
  /** zk_synced_observers: observers past synchronization, receiving INFORMs. */
  readonly syncedObserverCount: number;
  /** zk_pending_syncs: learners' SYNC requests waiting for their zxid to commit. */
  readonly pendingSyncCount: number;
  /**
   * Clock time (ms, the context's clock) when a quorum acked NEWLEADER and
   * broadcast began; zk_leader_uptime counts from it. Null before (uptime 0, as Leader.getUptime).
   */
  readonly establishedAtMs: number | null;
  readonly proposalSizes: ProposalSizes;
}

/**
 * One server's ensemble state at the moment a word runs. Build it fresh for
 * every word (it is cheap): the words read it once and keep nothing.
 */
export interface EnsembleReport {
  readonly role: EnsembleRole;
  /** For leader/follower/observer: the ZAB phase; the words serve only in `broadcast`. `election` otherwise. */
  readonly phase: ZabPhase;
  /**
   * For a learner in synchronization: how the leader syncs it (DIFF, SNAP or
   * TRUNC), `none` before the leader said and again from NEWLEADER on, as
   * Learner.syncWithLeader resets it; `none` for every other role.
   */
  readonly syncMode: SyncMode;
  /** A looking server that serves read-only clients (Apache's ReadOnlyZooKeeperServer, `readonlymode.enabled`). */
  readonly readOnly: boolean;
  /** This server's myid (0 standalone without a myid file). */
  readonly serverId: number;
  /** The ensemble's server lines, as the configuration (or the last committed reconfig) has them; empty standalone. */
  readonly servers: readonly ReportedServer[];
  /** The membership's version (conf's `version=`, hex); 0 while reconfig is not supported. */
  readonly configVersion: bigint;
  /** Present exactly when role is `leader`. */
  readonly leader: LeaderReport | null;
  /** An observer's zk_observer_master_id: the sid it learns from (the leader); null for other roles. */
  readonly observerMasterId: number | null;
}

/** Checks the relations between an EnsembleReport's fields (a Driver bug otherwise). */
export function assertEnsembleReport(report: EnsembleReport): void {
  assert((report.role === 'leader') === (report.leader !== null), 'a leader report exactly when the role is leader');
  assert(report.role === 'observer' || report.observerMasterId === null, 'only an observer has an observer master');
  assert(!report.readOnly || report.role === 'looking', 'read-only only while looking');
  const learner = report.role === 'follower' || report.role === 'observer';
  assert(learner || report.syncMode === 'none', 'only a learner has a sync mode');
  assert(report.syncMode === 'none' || report.phase === 'synchronization', 'a sync mode only during synchronization');
  assert(report.role !== 'looking' || report.phase === 'election', 'a looking server is in election');
  assert(report.role === 'standalone' || report.role === 'looking' || report.phase !== 'election', 'a leader or learner is past election');
  assert(report.role !== 'standalone' || report.phase === 'broadcast', 'standalone always serves');
}

/** The report of a standalone server, built once from its configuration. */
export function standaloneEnsembleReport(config: Pick<ServerConfig, 'myid' | 'servers'>): EnsembleReport {
  return {
    role: 'standalone',
    phase: 'broadcast',
    syncMode: 'none',
    readOnly: false,
    serverId: config.myid ?? 0,
    servers: config.servers,
    configVersion: 0n,
    leader: null,
    observerMasterId: null,
  };
}

/**
 * Whether Apache's words would find a running ZooKeeperServer
 * (AbstractFourLetterCommand.isZKServerRunning): standalone, read-only, or a
 * leader or learner in broadcast. Otherwise most words answer ZK_NOT_SERVING.
 */
export function isServing(report: EnsembleReport): boolean {
  if (report.role === 'standalone') return true;
  if (report.role === 'looking') return report.readOnly;
  return report.phase === 'broadcast';
}

/** `Mode:` of srvr/stat and zk_server_state (ZooKeeperServer.getState and its subclasses). */
export function modeText(report: EnsembleReport): string {
  if (report.readOnly) return 'read-only';
  return report.role;
}

const peerStateOfRole = {
  looking: 'looking',
  leader: 'leading',
  follower: 'following',
  observer: 'observing',
} as const satisfies Record<Exclude<EnsembleRole, 'standalone'>, string>;

/** zk_peer_state (QuorumPeer.getDetailedPeerState): "leading - broadcast", "following - synchronization - diff", "looking". */
export function peerStateText(report: EnsembleReport): string {
  assert(report.role !== 'standalone', 'a standalone server has no peer state');
  let text: string = peerStateOfRole[report.role];
  if (report.phase !== 'election') text += ` - ${report.phase}`;
  if (report.syncMode !== 'none') text += ` - ${report.syncMode}`;
  return text;
}

/** zk_quorum_size (QuorumPeer.getQuorumSize): the number of voting members, not a majority of them. */
export function votingMemberCount(report: EnsembleReport): number {
  return report.servers.filter((server) => !server.observer).length;
}

/** This server's own line (conf's electionPort, quorumPort, peerType come from it). */
export function ownServer(report: EnsembleReport): ReportedServer {
  const own = report.servers.find((server) => server.sid === report.serverId);
  assert(own !== undefined, 'an ensemble member has its own server line');
  return own;
}

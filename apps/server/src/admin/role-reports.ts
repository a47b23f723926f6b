/**
 * EnsembleReports from what the Driver holds in each role: the election
 * (looking), broadcast's Leader or Learner machine, and the few facts only
 * the Driver knows (its learner streams, its clock, the sync header it
 * stepped, the proposal sizes it recorded). Keeping the mapping here keeps
 * Apache's rules (which phase serves, when the sync mode is cleared, which
 * learners count as followers) out of the Driver.
 */
import { assert } from '@corral/base';
import type { LearnerPhase } from '@corral/broadcast';
import type { EnsembleReport, LeaderReport, ReportedServer, SyncMode, ZabPhase } from './ensemble-report.js';

/** What every ensemble role reports the same way. */
export interface ReportedMembership {
  /** This server's myid. */
  readonly serverId: number;
  /** The configuration's server lines (ServerConfig.servers). */
  readonly servers: readonly ReportedServer[];
}

/** A server in leader election (or whose broadcast machine stopped, which sends it back to LOOKING). */
export function lookingReport(membership: ReportedMembership): EnsembleReport {
  return {
    role: 'looking', phase: 'election', syncMode: 'none', readOnly: false, configVersion: 0n, leader: null, observerMasterId: null,
    ...membership,
  };
}

/** The leader's facts; `phase` is broadcast's `Leader.state`. */
export interface LeaderFacts {
  readonly phase: 'discovery' | 'sync' | 'broadcast' | 'stopped';
  /** `Leader.syncedLearners()`: learners that acknowledged NEWLEADER, followers and observers. */
  readonly syncedLearnerSids: readonly number[];
  /** Learner streams the Driver accepted and has not seen closed (PeerEvents broadcastOpened/Closed). */
  readonly learnerCount: number;
  /** SYNCs forwarded by learners that wait for their commit (Apache: distinct zxids waited on). */
  readonly pendingSyncCount: number;
  /** The Driver's clock when it handled the leader's `Ready.established`; null before. */
  readonly establishedAtMs: number | null;
  readonly proposalSizes: LeaderReport['proposalSizes'];
}

const leaderPhases = { discovery: 'discovery', sync: 'synchronization', broadcast: 'broadcast' } as const satisfies Record<string, ZabPhase>;

/** A leader's report; a stopped leader reports looking. */
export function leaderReport(membership: ReportedMembership, facts: LeaderFacts): EnsembleReport {
  if (facts.phase === 'stopped') return lookingReport(membership);
  const observers = new Set(membership.servers.filter((server) => server.observer).map((server) => server.sid));
  for (const sid of facts.syncedLearnerSids) {
    assert(membership.servers.some((server) => server.sid === sid), () => `synced learner ${sid} has a server line`);
  }
  const syncedObserverCount = facts.syncedLearnerSids.filter((sid) => observers.has(sid)).length;
  return {
    role: 'leader', phase: leaderPhases[facts.phase], syncMode: 'none', readOnly: false, configVersion: 0n, observerMasterId: null,
    ...membership,
    leader: {
      learnerCount: facts.learnerCount,
      syncedFollowerCount: facts.syncedLearnerSids.length - syncedObserverCount,
      // Followers outside the voting view exist only during a reconfig, which Corral does not support.
      syncedNonVotingFollowerCount: 0,
      syncedObserverCount,
      pendingSyncCount: facts.pendingSyncCount,
      establishedAtMs: facts.establishedAtMs,
      proposalSizes: facts.proposalSizes,
    },
  };
}

/** A follower's or observer's facts; `phase` is broadcast's `Learner.state`. */
export interface LearnerFacts {
  readonly phase: LearnerPhase;
  /** `Learner.leaderSid`. */
  readonly leaderSid: number;
  /** `Learner.observer`. */
  readonly observer: boolean;
  /** The sync header (DIFF, TRUNC, SNAP) the Driver last stepped into this machine; `none` before one. */
  readonly syncHeader: 'none' | 'DIFF' | 'TRUNC' | 'SNAP';
}

/** Follower.followLeader: DISCOVERY until ACKEPOCH is sent, SYNCHRONIZATION until UPTODATE. */
const learnerPhases = {
  discovery: 'discovery', 'epoch-acked': 'synchronization', sync: 'synchronization', 'newleader-acked': 'synchronization', broadcast: 'broadcast',
} as const satisfies Record<Exclude<LearnerPhase, 'stopped'>, ZabPhase>;

const syncModes = { none: 'none', DIFF: 'diff', TRUNC: 'trunc', SNAP: 'snap' } as const satisfies Record<LearnerFacts['syncHeader'], SyncMode>;

/**
 * A learner's report; a stopped learner reports looking. The sync mode shows
 * only while the sync's txns arrive: Learner.syncWithLeader clears it on
 * NEWLEADER, so `newleader-acked` and `broadcast` report `none`.
 */
export function learnerReport(membership: ReportedMembership, facts: LearnerFacts): EnsembleReport {
  if (facts.phase === 'stopped') return lookingReport(membership);
  return {
    role: facts.observer ? 'observer' : 'follower',
    phase: learnerPhases[facts.phase],
    syncMode: facts.phase === 'sync' ? syncModes[facts.syncHeader] : 'none',
    readOnly: false,
    configVersion: 0n,
    leader: null,
    observerMasterId: facts.observer ? facts.leaderSid : null,
    ...membership,
  };
}

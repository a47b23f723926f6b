/**
 * Goal: the reports built from broadcast's machines follow Apache 3.8's
 * peer states (QuorumPeer.getDetailedPeerState as Leader.lead and
 * Follower.followLeader set them) and the leader's gauges
 * (LeaderZooKeeperServer.registerMetrics). Method: tables from machine
 * phases to the peer state and role values mntr prints.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LearnerPhase } from '@corral/broadcast';
import { ProposalSizeStats } from '../stats/proposal-size-stats.js';
import { assertEnsembleReport, isServing, peerStateText } from './ensemble-report.js';
import { learnerReport, leaderReport, lookingReport, type LearnerFacts } from './role-reports.js';
import { recordedServers } from './test-kit.js';

const membership = { serverId: 1, servers: recordedServers() };

const learnerCases: readonly { phase: LearnerPhase; syncHeader: LearnerFacts['syncHeader']; want: string; serving: boolean }[] = [
  { phase: 'discovery', syncHeader: 'none', want: 'following - discovery', serving: false },
  { phase: 'epoch-acked', syncHeader: 'none', want: 'following - synchronization', serving: false },
  { phase: 'sync', syncHeader: 'DIFF', want: 'following - synchronization - diff', serving: false },
  { phase: 'sync', syncHeader: 'TRUNC', want: 'following - synchronization - trunc', serving: false },
  { phase: 'sync', syncHeader: 'SNAP', want: 'following - synchronization - snap', serving: false },
  { phase: 'newleader-acked', syncHeader: 'SNAP', want: 'following - synchronization', serving: false },
  { phase: 'broadcast', syncHeader: 'DIFF', want: 'following - broadcast', serving: true },
  { phase: 'stopped', syncHeader: 'DIFF', want: 'looking', serving: false },
];

for (const { phase, syncHeader, want, serving } of learnerCases) {
  test(`a follower in ${phase} after ${syncHeader} reports "${want}"`, () => {
    const report = learnerReport(membership, { phase, syncHeader, leaderSid: 3, observer: false });
    assertEnsembleReport(report);
    assert.equal(peerStateText(report), want);
    assert.equal(isServing(report), serving);
  });
}

test('an observer reports observing and the sid it learns from', () => {
  const report = learnerReport({ serverId: 4, servers: membership.servers }, { phase: 'broadcast', syncHeader: 'none', leaderSid: 3, observer: true });
  assertEnsembleReport(report);
  assert.equal(report.role, 'observer');
  assert.equal(peerStateText(report), 'observing - broadcast');
  assert.equal(report.observerMasterId, 3);
});

test('a leader counts synced followers and synced observers apart, by their server lines', () => {
  const report = leaderReport({ serverId: 3, servers: membership.servers }, {
    phase: 'broadcast', syncedLearnerSids: [1, 4, 2], learnerCount: 3, pendingSyncCount: 1, establishedAtMs: 5, proposalSizes: new ProposalSizeStats(),
  });
  assertEnsembleReport(report);
  assert.equal(peerStateText(report), 'leading - broadcast');
  assert.deepEqual(
    { ...report.leader, proposalSizes: null },
    { learnerCount: 3, syncedFollowerCount: 2, syncedNonVotingFollowerCount: 0, syncedObserverCount: 1, pendingSyncCount: 1, establishedAtMs: 5, proposalSizes: null },
  );
});

test('a leader in discovery or sync is not serving; a stopped one is looking', () => {
  const facts = { syncedLearnerSids: [], learnerCount: 1, pendingSyncCount: 0, establishedAtMs: null, proposalSizes: new ProposalSizeStats() };
  const discovery = leaderReport(membership, { ...facts, phase: 'discovery' });
  const sync = leaderReport(membership, { ...facts, phase: 'sync' });
  assert.equal(peerStateText(discovery), 'leading - discovery');
  assert.equal(peerStateText(sync), 'leading - synchronization');
  assert.equal(isServing(sync), false);
  assert.deepEqual(leaderReport(membership, { ...facts, phase: 'stopped' }), lookingReport(membership));
});

test('a synced learner without a server line is a Driver bug', () => {
  const facts = { phase: 'broadcast', syncedLearnerSids: [9], learnerCount: 1, pendingSyncCount: 0, establishedAtMs: 0, proposalSizes: new ProposalSizeStats() } as const;
  assert.throws(() => leaderReport(membership, facts), /synced learner 9 has a server line/);
});

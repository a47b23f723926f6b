/**
 * Goal: the EnsembleReport's derived texts follow Apache 3.8
 * (QuorumPeer.getDetailedPeerState, ZooKeeperServer.getState) and a report
 * whose fields contradict each other is refused. Method: tables.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AssertionError } from '@corral/base';
import { ProposalSizeStats } from '../stats/proposal-size-stats.js';
import {
  assertEnsembleReport, isServing, modeText, peerStateText, standaloneEnsembleReport, votingMemberCount, type EnsembleReport,
} from './ensemble-report.js';
import { recordedServers } from './test-kit.js';

function report(fields: Partial<EnsembleReport>): EnsembleReport {
  return {
    role: 'follower', phase: 'broadcast', syncMode: 'none', readOnly: false, serverId: 1, servers: recordedServers(),
    configVersion: 0n, leader: null, observerMasterId: null, ...fields,
  };
}

const leaderReport = {
  learnerCount: 0, syncedFollowerCount: 0, syncedNonVotingFollowerCount: 0, syncedObserverCount: 0, pendingSyncCount: 0,
  establishedAtMs: 0, proposalSizes: new ProposalSizeStats(),
};

const stateCases: readonly { fields: Partial<EnsembleReport>; peerState: string; mode: string; serving: boolean }[] = [
  { fields: { role: 'looking', phase: 'election' }, peerState: 'looking', mode: 'looking', serving: false },
  { fields: { role: 'looking', phase: 'election', readOnly: true }, peerState: 'looking', mode: 'read-only', serving: true },
  { fields: { role: 'leader', phase: 'discovery', leader: leaderReport }, peerState: 'leading - discovery', mode: 'leader', serving: false },
  { fields: { role: 'leader', leader: leaderReport }, peerState: 'leading - broadcast', mode: 'leader', serving: true },
  { fields: { role: 'follower', phase: 'synchronization', syncMode: 'diff' }, peerState: 'following - synchronization - diff', mode: 'follower', serving: false },
  { fields: { role: 'follower', phase: 'synchronization' }, peerState: 'following - synchronization', mode: 'follower', serving: false },
  { fields: { role: 'follower' }, peerState: 'following - broadcast', mode: 'follower', serving: true },
  { fields: { role: 'observer', phase: 'synchronization', syncMode: 'snap' }, peerState: 'observing - synchronization - snap', mode: 'observer', serving: false },
  { fields: { role: 'observer', observerMasterId: 3 }, peerState: 'observing - broadcast', mode: 'observer', serving: true },
];

for (const { fields, peerState, mode, serving } of stateCases) {
  test(`peer state "${peerState}" is Mode ${mode} and ${serving ? '' : 'not '}serving`, () => {
    const r = report(fields);
    assertEnsembleReport(r);
    assert.equal(peerStateText(r), peerState);
    assert.equal(modeText(r), mode);
    assert.equal(isServing(r), serving);
  });
}

test('standalone serves with Mode standalone and has no peer state', () => {
  const r = standaloneEnsembleReport({ myid: 7, servers: [] });
  assertEnsembleReport(r);
  assert.equal(r.serverId, 7);
  assert.equal(modeText(r), 'standalone');
  assert.equal(isServing(r), true);
  assert.throws(() => peerStateText(r), AssertionError);
});

test('zk_quorum_size counts the voting members, observers excluded', () => {
  assert.equal(votingMemberCount(report({})), 3);
});

const contradictions: readonly { name: string; fields: Partial<EnsembleReport> }[] = [
  { name: 'a leader without its gauges', fields: { role: 'leader' } },
  { name: 'leader gauges on a follower', fields: { leader: leaderReport } },
  { name: 'an observer master on a follower', fields: { observerMasterId: 3 } },
  { name: 'read-only while following', fields: { readOnly: true } },
  { name: 'a sync mode on a leader', fields: { role: 'leader', leader: leaderReport, phase: 'synchronization', syncMode: 'diff' } },
  { name: 'a sync mode in broadcast', fields: { syncMode: 'snap' } },
  { name: 'looking past election', fields: { role: 'looking', phase: 'discovery' } },
  { name: 'a follower in election', fields: { phase: 'election' } },
  { name: 'standalone not serving', fields: { role: 'standalone', phase: 'synchronization' } },
];

for (const { name, fields } of contradictions) {
  test(`a report with ${name} is refused`, () => {
    assert.throws(() => assertEnsembleReport(report(fields)), AssertionError);
  });
}

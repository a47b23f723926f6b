/**
 * Goal: every role answers srvr, stat, cons, conf, isro and mntr in Apache
 * ZooKeeper 3.8's format. Method: Corral's output for an EnsembleReport of
 * each role is compared with what Apache printed in the same role
 * (testdata/four-letter-words), after masking the values that differ between
 * any two runs (counters, latencies, zxids, paths); names, field order,
 * which lines appear and the role's own values are compared exactly. For
 * mntr, the keys a role adds over standalone must be the ones Apache adds,
 * each after the key Apache prints before it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProposalSizeStats } from '../stats/proposal-size-stats.js';
import { standaloneEnsembleReport, type EnsembleReport } from './ensemble-report.js';
import { notServingText, runFourLetterWord } from './four-letter-words.js';
import { learnerReport, leaderReport, lookingReport } from './role-reports.js';
import { apacheOutput, maskVolatile, mntrRows, recordedServerLines, recordedServers, testContext, type RecordedRole } from './test-kit.js';

const nowMs = 1_796_198_430_000;

function leaderProposalSizes(): ProposalSizeStats {
  const sizes = new ProposalSizeStats();
  for (const bytes of [48, 133, 60, 133]) sizes.record(bytes);
  return sizes;
}

/** Each recorded role: the report Corral's Driver would give, and the recording server's ports. */
interface RoleEntry {
  readonly role: RecordedRole;
  readonly report: () => EnsembleReport;
  readonly clientPort: number;
  readonly myid: number | null;
  /** The read-only recording had no client session, only the word's own connection. */
  readonly withSession?: boolean;
}

const servers = recordedServers();

/** Built as the Driver will, from broadcast's machines (role-reports.ts). */
const roles: readonly RoleEntry[] = [
  {
    role: 'leader', clientPort: 47183, myid: 3,
    report: () => leaderReport({ serverId: 3, servers }, {
      phase: 'broadcast', syncedLearnerSids: [1, 2, 4], learnerCount: 3, pendingSyncCount: 0,
      establishedAtMs: nowMs - 12_871, proposalSizes: leaderProposalSizes(),
    }),
  },
  {
    role: 'follower', clientPort: 47181, myid: 1,
    report: () => learnerReport({ serverId: 1, servers }, { phase: 'broadcast', leaderSid: 3, observer: false, syncHeader: 'DIFF' }),
  },
  {
    role: 'observer', clientPort: 47184, myid: 4,
    report: () => learnerReport({ serverId: 4, servers }, { phase: 'broadcast', leaderSid: 3, observer: true, syncHeader: 'DIFF' }),
  },
  { role: 'looking', clientPort: 47181, myid: 1, report: () => lookingReport({ serverId: 1, servers }) },
  {
    role: 'read-only', clientPort: 47181, myid: 1, withSession: false,
    report: () => ({ ...lookingReport({ serverId: 1, servers }), readOnly: true }),
  },
  { role: 'standalone', clientPort: 47189, myid: null, report: () => standaloneEnsembleReport({ myid: null, servers: [] }) },
];

function corralOutput(entry: RoleEntry, word: string): string {
  const serverLines = entry.role === 'standalone' ? [] : recordedServerLines;
  const { clientPort, myid, withSession } = entry;
  return runFourLetterWord(word, testContext({ report: entry.report(), clientPort, myid, serverLines, nowMs, ...(withSession === undefined ? {} : { withSession }) }));
}

for (const entry of roles) {
  for (const word of ['srvr', 'stat', 'cons', 'conf', 'isro']) {
    test(`${word} as a ${entry.role} has Apache 3.8's lines, names and order`, () => {
      assert.equal(maskVolatile(corralOutput(entry, word)), maskVolatile(apacheOutput(entry.role, word)));
    });
  }
}

/** Keys only Corral prints (storage and Node.js memory); Apache 3.8 has no equivalent. */
const corralOnlyKeys = new Set([
  'zk_last_processed_zxid', 'zk_log_bytes', 'zk_snapshot_bytes', 'zk_heap_used_bytes', 'zk_heap_total_bytes',
  'zk_external_bytes', 'zk_array_buffers_bytes', 'zk_rss_bytes',
]);

/** Values a role decides (not timing or data): compared exactly with Apache's. */
const structuralKeys = new Set([
  'zk_server_state', 'zk_peer_state', 'zk_observer_master_id', 'zk_quorum_size', 'zk_learners', 'zk_synced_followers',
  'zk_synced_non_voting_followers', 'zk_synced_observers', 'zk_pending_syncs',
]);

/**
 * Apache's summaries (zk_avg_X, zk_min_X, ... with a zk_cnt_X): Corral reports
 * none of the per-learner queue or per-namespace ones a role adds.
 */
function isSummaryKey(key: string, keys: ReadonlySet<string>): boolean {
  const match = /^zk_(?:avg|min|max|cnt|sum|p50|p95|p99|p999)_(.+)$/.exec(key);
  return match !== null && keys.has(`zk_cnt_${match[1]}`);
}

const standaloneEntry = roles.find((entry) => entry.role === 'standalone');
assert(standaloneEntry !== undefined);
const corralStandaloneKeys = new Set(mntrRows(corralOutput(standaloneEntry, 'mntr')).map(([key]) => key));
const apacheStandaloneKeys = new Set(mntrRows(apacheOutput('standalone', 'mntr')).map(([key]) => key));

for (const entry of roles.filter((e) => e.role !== 'looking')) {
  test(`mntr as a ${entry.role} adds the keys Apache 3.8 adds, where Apache puts them, with Apache's values`, () => {
    const corral = mntrRows(corralOutput(entry, 'mntr'));
    const apache = mntrRows(apacheOutput(entry.role, 'mntr'));
    const apacheKeys = apache.map(([key]) => key);
    const corralKeys = corral.map(([key]) => key);
    // Differential: the role's own keys are the same set on both servers.
    const apacheKeySet = new Set(apacheKeys);
    const apacheRoleKeys = apacheKeys.filter((key) => !apacheStandaloneKeys.has(key) && !isSummaryKey(key, apacheKeySet));
    const corralRoleKeys = corralKeys.filter((key) => !corralStandaloneKeys.has(key));
    assert.deepEqual([...corralRoleKeys].sort(), [...apacheRoleKeys].sort());
    for (const key of corralKeys) assert.ok(corralOnlyKeys.has(key) || apacheKeys.includes(key), `${key} is one of Apache's keys`);
    // Each role key follows the key Apache prints before it (among the keys Corral prints).
    for (const key of corralRoleKeys) {
      const apacheBefore = apacheKeys.slice(0, apacheKeys.indexOf(key)).reverse().find((k) => corralKeys.includes(k));
      assert.equal(corralKeys[corralKeys.indexOf(key) - 1], apacheBefore, `the key before ${key}`);
    }
    // The first lines are Apache's: version, server state, then the peer's own.
    assert.deepEqual(corralKeys.slice(0, 2), apacheKeys.slice(0, 2));
    const apacheValues = new Map(apache);
    for (const [key, value] of corral) {
      if (structuralKeys.has(key)) assert.equal(value, apacheValues.get(key), key);
    }
  });
}

test('mntr as a leader prints the proposal sizes and leader uptime it was given', () => {
  const leader = roles[0];
  assert(leader !== undefined);
  const values = new Map(mntrRows(corralOutput(leader, 'mntr')));
  assert.equal(values.get('zk_last_proposal_size'), '133');
  assert.equal(values.get('zk_min_proposal_size'), '48');
  assert.equal(values.get('zk_max_proposal_size'), '133');
  assert.equal(values.get('zk_leader_uptime'), '12871');
});

test('a leader not yet established reports zk_leader_uptime 0 (Leader.getUptime)', () => {
  const report = leaderReport({ serverId: 3, servers }, {
    phase: 'broadcast', syncedLearnerSids: [], learnerCount: 0, pendingSyncCount: 0, establishedAtMs: null, proposalSizes: new ProposalSizeStats(),
  });
  const context = testContext({ report, clientPort: 47183, myid: 3, serverLines: recordedServerLines, nowMs });
  assert.equal(new Map(mntrRows(runFourLetterWord('mntr', context))).get('zk_leader_uptime'), '0');
});

test('while looking, every word that needs a running server answers ZK_NOT_SERVING, as Apache 3.8', () => {
  const looking = roles.find((entry) => entry.role === 'looking');
  assert(looking !== undefined);
  for (const word of ['srvr', 'stat', 'cons', 'conf', 'mntr', 'dump', 'wchs', 'wchc', 'wchp', 'crst', 'srst']) {
    assert.equal(corralOutput(looking, word), notServingText, word);
  }
  assert.equal(apacheOutput('looking', 'mntr'), notServingText);
  assert.equal(corralOutput(looking, 'isro'), 'null');
  assert.equal(corralOutput(looking, 'ruok'), 'imok');
});

test('a learner still syncing is not serving: srvr answers ZK_NOT_SERVING and isro null', () => {
  for (const syncHeader of ['none', 'DIFF', 'SNAP', 'TRUNC'] as const) {
    const report = learnerReport({ serverId: 1, servers }, { phase: 'sync', leaderSid: 3, observer: false, syncHeader });
    const context = testContext({ report, clientPort: 47181, myid: 1, serverLines: recordedServerLines, nowMs });
    assert.equal(runFourLetterWord('srvr', context), notServingText);
    assert.equal(runFourLetterWord('isro', context), 'null');
  }
});

test('srst on a leader also resets its proposal sizes (StatResetCommand)', () => {
  const report = roles[0]?.report();
  assert(report !== undefined && report.leader !== null);
  const context = testContext({ report, clientPort: 47183, myid: 3, serverLines: recordedServerLines, nowMs });
  context.stats.packetsReceived = 7;
  assert.equal(runFourLetterWord('srst', context), 'Server stats reset.\n');
  assert.equal(context.stats.packetsReceived, 0);
  assert.match(runFourLetterWord('srvr', context), /^Proposal sizes last\/min\/max: -1\/-1\/-1$/m);
});

test('a word outside the whitelist is refused before the ensemble is asked', () => {
  const context = testContext({ report: standaloneEnsembleReport({ myid: null, servers: [] }), clientPort: 2181, myid: null, serverLines: [] });
  const restricted = { ...context, config: { ...context.config, fourLetterWordWhitelist: new Set(['srvr']) }, ensemble: () => assert.fail('asked') };
  assert.equal(runFourLetterWord('mntr', restricted), 'mntr is not executed because it is not in the whitelist.\n');
});

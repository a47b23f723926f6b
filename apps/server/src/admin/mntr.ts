/**
 * `mntr`: Apache 3.8's `zk_<key>\t<value>` lines (MonitorCommand) with the
 * keys Corral can fill. A role's own keys (ZooKeeperServer, QuorumZooKeeperServer,
 * ObserverZooKeeperServer.dumpMonitorValues; LeaderZooKeeperServer's gauges)
 * are placed right after the key Apache prints before them, so a reader of
 * both servers finds them in the same neighbourhood. Apache's own order is
 * a HashMap's; the fixtures in testdata/four-letter-words record it.
 */
import type { EnsembleReport } from './ensemble-report.js';
import { modeText, peerStateText, votingMemberCount } from './ensemble-report.js';
import { reportedVersion, type FourLetterWordContext } from './four-letter-word-context.js';
import { javaDouble, reportedNodeCount } from './java-text.js';

type Row = readonly [key: string, value: string | number];

/** The keys every role prints, in the order Corral has always printed them. */
function commonRows(context: FourLetterWordContext, report: EnsembleReport): Row[] {
  const { stats, tree, watches, sessions } = context;
  const storage = context.storage();
  const memory = process.memoryUsage();
  return [
    ['zk_version', reportedVersion],
    ['zk_server_state', modeText(report)],
    ['zk_ephemerals_count', tree.ephemeralsCount],
    ['zk_num_alive_connections', context.connections().length],
    ['zk_avg_latency', javaDouble(stats.latency.avgMs)],
    ['zk_outstanding_requests', context.outstandingRequests()],
    ['zk_znode_count', reportedNodeCount(tree)],
    ['zk_global_sessions', sessions.size],
    ['zk_local_sessions', 0],
    ['zk_packets_sent', stats.packetsSent],
    ['zk_packets_received', stats.packetsReceived],
    ['zk_watch_count', watches.count],
    ['zk_min_latency', stats.latency.minMs],
    ['zk_max_latency', stats.latency.maxMs],
    ['zk_max_file_descriptor_count', 1_048_576],
    ['zk_open_file_descriptor_count', context.openFileDescriptorCount()],
    ['zk_approximate_data_size', tree.approximateDataSize],
    ['zk_uptime', context.clock() - stats.startedAtMs],
    ['zk_last_processed_zxid', tree.lastProcessedZxid.toString()],
    ['zk_avg_fsynctime', javaDouble(storage.fsyncCount === 0 ? 0 : storage.fsyncMsSum / storage.fsyncCount)],
    ['zk_min_fsynctime', storage.fsyncCount === 0 ? 0 : storage.fsyncMsMin],
    ['zk_max_fsynctime', storage.fsyncMsMax],
    ['zk_cnt_fsynctime', storage.fsyncCount],
    ['zk_sum_fsynctime', Math.round(storage.fsyncMsSum)],
    ['zk_log_bytes', storage.logBytes],
    ['zk_snapshot_bytes', storage.snapshotBytes],
    ['zk_diff_count', context.learnerSyncs().diff],
    ['zk_snap_count', context.learnerSyncs().snap],
    ['zk_heap_used_bytes', memory.heapUsed],
    ['zk_heap_total_bytes', memory.heapTotal],
    ['zk_external_bytes', memory.external],
    ['zk_array_buffers_bytes', memory.arrayBuffers],
    ['zk_rss_bytes', memory.rss],
  ];
}

/**
 * The role's own rows, keyed by the common key they follow. A read-only
 * server is a plain ZooKeeperServer in Apache: no peer state, no quorum size.
 */
function roleRows(context: FourLetterWordContext, report: EnsembleReport): Map<string, Row[]> {
  const after = new Map<string, Row[]>();
  if (report.role === 'standalone' || report.readOnly) return after;
  const head: Row[] = [['zk_peer_state', peerStateText(report)]];
  if (report.observerMasterId !== null) head.push(['zk_observer_master_id', report.observerMasterId]);
  after.set('zk_server_state', head);
  const quorumSize: Row = ['zk_quorum_size', votingMemberCount(report)];
  const { leader } = report;
  if (leader === null) {
    after.set('zk_max_latency', [quorumSize]);
    return after;
  }
  const sizes = leader.proposalSizes;
  after.set('zk_avg_latency', [['zk_min_proposal_size', sizes.minBytes]]);
  after.set('zk_packets_received', [['zk_max_proposal_size', sizes.maxBytes], ['zk_synced_followers', leader.syncedFollowerCount]]);
  after.set('zk_watch_count', [
    ['zk_synced_non_voting_followers', leader.syncedNonVotingFollowerCount],
    ['zk_synced_observers', leader.syncedObserverCount],
  ]);
  after.set('zk_open_file_descriptor_count', [
    ['zk_last_proposal_size', sizes.lastBytes],
    ['zk_pending_syncs', leader.pendingSyncCount],
    ['zk_leader_uptime', leader.establishedAtMs === null ? 0 : Math.max(0, context.clock() - leader.establishedAtMs)],
  ]);
  after.set('zk_max_latency', [['zk_learners', leader.learnerCount], quorumSize]);
  return after;
}

/** The `mntr` text of a serving server. */
export function mntrText(context: FourLetterWordContext, report: EnsembleReport): string {
  const extra = roleRows(context, report);
  let out = '';
  for (const row of commonRows(context, report)) {
    for (const [key, value] of [row, ...(extra.get(row[0]) ?? [])]) out += `${key}\t${value}\n`;
  }
  return out;
}

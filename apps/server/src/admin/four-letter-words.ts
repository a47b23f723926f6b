/**
 * ZooKeeper's four-letter words on the client port, with Apache 3.8's
 * output formats and `mntr` key names so existing monitoring keeps working.
 * A word not in `4lw.commands.whitelist` gets ZooKeeper's refusal text.
 */
import { zxidToHex } from '@corral/base';
import type { DataTree, WatchManager } from '@corral/data-tree';
import type { ServerConfig } from '../config/server-config.js';
import type { SessionTable } from '../session/session-table.js';
import type { ConnectionStats } from '../stats/connection-stats.js';
import type { ServerStats } from '../stats/server-stats.js';

/** ZooKeeper version string Corral reports (clients and tools parse the leading "3.8.0"). */
export const reportedVersion = '3.8.0-corral, built on 2026-11-30 00:00 UTC';

/** One open client connection, as `cons` and `stat` list it. */
export interface ConnectionReport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** NIO interest set: 1 reading, 4 output pending, 0 for a four-letter-word connection. */
  readonly interestOps: number;
  /** Requests in flight on this connection. */
  readonly queued: number;
  readonly stats: ConnectionStats;
  readonly session: { readonly id: bigint; readonly timeoutMs: number } | null;
}

/** Storage figures for `mntr` (zk_cnt_fsynctime etc.). */
export interface StorageReport {
  readonly fsyncCount: number;
  readonly fsyncMsSum: number;
  readonly fsyncMsMin: number;
  readonly fsyncMsMax: number;
  readonly logBytes: number;
  readonly snapshotBytes: number;
}

/** What the four-letter words read. */
export interface FourLetterWordContext {
  readonly config: ServerConfig;
  readonly tree: DataTree;
  readonly watches: WatchManager;
  readonly sessions: SessionTable;
  readonly stats: ServerStats;
  readonly connections: () => readonly ConnectionReport[];
  readonly outstandingRequests: () => number;
  readonly storage: () => StorageReport;
  readonly openFileDescriptorCount: () => number;
  readonly resetConnectionStats: () => void;
  readonly clock: () => number;
  readonly serverState: string;
}

/**
 * ServerCnxn.dumpConnectionInfo: `stat` prints the brief form, `cons` adds
 * the session and last-operation fields once the connection has a session.
 * Latencies are whole ms and the average is truncated, as Java's long
 * division does; lcxid is left out after `crst` until the next reply.
 */
function connectionLine(c: ConnectionReport, brief: boolean): string {
  const { stats } = c;
  let line = ` /${c.remoteAddress}:${c.remotePort}[${c.interestOps.toString(16)}]`
    + `(queued=${c.queued},recved=${stats.packetsReceived},sent=${stats.packetsSent}`;
  if (!brief && c.session !== null) {
    line += `,sid=${hex(c.session.id)},lop=${stats.lastOperation},est=${stats.establishedAtMs},to=${c.session.timeoutMs}`;
    if (stats.lastCxid >= 0) line += `,lcxid=0x${stats.lastCxid.toString(16)}`;
    const latency = stats.latency;
    line += `,lzxid=${hex(stats.lastZxid)},lresp=${stats.lastResponseMs},llat=${latency.lastMs}`
      + `,minlat=${latency.minMs},avglat=${Math.floor(latency.avgMs)},maxlat=${latency.maxMs}`;
  }
  return `${line})\n`;
}

function connectionLines(context: FourLetterWordContext, brief: boolean): string {
  return context.connections().map((c) => connectionLine(c, brief)).join('');
}

/** Apache's DataTree also maps "" to the root, so its node count is one more than its nodes. */
function reportedNodeCount(tree: DataTree): number {
  return tree.nodeCount + 1;
}

/** Java's Double.toString for the values we print: at least one decimal. */
function javaDouble(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(Math.round(value * 10_000) / 10_000);
}

function serverSummary(context: FourLetterWordContext): string {
  const { stats, tree } = context;
  return [
    `Latency min/avg/max: ${stats.latency.minMs}/${javaDouble(stats.latency.avgMs)}/${stats.latency.maxMs}`,
    `Received: ${stats.packetsReceived}`,
    `Sent: ${stats.packetsSent}`,
    `Connections: ${context.connections().length}`,
    `Outstanding: ${context.outstandingRequests()}`,
    `Zxid: ${zxidToHex(tree.lastProcessedZxid)}`,
    `Mode: ${context.serverState}`,
    `Node count: ${reportedNodeCount(tree)}`,
    '',
  ].join('\n');
}

function mntr(context: FourLetterWordContext): string {
  const { stats, tree, watches, sessions } = context;
  const storage = context.storage();
  const memory = process.memoryUsage();
  const rows: [string, string | number][] = [
    ['zk_version', reportedVersion],
    ['zk_server_state', context.serverState],
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
    ['zk_heap_used_bytes', memory.heapUsed],
    ['zk_heap_total_bytes', memory.heapTotal],
    ['zk_external_bytes', memory.external],
    ['zk_array_buffers_bytes', memory.arrayBuffers],
    ['zk_rss_bytes', memory.rss],
  ];
  return rows.map(([key, value]) => `${key}\t${value}\n`).join('');
}

function conf(context: FourLetterWordContext): string {
  const c = context.config;
  return [
    `clientPort=${c.clientPort}`, 'secureClientPort=-1', `dataDir=${c.dataDir}`, `dataDirSize=${context.storage().snapshotBytes}`,
    `dataLogDir=${c.dataLogDir}`, `dataLogSize=${context.storage().logBytes}`,
    `tickTime=${c.tickTimeMs}`, `maxClientCnxns=${c.maxClientCnxns}`, `minSessionTimeout=${c.minSessionTimeoutMs}`,
    `maxSessionTimeout=${c.maxSessionTimeoutMs}`, 'clientPortListenBacklog=-1', `serverId=${c.myid ?? 0}`, '',
  ].join('\n');
}

function envi(): string {
  return [
    'Environment:', `zookeeper.version=${reportedVersion}`, `host.name=${process.env.HOSTNAME ?? 'localhost'}`,
    `node.version=${process.version}`, `os.name=${process.platform}`, `os.arch=${process.arch}`,
    `user.dir=${process.cwd()}`, `os.memory.rss=${Math.round(process.memoryUsage().rss / 1048576)}MB`, '',
  ].join('\n');
}

function hex(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}

function dump(context: FourLetterWordContext): string {
  const lines = ['SessionTracker dump:', `Session Sets (${context.sessions.size}):`];
  for (const session of context.sessions.values()) lines.push(`\t${hex(session.id)}`);
  const owners = [...context.tree.ephemeralSessions()];
  lines.push('ephemeral nodes dump:', `Sessions with Ephemerals (${owners.length}):`);
  for (const owner of owners) {
    lines.push(`${hex(owner)}:`);
    for (const path of context.tree.ephemerals(owner)) lines.push(`\t${path}`);
  }
  return `${lines.join('\n')}\n`;
}

function wchs(context: FourLetterWordContext): string {
  const summary = context.watches.summary();
  return `${summary.connectionCount} connections watching ${summary.pathCount} paths\nTotal watches:${summary.totalWatches}\n`;
}

function wchc(context: FourLetterWordContext): string {
  let out = '';
  for (const [sessionId, paths] of context.watches.bySession()) {
    out += `${hex(sessionId)}\n`;
    for (const path of paths) out += `\t${path}\n`;
  }
  return `${out}\n`;
}

function wchp(context: FourLetterWordContext): string {
  let out = '';
  for (const [path, sessionIds] of context.watches.byPath()) {
    out += `${path}\n`;
    for (const id of sessionIds) out += `\t${hex(id)}\n`;
  }
  return `${out}\n`;
}

/** Words ZooKeeper answers even when its server is not running. */
const answeredWhileNotServing: ReadonlySet<string> = new Set(['ruok', 'isro', 'envi']);

/** The output of `word`; the connection is closed after it is written. */
export function runFourLetterWord(word: string, context: FourLetterWordContext): string {
  if (!context.config.fourLetterWordWhitelist.has(word)) return `${word} is not executed because it is not in the whitelist.\n`;
  // An ensemble member that is electing or syncing answers as ZooKeeper's CommandExecutor does.
  if (context.serverState === 'looking' && !answeredWhileNotServing.has(word)) return 'This ZooKeeper instance is not currently serving requests\n';
  switch (word) {
    case 'ruok': return 'imok';
    case 'isro': return 'rw';
    case 'srvr': return `Zookeeper version: ${reportedVersion}\n${serverSummary(context)}`;
    case 'stat': return `Zookeeper version: ${reportedVersion}\nClients:\n${connectionLines(context, true)}\n${serverSummary(context)}`;
    case 'cons': return `${connectionLines(context, false)}\n`;
    case 'mntr': return mntr(context);
    case 'conf': return conf(context);
    case 'envi': return envi();
    case 'dump': return dump(context);
    case 'wchs': return wchs(context);
    case 'wchc': return wchc(context);
    case 'wchp': return wchp(context);
    case 'crst': context.resetConnectionStats(); return 'Connection stats reset.\n';
    case 'srst': context.stats.reset(); return 'Server stats reset.\n';
    default: return `${word} is not executed because it is not in the whitelist.\n`;
  }
}

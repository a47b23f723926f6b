/**
 * Test support for the four-letter words: Apache 3.8's recorded outputs
 * (apps/server/testdata/four-letter-words, see its README), the masking of
 * values that differ between two runs, and a FourLetterWordContext over an
 * empty tree with the two connections the recordings had (the word's own,
 * and one kazoo session).
 */
import { readFileSync } from 'node:fs';
import { DataTree, WatchManager } from '@corral/data-tree';
import type { QuorumServerSpec } from '../config/server-config.js';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { SessionTable } from '../session/session-table.js';
import { ConnectionStats } from '../stats/connection-stats.js';
import { ServerStats } from '../stats/server-stats.js';
import type { EnsembleReport } from './ensemble-report.js';
import type { ConnectionReport, FourLetterWordContext } from './four-letter-word-context.js';

/** The servers and roles of the recordings: sid 3 led, 1 and 2 followed, 4 observed. */
export type RecordedRole = 'standalone' | 'leader' | 'follower' | 'observer' | 'looking' | 'read-only';

const fixtureDir = new URL('../../testdata/four-letter-words/apache-3.8/', import.meta.url);

/** What Apache 3.8 answered `word` in `role` (raw bytes as text). */
export function apacheOutput(role: RecordedRole | 'client-addresses', word: string): string {
  return readFileSync(new URL(`${role}-${word}.txt`, fixtureDir), 'utf8');
}

/** The ensemble of the recordings (zoo.cfg in testdata/four-letter-words/README.md). */
export const recordedServerLines = [
  'server.1=127.0.0.1:47281:47381',
  'server.2=127.0.0.1:47282:47382',
  'server.3=127.0.0.1:47283:47383',
  'server.4=127.0.0.1:47284:47384:observer',
];

/** The recordings' server lines as Corral parses them. */
export function recordedServers(): readonly QuorumServerSpec[] {
  return parseZooCfg(['dataDir=/tmp/corral-4lw-test', ...recordedServerLines, ''].join('\n')).servers;
}

/** Keys whose values depend on timing, data or the machine, and on which server printed them. */
const volatileSummaryKeys = ['Latency min/avg/max', 'Received', 'Sent', 'Zxid', 'Node count', 'Proposal sizes last/min/max'];
const volatileConfKeys = ['dataDir', 'dataDirSize', 'dataLogDir', 'dataLogSize'];

/**
 * Replaces what differs between two runs by `<v>`: the version string,
 * counters, latencies, sizes, zxids, data paths, client addresses and every
 * connection field's value (field names and their order stay).
 */
export function maskVolatile(text: string): string {
  return text.split('\n').map((line) => {
    if (line.startsWith('Zookeeper version: ')) return 'Zookeeper version: <v>';
    const connection = /^ \/[^[]+(\[\w+\])\((.*)\)$/.exec(line);
    if (connection !== null) {
      const names = (connection[2] ?? '').split(',').map((field) => field.split('=')[0]);
      return ` /<v>${connection[1]}(${names.join(',')})`;
    }
    for (const key of volatileSummaryKeys) if (line.startsWith(`${key}: `)) return `${key}: <v>`;
    for (const key of volatileConfKeys) if (line.startsWith(`${key}=`)) return `${key}=<v>`;
    return line;
  }).join('\n');
}

/** The mntr lines as [key, value] pairs, in order. */
export function mntrRows(text: string): [string, string][] {
  return text.split('\n').filter((line) => line !== '').map((line) => {
    const tab = line.indexOf('\t');
    return [line.slice(0, tab), line.slice(tab + 1)];
  });
}

/** Options of testContext. */
export interface TestContextOptions {
  readonly report: EnsembleReport;
  readonly clientPort: number;
  readonly myid: number | null;
  /** The zoo.cfg's server lines (none standalone). */
  readonly serverLines: readonly string[];
  readonly nowMs?: number;
  /** Whether a client session is connected besides the word's own connection (default true). */
  readonly withSession?: boolean;
}

function recordedConnections(nowMs: number, withSession: boolean): ConnectionReport[] {
  const word = new ConnectionStats(nowMs);
  word.packetsReceived = 1;
  const client = new ConnectionStats(nowMs - 2_000);
  client.packetsReceived = 3;
  client.packetsSent = 3;
  client.lastOperation = 'GETD';
  client.lastCxid = 2;
  client.lastZxid = 0x100000008n;
  client.lastResponseMs = nowMs - 100;
  client.latency.record(63);
  const own: ConnectionReport = { remoteAddress: '127.0.0.1', remotePort: 47392, interestOps: 0, queued: 0, stats: word, session: null };
  if (!withSession) return [own];
  return [
    own,
    { remoteAddress: '127.0.0.1', remotePort: 47374, interestOps: 1, queued: 0, stats: client, session: { id: 0x300009e47220000n, timeoutMs: 10_000 } },
  ];
}

/** A context as the recordings' server `myid` had it; the counters are Corral's, not Apache's. */
export function testContext(options: TestContextOptions): FourLetterWordContext & { readonly stats: ServerStats } {
  const nowMs = options.nowMs ?? 1_796_198_430_000;
  const config = parseZooCfg([
    'tickTime=2000', 'initLimit=10', 'syncLimit=5', 'dataDir=/tmp/corral-4lw-test/data', `clientPort=${options.clientPort}`,
    'clientPortAddress=127.0.0.1', '4lw.commands.whitelist=*', ...options.serverLines, '',
  ].join('\n'), { myid: options.myid });
  const connections = recordedConnections(nowMs, options.withSession ?? true);
  return {
    config,
    tree: new DataTree(),
    watches: new WatchManager(),
    sessions: new SessionTable({ tickTimeMs: config.tickTimeMs, nowMs, serverId: options.myid ?? 0, sessionsMax: 16 }),
    stats: new ServerStats(nowMs - 13_000),
    connections: () => connections,
    outstandingRequests: () => 0,
    storage: () => ({ fsyncCount: 0, fsyncMsSum: 0, fsyncMsMin: 0, fsyncMsMax: 0, logBytes: 0, snapshotBytes: 0 }),
    openFileDescriptorCount: () => 40,
    resetConnectionStats: () => {
      for (const c of connections) c.stats.reset();
    },
    clock: () => nowMs,
    ensemble: () => options.report,
    learnerSyncs: () => ({ diff: 0, snap: 0 }),
  };
}

/**
 * `srvr`, `stat` and `cons` as Apache 3.8 prints them (StatCommand,
 * ConsCommand, ServerStats.toString, ServerCnxn.dumpConnectionInfo), for
 * every role: a leader adds its proposal sizes, a read-only server a banner.
 * The caller answers ZK_NOT_SERVING instead when the server is not serving.
 */
import { zxidToHex } from '@corral/base';
import type { EnsembleReport } from './ensemble-report.js';
import { modeText } from './ensemble-report.js';
import { reportedVersion, type ConnectionReport, type FourLetterWordContext } from './four-letter-word-context.js';
import { hexId, javaDouble, reportedNodeCount } from './java-text.js';

/** StatCommand's line for a ReadOnlyZooKeeperServer, right after the version. */
const readOnlyBanner = 'READ-ONLY mode; serving only read-only clients\n';

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
    line += `,sid=${hexId(c.session.id)},lop=${stats.lastOperation},est=${stats.establishedAtMs},to=${c.session.timeoutMs}`;
    if (stats.lastCxid >= 0) line += `,lcxid=0x${stats.lastCxid.toString(16)}`;
    const latency = stats.latency;
    line += `,lzxid=${hexId(stats.lastZxid)},lresp=${stats.lastResponseMs},llat=${latency.lastMs}`
      + `,minlat=${latency.minMs},avglat=${Math.floor(latency.avgMs)},maxlat=${latency.maxMs}`;
  }
  return `${line})\n`;
}

function connectionLines(context: FourLetterWordContext, brief: boolean): string {
  return context.connections().map((c) => connectionLine(c, brief)).join('');
}

/** ServerStats.toString, the node count, and a leader's proposal sizes. */
function serverSummary(context: FourLetterWordContext, report: EnsembleReport): string {
  const { stats, tree } = context;
  const lines = [
    `Latency min/avg/max: ${stats.latency.minMs}/${javaDouble(stats.latency.avgMs)}/${stats.latency.maxMs}`,
    `Received: ${stats.packetsReceived}`,
    `Sent: ${stats.packetsSent}`,
    `Connections: ${context.connections().length}`,
    `Outstanding: ${context.outstandingRequests()}`,
    `Zxid: ${zxidToHex(tree.lastProcessedZxid)}`,
    `Mode: ${modeText(report)}`,
    `Node count: ${reportedNodeCount(tree)}`,
  ];
  if (report.leader !== null) {
    const sizes = report.leader.proposalSizes;
    lines.push(`Proposal sizes last/min/max: ${sizes.lastBytes}/${sizes.minBytes}/${sizes.maxBytes}`);
  }
  return `${lines.join('\n')}\n`;
}

function versionLines(report: EnsembleReport): string {
  return `Zookeeper version: ${reportedVersion}\n${report.readOnly ? readOnlyBanner : ''}`;
}

/** `srvr`: the version and the server summary. */
export function srvrText(context: FourLetterWordContext, report: EnsembleReport): string {
  return `${versionLines(report)}${serverSummary(context, report)}`;
}

/** `stat`: `srvr` with the brief line of every connection before the summary. */
export function statText(context: FourLetterWordContext, report: EnsembleReport): string {
  return `${versionLines(report)}Clients:\n${connectionLines(context, true)}\n${serverSummary(context, report)}`;
}

/** `cons`: every connection's full line, then an empty line. */
export function consText(context: FourLetterWordContext): string {
  return `${connectionLines(context, false)}\n`;
}

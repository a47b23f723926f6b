/**
 * `conf` as Apache 3.8 prints it: ZooKeeperServer.dumpConf for every role,
 * then, in an ensemble, QuorumZooKeeperServer.dumpConf's quorum lines and
 * the membership (a read-only server prints the quorum lines but no
 * membership, as ReadOnlyZooKeeperServer.dumpConf).
 */
import type { EnsembleReport } from './ensemble-report.js';
import { ownServer } from './ensemble-report.js';
import type { FourLetterWordContext } from './four-letter-word-context.js';
import { membershipText } from './membership-text.js';

/** QuorumPeerConfig's electionAlg: 3 (fast leader election) is the only one left in 3.8. */
const electionAlgorithm = 3;

/** QuorumPeer.LearnerType's ordinals, which `peerType=` prints. */
const learnerTypeOrdinal = { participant: 0, observer: 1 } as const;

function standaloneLines(context: FourLetterWordContext, report: EnsembleReport): string[] {
  const c = context.config;
  const storage = context.storage();
  return [
    `clientPort=${c.clientPort}`, 'secureClientPort=-1', `dataDir=${c.dataDir}`, `dataDirSize=${storage.snapshotBytes}`,
    `dataLogDir=${c.dataLogDir}`, `dataLogSize=${storage.logBytes}`,
    `tickTime=${c.tickTimeMs}`, `maxClientCnxns=${c.maxClientCnxns}`, `minSessionTimeout=${c.minSessionTimeoutMs}`,
    `maxSessionTimeout=${c.maxSessionTimeoutMs}`, 'clientPortListenBacklog=-1', `serverId=${report.serverId}`,
  ];
}

function quorumLines(context: FourLetterWordContext, report: EnsembleReport): string[] {
  const own = ownServer(report);
  return [
    `initLimit=${context.config.initLimit}`, `syncLimit=${context.config.syncLimit}`, `electionAlg=${electionAlgorithm}`,
    `electionPort=${own.electionPort}`, `quorumPort=${own.quorumPort}`,
    `peerType=${own.observer ? learnerTypeOrdinal.observer : learnerTypeOrdinal.participant}`,
  ];
}

/** The `conf` text of a serving server. */
export function confText(context: FourLetterWordContext, report: EnsembleReport): string {
  const lines = standaloneLines(context, report);
  if (report.role === 'standalone') return `${lines.join('\n')}\n`;
  lines.push(...quorumLines(context, report));
  if (report.readOnly) return `${lines.join('\n')}\n`;
  // "membership: " keeps Apache's trailing space; the last line has no newline.
  return `${lines.join('\n')}\nmembership: \n${membershipText(report.servers, report.configVersion)}`;
}

/**
 * ZooKeeper's four-letter words on the client port, with Apache 3.8's
 * output formats and `mntr` key names so existing monitoring keeps working,
 * for every role (standalone, leader, follower, observer, looking,
 * read-only). A word not in `4lw.commands.whitelist` gets ZooKeeper's
 * refusal text.
 */
import { confText } from './conf-text.js';
import { assertEnsembleReport, isServing, type EnsembleReport } from './ensemble-report.js';
import { reportedVersion, type FourLetterWordContext } from './four-letter-word-context.js';
import { hexId } from './java-text.js';
import { mntrText } from './mntr.js';
import { consText, srvrText, statText } from './server-summary.js';

/**
 * AbstractFourLetterCommand.ZK_NOT_SERVING: what most words answer while no
 * ZooKeeperServer runs (in election, or a learner or leader still syncing).
 */
export const notServingText = 'This ZooKeeper instance is not currently serving requests\n';

function envi(): string {
  return [
    'Environment:', `zookeeper.version=${reportedVersion}`, `host.name=${process.env.HOSTNAME ?? 'localhost'}`,
    `node.version=${process.version}`, `os.name=${process.platform}`, `os.arch=${process.arch}`,
    `user.dir=${process.cwd()}`, `os.memory.rss=${Math.round(process.memoryUsage().rss / 1048576)}MB`, '',
  ].join('\n');
}

function dump(context: FourLetterWordContext): string {
  const lines = ['SessionTracker dump:', `Session Sets (${context.sessions.size}):`];
  for (const session of context.sessions.values()) lines.push(`\t${hexId(session.id)}`);
  const owners = [...context.tree.ephemeralSessions()];
  lines.push('ephemeral nodes dump:', `Sessions with Ephemerals (${owners.length}):`);
  for (const owner of owners) {
    lines.push(`${hexId(owner)}:`);
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
    out += `${hexId(sessionId)}\n`;
    for (const path of paths) out += `\t${path}\n`;
  }
  return `${out}\n`;
}

function wchp(context: FourLetterWordContext): string {
  let out = '';
  for (const [path, sessionIds] of context.watches.byPath()) {
    out += `${path}\n`;
    for (const id of sessionIds) out += `\t${hexId(id)}\n`;
  }
  return `${out}\n`;
}

/** `srst`: ServerStats, and on a leader its proposal sizes too (StatResetCommand). */
function srst(context: FourLetterWordContext, report: EnsembleReport): string {
  context.stats.reset();
  report.leader?.proposalSizes.reset();
  return 'Server stats reset.\n';
}

/** Words that need a running server; they answer ZK_NOT_SERVING otherwise. */
function servingWord(word: string, context: FourLetterWordContext, report: EnsembleReport): string {
  switch (word) {
    case 'srvr': return srvrText(context, report);
    case 'stat': return statText(context, report);
    case 'cons': return consText(context);
    case 'mntr': return mntrText(context, report);
    case 'conf': return confText(context, report);
    case 'dump': return dump(context);
    case 'wchs': return wchs(context);
    case 'wchc': return wchc(context);
    case 'wchp': return wchp(context);
    case 'crst': context.resetConnectionStats(); return 'Connection stats reset.\n';
    case 'srst': return srst(context, report);
    default: return `${word} is not executed because it is not in the whitelist.\n`;
  }
}

/** The output of `word`; the connection is closed after it is written. */
export function runFourLetterWord(word: string, context: FourLetterWordContext): string {
  if (!context.config.fourLetterWordWhitelist.has(word)) return `${word} is not executed because it is not in the whitelist.\n`;
  if (word === 'ruok') return 'imok';
  if (word === 'envi') return envi();
  const report = context.ensemble();
  assertEnsembleReport(report);
  const serving = isServing(report);
  // IsroCommand: "null" without a running server, "ro" for ReadOnlyZooKeeperServer.
  if (word === 'isro') return !serving ? 'null' : report.readOnly ? 'ro' : 'rw';
  return serving ? servingWord(word, context, report) : notServingText;
}

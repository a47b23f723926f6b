/**
 * Data-driven scripts in the style of etcd-io/raft's interaction tests
 * (cockroachdb/datadriven's format): a command line, `----`, and the
 * expected output up to the next blank line. `runScript` returns the file
 * with every expected output replaced by the actual one, so a test compares
 * the two and a rewrite just writes the result back.
 *
 * Commands (IDS is a space-separated list of server ids, or `all`):
 *   add-nodes N [observers=A,B] [pending=P] [window=W] [counter-max=C] [init=I] [sync=S]
 *             [snapshot-every=K] [log=keep] [fault=ack-before-durable|commit-without-quorum|skip-trunc|current-epoch-at-rollover-ack|ack-epoch-before-durable]
 *   disk ID [accepted=E] [current=E] [snap=Z,Z..] [log=Z[:data],..] [log-keep=yes]
 *                          durable state of a LOOKING server (log-keep: the snapshot's txns stay in the log)
 *   elect L [IDS]          L leads; IDS (default: every other LOOKING server) learn
 *   join ID L              a LOOKING server joins leader L
 *   elect-auto             the election oracle (Cluster.electIfPossible)
 *   propose L DATA         the leader orders DATA
 *   process IDS            perform each server's next Ready up to its writes
 *   persist IDS            the writes become durable; after-persist messages go
 *   deliver [A->B ..] [n=K]  deliver queued messages (all links, or the named ones)
 *   tick IDS [xN]          N ticks on each server
 *   crash ID | restart ID | disconnect A B
 *   stabilize              process, persist and deliver until nothing moves
 *   status | log ID | check
 */
import { assert } from '@corral/base';
import type { UnsafeFaults } from '../types.js';
import { Cluster } from './cluster.js';
import { encodeText, parseZxid } from './format.js';

interface Command {
  readonly name: string;
  readonly args: readonly string[];
  readonly options: ReadonlyMap<string, string>;
}

/** Runs a script; returns it with the actual outputs under each `----`. */
export function runScript(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  const env: { cluster: Cluster | null } = { cluster: null };
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] as string;
    if (line.trim() === '' || line.startsWith('#')) {
      out.push(line);
      index++;
      continue;
    }
    out.push(line);
    index++;
    assert(lines[index] === '----', `line ${index + 1}: want ---- after a command`);
    out.push('----');
    index++;
    while (index < lines.length && (lines[index] as string).trim() !== '') index++;
    const result = runCommand(env, parseCommand(line));
    out.push(...(result.length === 0 ? ['ok'] : result));
  }
  return out.join('\n');
}

function parseCommand(line: string): Command {
  const words = line.trim().split(/\s+/);
  const args: string[] = [];
  const options = new Map<string, string>();
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    if (eq > 0) options.set(word.slice(0, eq), word.slice(eq + 1));
    else args.push(word);
  }
  return { name: words[0] as string, args, options };
}

function runCommand(env: { cluster: Cluster | null }, command: Command): string[] {
  if (command.name === 'add-nodes') {
    env.cluster = addNodes(command);
    return env.cluster.status();
  }
  const cluster = env.cluster;
  assert(cluster !== null, 'add-nodes first');
  const start = cluster.trace.length;
  const extra = runClusterCommand(cluster, command);
  return [...cluster.trace.slice(start), ...extra];
}

function addNodes(command: Command): Cluster {
  const count = Number(command.args[0]);
  const observers = (command.options.get('observers') ?? '').split(',').filter((s) => s !== '').map(Number);
  const voters: number[] = [];
  for (let sid = 1; sid <= count; sid++) if (!observers.includes(sid)) voters.push(sid);
  const number = (key: string): number | undefined => (command.options.has(key) ? Number(command.options.get(key)) : undefined);
  const limits = Object.fromEntries(
    [
      ['pendingProposalsMax', number('pending')],
      ['windowTxnsMax', number('window')],
      ['learnerPendingTxnsMax', number('learner-pending')],
      ['zxidCounterMax', number('counter-max')],
      ['initLimitTicks', number('init')],
      ['syncLimitTicks', number('sync')],
    ].filter(([, value]) => value !== undefined),
  );
  const fault = command.options.get('fault');
  const faults: UnsafeFaults = {
    ackBeforeDurable: fault === 'ack-before-durable',
    commitWithoutQuorum: fault === 'commit-without-quorum',
    skipTrunc: fault === 'skip-trunc',
    currentEpochAtRolloverAck: fault === 'current-epoch-at-rollover-ack',
    ackEpochBeforeDurable: fault === 'ack-epoch-before-durable',
  };
  const logRetention = command.options.get('log') === 'keep' ? 'keep' : 'compact';
  return new Cluster({ voters, observers, limits, faults, snapshotEvery: number('snapshot-every') ?? 1000, logRetention });
}

function ids(cluster: Cluster, args: readonly string[]): number[] {
  if (args.length === 0 || args[0] === 'all') return [...cluster.nodes.keys()];
  return args.map(Number);
}

function runClusterCommand(cluster: Cluster, command: Command): string[] {
  const { args, options } = command;
  switch (command.name) {
    case 'disk':
      return setDisk(cluster, command);
    case 'elect': {
      const leader = Number(args[0]);
      const learners = args.length > 1 ? args.slice(1).map(Number) : [...cluster.nodes.values()].filter((n) => n.role === 'LOOKING' && n.sid !== leader).map((n) => n.sid);
      cluster.elect(leader, learners);
      return [];
    }
    case 'join':
      cluster.join(Number(args[0]), Number(args[1]));
      return [];
    case 'elect-auto':
      return cluster.electIfPossible() ? [] : ['no quorum LOOKING'];
    case 'propose':
      return [cluster.propose(Number(args[0]), args[1] ?? '')];
    case 'process':
      for (const sid of ids(cluster, args)) cluster.process(sid);
      return [];
    case 'persist':
      for (const sid of ids(cluster, args)) cluster.persist(sid);
      return [];
    case 'deliver':
      return deliver(cluster, args, options);
    case 'tick': {
      const times = Number((args.find((a) => a.startsWith('x')) ?? 'x1').slice(1));
      const targets = ids(cluster, args.filter((a) => !a.startsWith('x')));
      for (let i = 0; i < times; i++) for (const sid of targets) cluster.tick(sid);
      return [];
    }
    case 'crash':
      cluster.crash(Number(args[0]));
      return [];
    case 'restart':
      cluster.restart(Number(args[0]));
      return [];
    case 'disconnect':
      cluster.disconnect(Number(args[0]), Number(args[1]));
      return [];
    case 'stabilize':
      stabilize(cluster);
      return [];
    case 'status':
      return cluster.status();
    case 'log':
      return cluster.describeLog(Number(args[0]));
    case 'check':
      return cluster.checker.violations.length === 0 ? ['no violations'] : cluster.checker.violations.map((v) => `violation: ${v}`);
    default:
      throw new Error(`unknown command ${command.name}`);
  }
}

function setDisk(cluster: Cluster, command: Command): string[] {
  const txns = (key: string): Array<{ zxid: bigint; bytes: Uint8Array }> =>
    (command.options.get(key) ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map((item) => {
        const [zxid, data] = item.split(':') as [string, string | undefined];
        return { zxid: parseZxid(zxid), bytes: encodeText(data ?? zxid) };
      });
  const snapshot = txns('snap');
  cluster.setDisk(Number(command.args[0]), {
    acceptedEpoch: Number(command.options.get('accepted') ?? 0),
    currentEpoch: Number(command.options.get('current') ?? 0),
    snapshotZxid: snapshot.at(-1)?.zxid ?? 0n,
    snapshot,
    log: [...(command.options.get('log-keep') === 'yes' ? snapshot : []), ...txns('log')],
    logBaseZxid: command.options.get('log-keep') === 'yes' ? 0n : (snapshot.at(-1)?.zxid ?? 0n),
  });
  return cluster.describeLog(Number(command.args[0]));
}

function deliver(cluster: Cluster, args: readonly string[], options: ReadonlyMap<string, string>): string[] {
  const pairs = args.length === 0 ? cluster.busyLinks() : args.map((a) => a.split('->').map(Number) as [number, number]);
  const limit = options.has('n') ? Number(options.get('n')) : Number.POSITIVE_INFINITY;
  // Deliver only what is queued now; messages sent while delivering wait for the next command.
  const counts = pairs.map(([from, to]) => ({ from, to, count: Math.min(limit, cluster.queuedCount(from, to)) }));
  for (const { from, to, count } of counts) for (let i = 0; i < count; i++) cluster.deliver(from, to);
  return [];
}

/** Process, persist and deliver everything, server by server, until the cluster is quiet. */
export function stabilize(cluster: Cluster): void {
  for (let round = 0; round < 10_000 && !cluster.quiet(); round++) {
    for (const sid of cluster.nodes.keys()) {
      cluster.process(sid);
      cluster.persist(sid);
    }
    for (const [from, to] of cluster.busyLinks()) while (cluster.deliver(from, to));
  }
  assert(cluster.quiet(), 'stabilize converges');
}

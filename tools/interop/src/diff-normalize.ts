/**
 * Normalizes one server's differential-driver output so two servers can be compared:
 * zxids become their order of first appearance (epochs and gaps differ between servers),
 * ephemeralOwner becomes the owning session's index, times are dropped, and four-letter
 * replies are reduced to what must match (keys, not values).
 */

/** One op of a differential sequence (see testdata/diff_driver.py for the fields). */
export interface DiffOp {
  op: string;
  /** Session index; 0 when absent. */
  s?: number;
  path?: string;
  data?: string;
  /** Send null data (jute length -1) instead of `data`. */
  nullData?: boolean;
  size?: number;
  mode?: string;
  ttl?: number;
  acl?: string;
  version?: number;
  watch?: boolean;
  ops?: DiffOp[];
  word?: string;
  cred?: string;
  scheme?: string;
  ms?: number;
  /**
   * An intended difference from Apache 3.8.0 (docs/divergences.md): Corral's
   * normalized result for this step must equal `want` (and Apache's must not).
   */
  divergence?: { want: unknown; doc: string };
}

/** A sequence run with `sessions` sessions. */
export interface DiffSequence {
  sessions: number;
  ops: DiffOp[];
}

/** Raw driver output: the session ids, then one result per op. */
export interface DriverOutput {
  sessions: string[];
  results: Record<string, unknown>[];
}

/** mntr keys every server must report (the ones tools and dashboards read). */
export const mntrRequiredKeys: readonly string[] = [
  'zk_version',
  'zk_avg_latency',
  'zk_max_latency',
  'zk_min_latency',
  'zk_packets_received',
  'zk_packets_sent',
  'zk_num_alive_connections',
  'zk_outstanding_requests',
  'zk_server_state',
  'zk_znode_count',
  'zk_watch_count',
  'zk_ephemerals_count',
  'zk_approximate_data_size',
  'zk_open_file_descriptor_count',
  'zk_max_file_descriptor_count',
];

const zxidFields = ['czxid', 'mzxid', 'pzxid'] as const;
const timeFields = ['ctime', 'mtime'] as const;

/** Maps raw values to `<prefix><index of first appearance>`. */
class AppearanceMap {
  private readonly seen = new Map<string, string>();
  constructor(private readonly prefix: string) {}
  map(raw: string): string {
    let mapped = this.seen.get(raw);
    if (mapped === undefined) {
      mapped = `${this.prefix}${this.seen.size}`;
      this.seen.set(raw, mapped);
    }
    return mapped;
  }
}

function normalizeStat(stat: Record<string, unknown>, zxids: AppearanceMap, sessions: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stat };
  for (const field of timeFields) delete out[field];
  for (const field of zxidFields) {
    const raw = String(stat[field]);
    // zxid 0 is the pre-existing /zookeeper subtree: equal on both servers, keep it literal
    out[field] = raw === '0' ? 'zxid:0' : zxids.map(raw);
  }
  const owner = String(stat['ephemeralOwner']);
  const sessionIndex = sessions.indexOf(owner);
  out['ephemeralOwner'] = owner === '0' ? '0' : sessionIndex >= 0 ? `session:${sessionIndex}` : `other:${owner}`;
  return out;
}

/** The parts of a four-letter-word reply that must match between servers. */
export function normalizeFourLetter(word: string, reply: string): unknown {
  const lines = reply.split('\n').filter((line) => line.length > 0);
  switch (word) {
    case 'srvr':
    case 'stat':
      // keys of `Key: value` lines; stat adds a client list whose lines have no `: `
      return lines.filter((line) => line.includes(': ')).map((line) => line.slice(0, line.indexOf(': ')));
    case 'conf':
      return lines.map((line) => line.split('=')[0]).sort();
    case 'mntr': {
      const keys = new Set(lines.map((line) => line.split('\t')[0]));
      return Object.fromEntries(mntrRequiredKeys.map((key) => [key, keys.has(key)]));
    }
    case 'envi':
      return lines.length > 0 ? lines[0] : '';
    default:
      return reply;
  }
}

/** Normalizes every result of one run; `ops` gives each result's op (4lw needs the word). */
export function normalizeRun(sequence: DiffSequence, output: DriverOutput): unknown[] {
  const zxids = new AppearanceMap('zxid#');
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(record)) {
      if (key === 'stat' && inner !== null && typeof inner === 'object') {
        out[key] = normalizeStat(inner as Record<string, unknown>, zxids, output.sessions);
      } else {
        out[key] = walk(inner);
      }
    }
    return out;
  };
  return output.results.map((result, index) => {
    const op = sequence.ops[index];
    const copy: Record<string, unknown> = { ...result };
    delete copy['i'];
    if (op?.op === '4lw' && typeof copy['reply'] === 'string') {
      copy['reply'] = normalizeFourLetter(op.word ?? '', copy['reply']);
    }
    return walk(copy);
  });
}

/** JSON with sorted keys, so equal values print equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/** One step where the two servers disagree. */
export interface StepMismatch {
  step: number;
  op: DiffOp | undefined;
  reference: string;
  target: string;
}

/** Step-by-step comparison of normalized runs (lengths must match too). */
export function compareRuns(sequence: DiffSequence, reference: unknown[], target: unknown[], targetIsCorral = false): StepMismatch[] {
  const mismatches: StepMismatch[] = [];
  const stepCount = Math.max(reference.length, target.length);
  for (let step = 0; step < stepCount; step++) {
    const op = sequence.ops[step];
    const apache = canonicalJson(reference[step] ?? 'missing');
    const got = canonicalJson(target[step] ?? 'missing');
    if (op?.divergence !== undefined && targetIsCorral) {
      // The documented Corral behaviour is required, and the step must still show the difference.
      const want = canonicalJson(op.divergence.want);
      if (got !== want || apache === want) mismatches.push({ step, op, reference: `${want} (intended, ${op.divergence.doc}; Apache: ${apache})`, target: got });
      continue;
    }
    if (apache !== got) mismatches.push({ step, op, reference: apache, target: got });
  }
  return mismatches;
}

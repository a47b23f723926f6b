// Goal: message-level behaviour of fast leader election, as ZooKeeper's
// FastLeaderElection behaves, readable as scripts. Method: each file in
// testdata/ is a list of commands run against a TestCluster; the output of
// each command is compared with the text below its `----`. Run with
// ELECTION_REWRITE=1 to rewrite the expectations (commit a rewrite only with
// a reason). Format (cockroachdb/datadriven): a command line, `----`, the
// expected lines, a blank line; `#` lines are comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TestCluster } from './test-cluster.js';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));
const rewrite = process.env['ELECTION_REWRITE'] === '1';

interface Case {
  command: string;
  expected: string[];
}

/** Splits a script into its comment/blank lines (kept for rewrites) and cases. */
function parse(text: string): { cases: Case[]; layout: (string | number)[] } {
  const lines = text.split('\n');
  const cases: Case[] = [];
  const layout: (string | number)[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.startsWith('#')) {
      layout.push(line);
      i++;
      continue;
    }
    assert.equal(lines[i + 1], '----', `line ${i + 2}: expected ---- after "${line}"`);
    const expected: string[] = [];
    i += 2;
    while (i < lines.length && (lines[i] ?? '') !== '') expected.push(lines[i++] ?? '');
    layout.push(cases.length);
    cases.push({ command: line, expected });
  }
  return { cases, layout };
}

function parseSids(text: string): number[] {
  return text.split(',').map((s) => Number(s));
}

function keyed(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq > 0) out.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return out;
}

function bigints(text: string | undefined): bigint[] | undefined {
  return text === undefined ? undefined : text.split(',').map((s) => BigInt(s));
}

function position(args: Map<string, string>): { lastLoggedZxid: bigint; currentEpoch: bigint } {
  return { lastLoggedZxid: BigInt(args.get('zxid') ?? '0'), currentEpoch: BigInt(args.get('epoch') ?? '0') };
}

function link(text: string | undefined): [number, number] {
  const [from, to] = (text ?? '').split('->').map(Number);
  assert.ok(from !== undefined && to !== undefined && !Number.isNaN(from) && !Number.isNaN(to), `bad link ${text}`);
  return [from, to];
}

/** `all` or a sid list, and an optional `xN` repeat. */
function targets(cluster: TestCluster, text: string | undefined): number[] {
  return text === 'all' || text === undefined ? cluster.sids() : parseSids(text);
}

function repeat(args: string[]): number {
  const x = args.find((a) => /^x\d+$/.test(a));
  return x === undefined ? 1 : Number(x.slice(1));
}

function run(cluster: TestCluster, command: string): string[] {
  const [name, ...args] = command.split(/\s+/);
  const kv = keyed(args);
  switch (name) {
    case 'add-nodes':
      return cluster.addNodes({
        voterCount: Number(args[0]),
        observerCount: Number(kv.get('observers') ?? '0'),
        zxids: bigints(kv.get('zxid')),
        epochs: bigints(kv.get('epoch')),
      });
    case 'restart':
      return cluster.restart(Number(args[0]), position(kv));
    case 'look':
      return targets(cluster, args[0]).flatMap((sid) => cluster.look(sid, position(kv)));
    case 'tick': {
      const count = repeat(args);
      const out: string[] = [];
      for (let i = 0; i < count; i++) for (const sid of targets(cluster, args[0])) out.push(...cluster.tick(sid, 1));
      return out.length === 0 ? ['ok'] : out;
    }
    case 'process-ready': {
      const out = targets(cluster, args[0]).flatMap((sid) => cluster.processReady(sid));
      return out.length === 0 ? ['ok'] : out;
    }
    case 'deliver': {
      const [from, to] = link(args[0]);
      const n = kv.get('n');
      const out = cluster.deliver(from, to, n === undefined ? Infinity : Number(n));
      return out.length === 0 ? ['nothing queued'] : out;
    }
    case 'drop': {
      const out = cluster.drop(...link(args[0]));
      return out.length === 0 ? ['nothing queued'] : out;
    }
    case 'dup':
      return cluster.duplicate(...link(args[0]));
    case 'cut': {
      const [a, b] = (args.join(' ').split('/') as [string, string]).map((side) => parseSids(side.trim()));
      return cluster.cut(a ?? [], b ?? []);
    }
    case 'heal':
      return cluster.heal();
    case 'stabilize': {
      const out = cluster.stabilize();
      return out.length === 0 ? ['ok'] : out;
    }
    case 'status':
      return cluster.status();
    default:
      throw new Error(`unknown command ${name}`);
  }
}

for (const file of readdirSync(testdata).filter((f) => f.endsWith('.txt')).sort()) {
  test(`script ${file}`, () => {
    const path = join(testdata, file);
    const { cases, layout } = parse(readFileSync(path, 'utf8'));
    const cluster = new TestCluster();
    const actual = cases.map((c) => run(cluster, c.command));
    if (rewrite) {
      const text = layout.map((item) => (typeof item === 'string' ? item : [cases[item]?.command, '----', ...(actual[item] ?? [])].join('\n'))).join('\n');
      writeFileSync(path, text);
      return;
    }
    cases.forEach((c, i) => assert.deepEqual(actual[i], c.expected, `${file}: ${c.command}`));
  });
}

#!/usr/bin/env node
/**
 * `npm run sim -- --seeds N --seed-start S` runs N seeds and ends with one
 * line `sim: N seeds, V violations` (plus `, U undecided` when the
 * linearizability search gave up on U seeds), exiting 1 on any violation after
 * printing, for each failing seed, what failed and the command that replays
 * it. `--seed S` runs one seed (the replay form). Without `--seed-start`,
 * the start is drawn from node:crypto and printed: the simulation itself
 * never uses ambient randomness, only the start of a range of seeds does.
 *   --stack S          replica (default: election → broadcast → replica) or election (the election machine alone)
 *   --safety-ticks T   override the swarm's safety-phase length
 *   --verbose          print every seed's outcome and a failing seed's recent trace
 */
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CrashCoverage } from './crash-coverage.js';
import { runSeeds, summaryLine, type SimStack } from './run-seeds.js';
import { describeConfig } from './swarm.js';
import type { SwarmOverrides } from './swarm.js';

/** A long soak reports progress on stderr this often. */
const progressEverySeeds = 10_000;

interface CliOptions {
  seedStart: number;
  seedCount: number;
  overrides: SwarmOverrides;
  verbose: boolean;
  stack: SimStack;
}

function usage(message: string): never {
  process.stderr.write(`sim: ${message}\nusage: npm run sim -- [--seeds N] [--seed-start S | --seed S] [--stack replica|election] [--safety-ticks T] [--verbose]\n`);
  process.exit(2);
}

function integerFlag(name: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isSafeInteger(n) || n < 0) usage(`${name} needs a non-negative integer`);
  return n;
}

function parse(argv: readonly string[]): CliOptions {
  let seedStart: number | null = null;
  let seedCount = 1;
  let safetyTicks: number | undefined;
  let verbose = false;
  let stack: SimStack = 'replica';
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--seeds') seedCount = integerFlag(flag, argv[++i]);
    else if (flag === '--seed-start' || flag === '--seed') seedStart = integerFlag(flag, argv[++i]);
    else if (flag === '--safety-ticks') safetyTicks = integerFlag(flag, argv[++i]);
    else if (flag === '--verbose') verbose = true;
    else if (flag === '--stack') {
      const value = argv[++i];
      if (value !== 'replica' && value !== 'election') usage('--stack is replica or election');
      stack = value;
    }
    else usage(`unknown argument ${flag}`);
  }
  return { seedStart: seedStart ?? randomInt(0, 2 ** 47), seedCount, overrides: safetyTicks === undefined ? {} : { safetyTicks }, verbose, stack };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Outside a git checkout (an installed package): the seed still replays on the same build.
    return 'unknown';
  }
}

function main(): void {
  const options = parse(process.argv.slice(2));
  const last = options.seedStart + options.seedCount - 1;
  process.stdout.write(`sim: commit ${gitCommit()}, stack ${options.stack}, seeds ${options.seedStart}..${last}\n`);
  const startedMs = performance.now();
  const coverage = new CrashCoverage();
  const marks = new Map<string, number>();
  const summary = runSeeds({
    seedStart: options.seedStart,
    seedCount: options.seedCount,
    overrides: options.overrides,
    stack: options.stack,
    onResult: (result) => {
      coverage.add(result);
      for (const name of result.marks ?? []) marks.set(name, (marks.get(name) ?? 0) + 1);
      const done = result.seed - options.seedStart + 1;
      if (done % progressEverySeeds === 0 && done < options.seedCount) process.stderr.write(`sim: ${done} seeds done\n`);
      if (!options.verbose) return;
      const outcome = result.violations.length > 0 ? 'FAIL' : `ok, core ${result.core.join(',')} converged after ${result.convergedAfterTicks} ticks`;
      process.stdout.write(`seed ${result.seed}: ${outcome}; trace ${result.traceHash}; ${describeConfig(result.config)}\n`);
    },
  });
  for (const { result, violation, replay } of summary.failures) {
    process.stdout.write(`\nseed ${result.seed} violates ${violation.checker} at step ${violation.step}: ${violation.message}\n`);
    process.stdout.write(`  config: ${describeConfig(result.config)}\n`);
    if (options.verbose) for (const line of result.recentTrace) process.stdout.write(`  | ${line}\n`);
    process.stdout.write(`  replay: ${replay}\n`);
  }
  for (const { seed, partitions, replay } of summary.undecided) {
    process.stdout.write(`\nseed ${seed}: linearizability undecided (search budget spent) on ${partitions.join(' ')}\n  replay: ${replay}\n`);
  }
  const t = summary.totals;
  process.stdout.write(
    `sim: ${t.steps} steps, ${t.sentCount} messages (${t.lostCount} lost, ${t.duplicatedCount} duplicated, ${t.blockedCount} blocked, ${t.overflowCount} over inFlightMax), ` +
      `${t.crashCount} crashes, ${t.lostWriteCount} unsynced writes lost, ${t.tornRecordCount} torn records, ${t.failedFsyncCount} failed fsyncs\n`,
  );
  if (options.stack === 'replica') {
    for (const line of coverage.table()) process.stdout.write(`sim: ${line}\n`);
    const counts = [...marks].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, count]) => `${name} ${count}`);
    process.stdout.write(`sim: broadcast marks (seeds reaching each): ${counts.join(', ')}\n`);
  }
  const elapsedMs = performance.now() - startedMs;
  process.stdout.write(`sim: ${Math.round((options.seedCount / Math.max(elapsedMs, 1)) * 60_000)} seeds/min\n`);
  process.stdout.write(`${summaryLine(summary)}\n`);
  process.exitCode = summary.violationCount > 0 ? 1 : 0;
}

main();

/**
 * Replays saved cases against a fresh server, checking the oracles after
 * each one. Used to shrink a finding to the one case that causes it and
 * by the regression test over testdata/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzCase } from './cases.js';
import { executeCase } from './execute-case.js';
import { Oracle, type OracleOptions } from './oracle.js';
import { ServerProcess } from './server-process.js';

/** A saved finding: the cases that broke an oracle, as replayed by the regression test. */
export interface SavedFinding {
  readonly seed: number;
  readonly problems: readonly string[];
  /** Set while the bug is known and being fixed elsewhere (the issue item); the test then reports it as a todo. */
  readonly todo?: string;
  readonly cases: readonly FuzzCase[];
}

/** The outcome of a replay: the index of the first case after which an oracle failed, and why. */
export interface ReplayResult {
  readonly failedAt: number | null;
  readonly problems: readonly string[];
  readonly serverLog: string;
}

/** Runs `cases` in order on one fresh server; stops at the first case an oracle objects to. */
export async function replayCases(cases: readonly FuzzCase[], options: OracleOptions): Promise<ReplayResult> {
  const server = await ServerProcess.start();
  const oracle = await Oracle.attach(server, options);
  try {
    for (const [index, fuzzCase] of cases.entries()) {
      await executeCase(server.port, fuzzCase);
      const problems = index === cases.length - 1 ? await oracle.finalCheck() : await oracle.check(true);
      if (problems.length > 0) return { failedAt: index, problems, serverLog: server.logTail() };
    }
    return { failedAt: null, problems: [], serverLog: server.logTail() };
  } finally {
    oracle.close();
    await server.stop();
  }
}

/**
 * A small set of suspects that still fails, found cheaply: replay all in
 * order and keep the prefix up to the failing case; then try that case
 * alone, then with the one before it. A single case is then cut down step
 * by step. Null when the finding does not reproduce.
 */
export async function shrink(cases: readonly FuzzCase[], options: OracleOptions): Promise<readonly FuzzCase[] | null> {
  const all = await replayCases(cases, options);
  if (all.failedAt === null) return null;
  const prefix = cases.slice(0, all.failedAt + 1);
  let smallest = prefix;
  for (const candidate of [prefix.slice(-1), prefix.slice(-2)]) {
    if (candidate.length < prefix.length && (await replayCases(candidate, options)).failedAt !== null) {
      smallest = candidate;
      break;
    }
  }
  const only = smallest.length === 1 ? smallest[0] : undefined;
  return only === undefined ? smallest : [await shrinkSteps(only, options)];
}

/** Drops the steps of one failing case (last first) that it still fails without; the first step (the handshake) stays. */
async function shrinkSteps(fuzzCase: FuzzCase, options: OracleOptions): Promise<FuzzCase> {
  let current = fuzzCase;
  for (let index = current.steps.length - 1; index >= 1; index--) {
    const candidate = { ...current, steps: current.steps.filter((_, stepIndex) => stepIndex !== index) };
    if ((await replayCases([candidate], options)).failedAt !== null) current = candidate;
  }
  return current;
}

/** Writes a finding as testdata/<name>.json and returns the path. */
export function saveFinding(dir: string, name: string, finding: SavedFinding): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(finding, null, 1)}\n`);
  return path;
}

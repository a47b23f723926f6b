/**
 * A fuzz campaign: one server, several attacker workers each drawing cases
 * from its own fork of the seeded PRNG, and the oracle checking every
 * second. When an oracle fails, the workers stop, the cases that ran since
 * the last good check are the suspects, they are shrunk by replay on a
 * fresh server and saved; then the campaign either ends or (keepGoing)
 * continues on a fresh server.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { inputCount, randomCase, type CaseMix, type FuzzCase } from './cases.js';
import { executeCase } from './execute-case.js';
import { Oracle, mib, type OracleOptions } from './oracle.js';
import { Prng } from './prng.js';
import { saveFinding, shrink } from './replay.js';
import { ServerProcess } from './server-process.js';

/** What a campaign does. */
export interface CampaignOptions extends OracleOptions {
  readonly seed: number;
  readonly seconds: number;
  /** Attacker connections running at once. */
  readonly workers: number;
  /** Opcodes and scenarios left out (known bugs being fixed elsewhere). */
  readonly mix: CaseMix;
  /** After a finding, carry on with a fresh server instead of stopping. */
  readonly keepGoing: boolean;
  /** Where findings are saved (testdata/), or null to keep them in the report only. */
  readonly saveDir: string | null;
  readonly log: (line: string) => void;
}

/** One oracle failure. */
export interface Finding {
  readonly problems: readonly string[];
  /** The cases that ran since the last good check. */
  readonly suspects: readonly FuzzCase[];
  /** The shrunk cases that reproduce it on a fresh server, or null if it did not reproduce. */
  readonly reproducer: readonly FuzzCase[] | null;
  readonly serverLog: string;
  readonly savedAs: string | null;
}

/** What a campaign did. */
export interface CampaignReport {
  readonly seed: number;
  readonly casesRun: number;
  readonly inputsSent: number;
  readonly serversStarted: number;
  readonly rssPeakBytes: number;
  readonly findings: readonly Finding[];
}

/**
 * How far before the last good check a case may have started and still be a
 * suspect: the longest cases (slow-loris, pipelined reads) run for seconds.
 */
const suspectWindowMs = 8000;

interface Running {
  readonly fuzzCase: FuzzCase;
  readonly startedAt: number;
}

/** Runs a campaign for `seconds`. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const root = new Prng(options.seed);
  const prngs = Array.from({ length: options.workers }, () => root.fork());
  const deadline = Date.now() + options.seconds * 1000;
  const findings: Finding[] = [];
  const signatures = new Set<string>();
  let casesRun = 0;
  let inputsSent = 0;
  let serversStarted = 0;
  let rssPeakBytes = 0;
  let nextReportAt = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const server = await ServerProcess.start();
    serversStarted++;
    const oracle = await Oracle.attach(server, options);
    options.log(`server pid ${server.pid} on port ${server.port}`);
    const history: Running[] = [];
    let stopping = false;
    const workers = prngs.map(async (prng) => {
      while (!stopping && Date.now() < deadline) {
        const fuzzCase = randomCase(prng, options.mix);
        history.push({ fuzzCase, startedAt: Date.now() });
        await executeCase(server.port, fuzzCase);
        casesRun++;
        inputsSent += inputCount(fuzzCase);
      }
    });
    let lastGoodAt = Date.now();
    let problems: string[] = [];
    while (Date.now() < deadline) {
      const checkStartedAt = Date.now();
      problems = await oracle.check();
      if (problems.length > 0) break;
      // Cases that ended before the last good check cannot be suspects; forget them.
      const keepFrom = history.findIndex((entry) => entry.startedAt >= lastGoodAt - suspectWindowMs);
      history.splice(0, keepFrom < 0 ? history.length : keepFrom);
      lastGoodAt = checkStartedAt;
      if (Date.now() >= nextReportAt) {
        nextReportAt = Date.now() + 60_000;
        options.log(`${casesRun} cases, ${inputsSent} inputs, ${serversStarted} server(s), RSS peak ${mib(Math.max(rssPeakBytes, oracle.rssPeakBytes))} MiB, ${findings.length} findings`);
      }
      await delay(Math.max(0, 1000 - (Date.now() - checkStartedAt)));
    }
    stopping = true;
    await Promise.all(workers);
    if (problems.length === 0) problems = await oracle.finalCheck();
    rssPeakBytes = Math.max(rssPeakBytes, oracle.rssPeakBytes);
    oracle.close();
    const serverLog = server.logTail();
    await server.stop();
    if (problems.length === 0) break;
    const suspects = history.filter((entry) => entry.startedAt >= lastGoodAt - suspectWindowMs).map((entry) => entry.fuzzCase);
    const finding = await recordFinding(options, problems, suspects, serverLog, signatures);
    if (finding !== null) findings.push(finding);
    if (!options.keepGoing) break;
  }
  return { seed: options.seed, casesRun, inputsSent, serversStarted, rssPeakBytes, findings };
}

/**
 * A finding's signature: its first problem and, for a process that died,
 * the first error line it printed, without numbers; repeats of one bug are
 * shrunk and saved once, a different crash is not mistaken for a repeat.
 */
function signature(problems: readonly string[], serverLog: string): string {
  const crash = (problems[0] ?? '').startsWith('server ') ? (/^\w*Error\b.*$/m.exec(serverLog)?.[0] ?? '') : '';
  return `${problems[0] ?? ''} ${crash}`.replace(/-?\d+/g, 'N').replace(/\{.*\}/g, '{…}');
}

async function recordFinding(
  options: CampaignOptions,
  problems: readonly string[],
  suspects: readonly FuzzCase[],
  serverLog: string,
  signatures: Set<string>,
): Promise<Finding | null> {
  const key = signature(problems, serverLog);
  options.log(`FINDING (seed ${options.seed}): ${problems.join('; ')}\nserver log tail:\n${serverLog.slice(-1500)}`);
  if (signatures.has(key)) {
    options.log('same signature as an earlier finding: not shrunk again');
    return { problems, suspects: [], reproducer: null, serverLog, savedAs: null };
  }
  signatures.add(key);
  options.log(`shrinking ${suspects.length} suspect cases by replay`);
  const reproducer = await shrink(suspects, options);
  options.log(reproducer === null ? 'did not reproduce on a fresh server' : `reproduced with ${reproducer.length} case(s)`);
  let savedAs: string | null = null;
  if (options.saveDir !== null) {
    const name = `finding-${options.seed}-${signatures.size}`;
    savedAs = saveFinding(options.saveDir, name, { seed: options.seed, problems, cases: reproducer ?? suspects });
    options.log(`saved ${savedAs}`);
  }
  return { problems, suspects, reproducer, serverLog, savedAs };
}

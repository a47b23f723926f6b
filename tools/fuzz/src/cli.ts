#!/usr/bin/env node
/**
 * `npm run fuzz -- --seconds N --seed S [--workers W] [--rss-max-mb M]
 * [--keep-going] [--save] [--skip-opcodes 20,21] [--skip-scenarios K,…]`:
 * runs a campaign against a fresh server and prints the seed first, a
 * progress line a minute and a summary. Exit code 1 when anything was
 * found. --save writes findings to tools/fuzz/testdata. The skips leave out
 * known bugs that are being fixed elsewhere, so a long run finds others.
 */
import { randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCampaign } from './campaign.js';
import { scenarioKinds } from './cases.js';
import { defaultLimits } from './limits.js';

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index < 0 ? undefined : args[index + 1];
}

function numberOption(args: readonly string[], name: string, fallback: number): number {
  const text = option(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} needs a non-negative integer, not ${text}`);
  return value;
}

function listOption(args: readonly string[], name: string): string[] {
  return (option(args, name) ?? '').split(',').filter((item) => item !== '');
}

async function main(args: readonly string[]): Promise<number> {
  const seed = numberOption(args, '--seed', randomInt(0, 2 ** 32)) >>> 0;
  const seconds = numberOption(args, '--seconds', 60);
  const skipOpcodes = new Set(listOption(args, '--skip-opcodes').map(Number));
  const skipScenarios = new Set(listOption(args, '--skip-scenarios'));
  for (const kind of skipScenarios) if (!scenarioKinds.includes(kind)) throw new Error(`--skip-scenarios: no scenario ${kind} (${scenarioKinds.join(', ')})`);
  const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata');
  const skips = args.filter((arg, index) => arg.startsWith('--skip-') || args[index - 1]?.startsWith('--skip-') === true).join(' ');
  process.stdout.write(`fuzz seed ${seed} (npm run fuzz -- --seed ${seed} --seconds ${seconds}${skips === '' ? '' : ` ${skips}`} to repeat)\n`);
  const startedAt = Date.now();
  const report = await runCampaign({
    seed,
    seconds,
    workers: numberOption(args, '--workers', defaultLimits.workers),
    mix: { skipOpcodes, skipScenarios },
    rssMaxBytes: numberOption(args, '--rss-max-mb', defaultLimits.rssMaxBytes / 2 ** 20) * 2 ** 20,
    replyDeadlineMs: numberOption(args, '--reply-deadline-ms', defaultLimits.replyDeadlineMs),
    keepGoing: args.includes('--keep-going'),
    saveDir: args.includes('--save') ? testdata : null,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `fuzz seed ${seed}: ${Math.round((Date.now() - startedAt) / 1000)} s, ${report.casesRun} cases, ${report.inputsSent} inputs, ` +
    `${report.serversStarted} server(s), RSS peak ${Math.round(report.rssPeakBytes / 2 ** 20)} MiB, ${report.findings.length} finding(s)\n`,
  );
  for (const finding of report.findings) process.stdout.write(`  - ${finding.problems.join('; ')}${finding.savedAs === null ? '' : ` (saved ${finding.savedAs})`}\n`);
  return report.findings.length === 0 ? 0 : 1;
}

// Exit through process.exit so the server children are killed by PID on the way out.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});

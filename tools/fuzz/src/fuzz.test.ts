// Goal: no input a client can send takes the server down, damages the
// canary or makes its memory grow without bound (issue 7, item 13).
// Method: a bounded fuzz campaign (CORRAL_FUZZ_SECONDS, default 25) against
// a real server process, with a random seed printed first;
// CORRAL_FUZZ_SEED repeats a run, CORRAL_FUZZ_SAVE=1 saves what it finds
// to testdata/ so the replay test keeps it found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCampaign } from './campaign.js';
import { fullMix } from './cases.js';
import { defaultLimits } from './limits.js';

const seed = Number(process.env['CORRAL_FUZZ_SEED'] ?? randomInt(0, 2 ** 32)) >>> 0;
const seconds = Number(process.env['CORRAL_FUZZ_SECONDS'] ?? defaultLimits.testSeconds);

test(`the client port survives ${seconds} s of fuzzing (seed ${seed})`, async (t) => {
  t.diagnostic(`fuzz seed ${seed}: CORRAL_FUZZ_SEED=${seed} npm test, or npm run fuzz -- --seed ${seed} --seconds ${seconds}`);
  const report = await runCampaign({
    seed,
    seconds,
    workers: defaultLimits.workers,
    mix: fullMix,
    rssMaxBytes: defaultLimits.rssMaxBytes,
    replyDeadlineMs: defaultLimits.replyDeadlineMs,
    keepGoing: false,
    saveDir: process.env['CORRAL_FUZZ_SAVE'] === '1' ? join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata') : null,
    log: (line) => t.diagnostic(line),
  });
  t.diagnostic(`${report.casesRun} cases, ${report.inputsSent} inputs, RSS peak ${Math.round(report.rssPeakBytes / 2 ** 20)} MiB`);
  const finding = report.findings[0];
  if (finding !== undefined) {
    const reproducer = JSON.stringify(finding.reproducer ?? finding.suspects).slice(0, 4000);
    assert.fail(`seed ${seed}: ${finding.problems.join('; ')}\nreproducer (cases): ${reproducer}\nserver log:\n${finding.serverLog.slice(-1500)}`);
  }
  assert.ok(report.inputsSent > 0, 'the fuzz sent nothing');
});

// Goal: every input the fuzz ever found to break an oracle stays fixed.
// Method: each testdata/*.json holds the shrunk cases of one finding; they
// are replayed on a fresh server, checking liveness, the canary and RSS
// after each case. A finding whose fix is still pending elsewhere carries
// `todo` (the issue item) and is reported as a todo until it passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLimits } from './limits.js';
import { replayCases, type SavedFinding } from './replay.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata');

for (const file of readdirSync(testdata).filter((name) => name.endsWith('.json')).sort()) {
  const finding = JSON.parse(readFileSync(join(testdata, file), 'utf8')) as SavedFinding;
  const options = finding.todo === undefined ? {} : { todo: finding.todo };
  test(`replay ${file}`, options, async () => {
    const result = await replayCases(finding.cases, { rssMaxBytes: defaultLimits.rssMaxBytes, replyDeadlineMs: defaultLimits.replyDeadlineMs });
    assert.equal(result.failedAt, null, `${file}: case ${result.failedAt}: ${result.problems.join('; ')}\n${result.serverLog.slice(-1500)}`);
  });
}

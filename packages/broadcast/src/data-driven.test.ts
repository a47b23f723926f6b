// Goal: broadcast's behaviour, message by message, for each rule of ZAB the
// scripts in ../testdata name (discovery, each sync path, ack after durable,
// commit needs a quorum, liveness, observers, epoch rollover).
// Method: each testdata/*.txt runs through runScript against the in-process
// Cluster; the output must equal the text under each `----`.
// BROADCAST_REWRITE=1 writes the actual output back (commit it only with a reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runScript } from './testing/script.js';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));
const rewrite = process.env['BROADCAST_REWRITE'] === '1';

for (const name of readdirSync(testdata).filter((f) => f.endsWith('.txt')).sort()) {
  test(`script ${name}`, () => {
    const path = join(testdata, name);
    const want = readFileSync(path, 'utf8');
    const got = runScript(want);
    if (rewrite) writeFileSync(path, got);
    else assert.equal(got, want);
  });
}

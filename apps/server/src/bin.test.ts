// Goal: one `npm install` on a fresh clone leaves a working `corral` bin
// (issue 7, item 12). npm links workspace bins before the root `prepare`
// script builds dist/, so the bin must name a committed file, not a build
// output. Method: check the package.json bin target is outside dist/ and
// executable, and run it (and node_modules/.bin/corral when the install
// linked it) with --help. .ci/run checks the same on a real fresh clone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(packageDir, '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const binPath = resolve(packageDir, manifest.bin['corral'] ?? '');

test('the corral bin names a committed file, not a build output', () => {
  assert.ok(!binPath.startsWith(join(packageDir, 'dist')), `bin ${binPath} is under dist/`);
  accessSync(binPath, constants.X_OK);
});

test('the corral bin runs the built CLI', () => {
  const result = spawnSync(process.execPath, [binPath, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /corral server/);
});

test('node_modules/.bin/corral is the committed shim', (t) => {
  const link = join(repoRoot, 'node_modules', '.bin', 'corral');
  if (!existsSync(link)) {
    t.skip('no node_modules/.bin/corral (not installed from the repo root)');
    return;
  }
  assert.equal(realpathSync(link), realpathSync(binPath));
  const result = spawnSync(link, ['--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

// Goal: a stale bundle never runs (a developer who only ran `tsc -b` gets
// dist/cli.js), a fresh one always does. Method: a fake repo in a temp dir
// (apps/server/dist with a bundle, its input manifest and inputs) whose
// mtimes are set with utimesSync, then resolveServerEntry on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveServerEntry, serverDistDir, serverEntryFiles } from './server-entry.js';

const bundleTime = new Date('2026-01-01T12:00:00Z');
const before = new Date('2026-01-01T11:00:00Z');
const after = new Date('2026-01-01T13:00:00Z');
const inputs = ['apps/server/dist/cli.js', 'packages/wire/dist/index.js', 'node_modules/@grpc/grpc-js/build/src/index.js', 'node_modules/.package-lock.json'];

/** A fake repo with a fresh bundle; returns its dist dir. */
function fakeRepo(t: { after: (fn: () => void) => void }): { root: string; dist: string } {
  const root = mkdtempSync(join(tmpdir(), 'corral-server-entry-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dist = join(root, 'apps', 'server', 'dist');
  for (const input of inputs) {
    mkdirSync(dirname(join(root, input)), { recursive: true });
    writeFileSync(join(root, input), '');
    utimesSync(join(root, input), before, before);
  }
  writeFileSync(join(dist, serverEntryFiles.bundleInputs), JSON.stringify({ inputs }));
  writeFileSync(join(dist, serverEntryFiles.bundle), '');
  utimesSync(join(dist, serverEntryFiles.bundle), bundleTime, bundleTime);
  return { root, dist };
}

test('a bundle newer than all its inputs is used', (t) => {
  const { dist } = fakeRepo(t);
  assert.deepEqual(resolveServerEntry(dist), { file: join(dist, serverEntryFiles.bundle), bundled: true, reason: '' });
});

test('an input as new as the bundle (same timestamp tick) keeps it', (t) => {
  const { root, dist } = fakeRepo(t);
  utimesSync(join(root, 'packages/wire/dist/index.js'), bundleTime, bundleTime);
  assert.equal(resolveServerEntry(dist).bundled, true);
});

test('a workspace input newer than the bundle (tsc -b after the bundling) falls back to cli.js', (t) => {
  const { root, dist } = fakeRepo(t);
  utimesSync(join(root, 'packages/wire/dist/index.js'), after, after);
  const entry = resolveServerEntry(dist);
  assert.equal(entry.file, join(dist, serverEntryFiles.modules));
  assert.equal(entry.bundled, false);
  assert.match(entry.reason, /older than packages\/wire\/dist\/index\.js/);
});

test('a deleted input falls back', (t) => {
  const { root, dist } = fakeRepo(t);
  unlinkSync(join(root, 'apps/server/dist/cli.js'));
  assert.match(resolveServerEntry(dist).reason, /apps\/server\/dist\/cli\.js is gone/);
});

test('a new install (node_modules/.package-lock.json) falls back; installed files are not checked', (t) => {
  const { root, dist } = fakeRepo(t);
  unlinkSync(join(root, 'node_modules/@grpc/grpc-js/build/src/index.js'));
  assert.equal(resolveServerEntry(dist).bundled, true);
  utimesSync(join(root, 'node_modules/.package-lock.json'), after, after);
  assert.match(resolveServerEntry(dist).reason, /older than node_modules\/\.package-lock\.json/);
});

test('no bundle, or no readable manifest, falls back', (t) => {
  const { dist } = fakeRepo(t);
  writeFileSync(join(dist, serverEntryFiles.bundleInputs), '{"inputs": 3}');
  assert.match(resolveServerEntry(dist).reason, /malformed/);
  writeFileSync(join(dist, serverEntryFiles.bundleInputs), '{');
  assert.match(resolveServerEntry(dist).reason, /unreadable/);
  unlinkSync(join(dist, serverEntryFiles.bundleInputs));
  assert.match(resolveServerEntry(dist).reason, /unreadable/);
  unlinkSync(join(dist, serverEntryFiles.bundle));
  assert.match(resolveServerEntry(dist).reason, /no bundle/);
});

test('the bundler writes the manifest this module reads (after `npm run build`)', (t) => {
  const manifestFile = join(serverDistDir, serverEntryFiles.bundleInputs);
  if (!existsSync(manifestFile)) {
    t.skip('not bundled (only `tsc -b` ran)');
    return;
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { inputs: string[] };
  assert.ok(manifest.inputs.includes('apps/server/dist/cli.js'));
  assert.ok(manifest.inputs.includes('apps/server/dist/server-entry.js'));
  assert.ok(manifest.inputs.includes('node_modules/.package-lock.json'));
  // classic-level's JavaScript is inside (its binary is found from its own directory);
  // @node-rs/crc32 requires a per-platform package and stays outside.
  assert.ok(manifest.inputs.includes('node_modules/classic-level/binding.js'));
  assert.ok(!manifest.inputs.some((input) => input.includes('@node-rs')));
});

#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) under one `node --test`
// so CI gets a single TAP summary (# tests / # pass / # fail). Node 20's
// --test takes no globs, and a directory argument silently finds nothing
// under some loaders, so the files are listed explicitly.
//   --dir D   only tests below D (used by each package's own `test` script)
//   --unit    skip tools/interop (real clients and servers)
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const dirIndex = args.indexOf('--dir');
const only = dirIndex >= 0 ? resolve(args[dirIndex + 1]) : null;
const unit = args.includes('--unit');

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js') && hasSource(path)) out.push(path);
  }
}

/** A compiled test whose .ts was deleted (a stale dist after a pull) is not run. */
function hasSource(compiled) {
  const pkgDir = compiled.slice(0, compiled.lastIndexOf(`${sep}dist${sep}`));
  const rel = compiled.slice(pkgDir.length + `${sep}dist${sep}`.length).replace(/\.js$/, '.ts');
  return existsSync(join(pkgDir, 'src', rel));
}

const files = [];
for (const group of ['packages', 'apps', 'tools']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const pkg of readdirSync(groupDir)) {
    const dist = join(groupDir, pkg, 'dist');
    if (!existsSync(dist)) continue;
    if (unit && group === 'tools') continue;
    if (only && !join(groupDir, pkg).startsWith(only)) continue;
    walk(dist, files);
  }
}
files.sort();
if (files.length === 0) {
  console.error('no test files found: build first (npm run build)');
  process.exit(1);
}
console.error(`running ${files.length} test files: ${files.map((f) => relative(root, f)).join(' ')}`);
const result = spawnSync(
  process.execPath,
  // --test-force-exit: a file exits once its tests are done. Node 20 can spin forever in its exit
  // cleanup (Environment::CleanupHandles; nodejs/node#47748): seen once in CI, a finished
  // packages/client test file at 80 % CPU for minutes.
  ['--test', '--test-reporter=tap', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, '--test-timeout=900000', '--test-force-exit', ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);

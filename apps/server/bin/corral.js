#!/usr/bin/env node
// The `corral` bin. It is committed, not built, because npm links workspace
// bins before the root `prepare` script builds: a bin pointing straight at a
// build output does not exist at link time, so a fresh `npm install` left no
// node_modules/.bin/corral (issue 7, item 12). This shim always exists and
// loads the built server when it runs: the esbuild bundle when it is fresh,
// else dist/cli.js (the rule is in dist/server-entry.js). Launchers outside
// apps/server run this file, so the PID they get is the server's.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const serverEntry = new URL('../dist/server-entry.js', import.meta.url);
if (!existsSync(serverEntry)) {
  process.stderr.write('corral: apps/server/dist is not built; run `npm run build` first\n');
  process.exit(1);
}
const { resolveServerEntry } = await import(serverEntry.href);
const entry = resolveServerEntry();
if (!entry.bundled) process.stderr.write(`corral: running dist/cli.js: ${entry.reason}\n`);
await import(pathToFileURL(entry.file).href);

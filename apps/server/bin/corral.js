#!/usr/bin/env node
// The `corral` bin. It is committed, not built, because npm links workspace
// bins before the root `prepare` script runs `tsc -b`: a bin pointing
// straight at dist/cli.js does not exist at link time, so a fresh
// `npm install` left no node_modules/.bin/corral (issue 7, item 12). This
// shim always exists and loads the built CLI when it runs.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('corral: apps/server/dist/cli.js is not built; run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);

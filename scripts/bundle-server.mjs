#!/usr/bin/env node
// Bundles the built server CLI (apps/server/dist/cli.js, from `tsc -b`) into
// one ES module, apps/server/dist/corral.bundle.mjs. Why: a restarting
// ensemble member must serve again fast, and loading a few hundred separate
// modules (our packages, @grpc/grpc-js, protobufjs, ...) was most of the
// start-up before serving: spawn → `ensemble member started` took ≈ 290 ms
// (365 ms CPU) from dist/cli.js and takes ≈ 170 ms (190 ms CPU) from the
// bundle (2-core VM; tools/bench/startup-bench.mjs).
//
// The bundle sits in apps/server/dist/ itself, not a subfolder: modules in it
// resolve `../../../proto` from import.meta.url and must land on the repo's
// proto/. It is written with a manifest (the bundle's input files) that
// apps/server/src/server-entry.ts uses to refuse a bundle older than its
// inputs (after a bare `tsc -b`), falling back to dist/cli.js.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const distDir = join(repoRoot, 'apps', 'server', 'dist');
// The file names come from the module that reads them (built by `tsc -b`, which runs first).
const { serverEntryFiles } = await import(new URL('../apps/server/dist/server-entry.js', import.meta.url).href);
const bundleFile = join(distDir, serverEntryFiles.bundle);
const manifestFile = join(distDir, serverEntryFiles.bundleInputs);

// @node-rs/crc32 picks its binary by requiring a per-platform package name: it stays outside.
// classic-level is bundled (its ~30 CommonJS modules cost ~15 ms of a member's start-up when
// loaded one by one): it finds its binary through node-gyp-build(__dirname), and __dirname is
// its real directory (below). Any new native dependency must be added here or handled so.
const nativeExternals = ['@node-rs/crc32'];

// CommonJS dependencies read files beside themselves through __dirname (@grpc/reflection its
// reflection.proto, grpc-js channelz.proto, classic-level its prebuilt binary), which an ES
// module does not have: each such module gets its own original directory, found from the
// bundle's place (apps/server/dist → repo root).
const dirnamePlugin = {
  name: 'corral-dirname',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
      const dir = relative(repoRoot, dirname(args.path)).split('\\').join('/');
      const file = relative(repoRoot, args.path).split('\\').join('/');
      const prelude = `var __dirname = __corralRepoPath(${JSON.stringify(dir)}), __filename = __corralRepoPath(${JSON.stringify(file)});`;
      return { contents: `${prelude}\n${text}`, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const banner = [
  "import { createRequire as __corralCreateRequire } from 'node:module';",
  "import { fileURLToPath as __corralFileURLToPath } from 'node:url';",
  'const require = __corralCreateRequire(import.meta.url);',
  "const __corralRepoPath = (path) => __corralFileURLToPath(new URL(`../../../${path}`, import.meta.url));",
].join(' ');

const result = await build({
  absWorkingDir: repoRoot,
  entryPoints: [join(distDir, 'cli.js')],
  outfile: bundleFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: nativeExternals,
  // CommonJS dependencies (grpc-js, protobufjs) call require(); an ES module has none.
  banner: { js: banner },
  plugins: [dirnamePlugin],
  // A linked map (free unless node runs with --enable-source-maps): esbuild chains the
  // dist/*.js.map files, so the map points at the TypeScript sources.
  sourcemap: 'linked',
  metafile: true,
  write: false,
  logLevel: 'warning',
  legalComments: 'none',
});

// Inputs relative to the repo root; the reader checks each one's mtime against the bundle's.
// node_modules/.package-lock.json: npm rewrites it on every install (installed files keep the
// tarball's fixed mtime, so a changed dependency is seen through it).
const inputs = [...Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('<')), 'node_modules/.package-lock.json'];

// Each file goes in by rename, the bundle last: its mtime is then newer than the manifest's
// inputs, and a crash midway leaves an old bundle, never a new one with an old manifest.
function writeAtomically(file, contents) {
  writeFileSync(`${file}.tmp`, contents);
  renameSync(`${file}.tmp`, file);
}
const bundleOutput = result.outputFiles.find((output) => output.path === bundleFile);
const mapOutput = result.outputFiles.find((output) => output.path === `${bundleFile}.map`);
if (bundleOutput === undefined || mapOutput === undefined || result.outputFiles.length !== 2) {
  throw new Error(`esbuild wrote ${result.outputFiles.map((output) => basename(output.path)).join(', ')}, expected the bundle and its map`);
}
writeAtomically(mapOutput.path, mapOutput.contents);
writeAtomically(manifestFile, `${JSON.stringify({ inputs })}\n`);
writeAtomically(bundleFile, bundleOutput.contents);
const bytes = bundleOutput.contents.byteLength;
process.stderr.write(`bundled apps/server/dist/cli.js: ${inputs.length} inputs, ${(bytes / 1e6).toFixed(2)} MB\n`);

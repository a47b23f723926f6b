/**
 * Which file a new server process runs: the esbuild bundle
 * (dist/corral.bundle.mjs, from scripts/bundle-server.mjs) or the separate
 * modules of `tsc -b` (dist/cli.js). A member starts ≈ 40 % sooner from the
 * bundle, which a restarting ensemble member needs; but a developer who
 * only ran `tsc -b` has a bundle of old code, and that must never run
 * silently. So the bundle is used only when none of its workspace inputs
 * (listed by the bundler) is newer than it or missing; else dist/cli.js.
 *
 * The one place this rule lives: the `corral` bin shim (bin/corral.js) and
 * every launcher call resolveServerEntry, directly or by running the shim.
 * A module at the top of dist/ on purpose: import.meta.url is the same
 * directory whether this file runs on its own or inside the bundle.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/server/dist (this module's directory, bundled or not). */
export const serverDistDir: string = fileURLToPath(new URL('.', import.meta.url));

/** File names in dist/, shared with scripts/bundle-server.mjs. */
export const serverEntryFiles = {
  bundle: 'corral.bundle.mjs',
  /** JSON `{ inputs: string[] }`, paths relative to the repository root. */
  bundleInputs: 'corral.bundle.inputs.json',
  modules: 'cli.js',
} as const;

/** The most inputs a manifest may list (the server bundle has about 320). */
export const bundleInputsMax = 5_000;

/** The file to run, and why. */
export interface ServerEntry {
  readonly file: string;
  readonly bundled: boolean;
  /** Why dist/cli.js was chosen; '' for the bundle. */
  readonly reason: string;
}

/**
 * Installed packages are not checked one by one: npm gives their files the
 * tarball's fixed mtime. An install rewrites node_modules/.package-lock.json,
 * which the bundler lists as an input instead.
 */
function isWorkspaceInput(input: string): boolean {
  return !input.startsWith('node_modules/') || input === 'node_modules/.package-lock.json';
}

function mtimeMs(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

function readInputs(manifestFile: string): readonly string[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    return `bundle inputs unreadable (${(error as Error).message})`;
  }
  const inputs = (parsed as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((input) => typeof input === 'string')) return 'bundle inputs malformed';
  if (inputs.length > bundleInputsMax) return `bundle lists ${inputs.length} inputs (limit ${bundleInputsMax})`;
  return inputs;
}

/** The bundle when it is fresh, else dist/cli.js (with the reason). `distDir` is for tests. */
export function resolveServerEntry(distDir: string = serverDistDir): ServerEntry {
  const modules = (reason: string): ServerEntry => ({ file: join(distDir, serverEntryFiles.modules), bundled: false, reason });
  const bundle = join(distDir, serverEntryFiles.bundle);
  const bundleMtime = mtimeMs(bundle);
  if (bundleMtime === undefined) return modules('no bundle (run `npm run build`)');
  const inputs = readInputs(join(distDir, serverEntryFiles.bundleInputs));
  if (typeof inputs === 'string') return modules(inputs);
  // The manifest's paths are relative to the repository root: dist → server → apps → root.
  const repoRoot = resolve(distDir, '..', '..', '..');
  for (const input of inputs) {
    if (!isWorkspaceInput(input)) continue;
    const file = isAbsolute(input) ? input : join(repoRoot, input);
    const inputMtime = mtimeMs(file);
    if (inputMtime === undefined) return modules(`bundle input ${input} is gone`);
    if (inputMtime > bundleMtime) return modules(`bundle is older than ${input} (run \`npm run build\`)`);
  }
  return { file: bundle, bundled: true, reason: '' };
}

/**
 * Where the harness finds its own files and the client programs. Paths are resolved
 * from this module's location (dist/ → package root), never from the cwd, so
 * `node --test` works from any directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tools/interop (the package root). */
export const packageRoot: string = dirname(dirname(fileURLToPath(import.meta.url)));
/** The repository root (two levels above the package). */
export const repoRoot: string = dirname(dirname(packageRoot));
/** Scripts and programs the tests run (py, java). */
export const testdataDir: string = join(packageRoot, 'testdata');
/**
 * The Corral server entry point: the `corral` bin shim, which runs the esbuild bundle when it is
 * fresh, else apps/server/dist/cli.js (apps/server/src/server-entry.ts), in its own process.
 */
export const corralCli: string = join(repoRoot, 'apps', 'server', 'bin', 'corral.js');
/** What the shim needs built (it says so and exits 1 without it). */
export const corralBuilt: string = join(repoRoot, 'apps', 'server', 'dist', 'server-entry.js');

/** Debian's Python, which has kazoo (the first python3 on PATH does not). */
export const pythonBin = '/usr/bin/python3';
export const zkCliBin = '/usr/share/zookeeper/bin/zkCli.sh';
export const cliMtBin = '/usr/lib/zookeeper/bin/cli_mt';
export const javaBin = 'java';
export const javacBin = 'javac';

const javaDir = '/usr/share/java';
/** zookeeper.jar's manifest Class-Path pulls in jute, netty, slf4j-api and the rest. */
export const zookeeperClasspath: readonly string[] = [
  join(javaDir, 'zookeeper.jar'),
  join(javaDir, 'zookeeper-jute.jar'),
];
/** Server logging goes through slf4j-simple; clients use slf4j-nop to keep stdout parseable. */
export const slf4jSimpleJar: string = join(javaDir, 'slf4j-simple.jar');
export const slf4jNopJar: string = join(javaDir, 'slf4j-nop.jar');
/** Curator's manifests pull in curator-client, guava, jackson, zookeeper. */
export const curatorClasspath: readonly string[] = [
  join(javaDir, 'curator-recipes.jar'),
  join(javaDir, 'curator-framework.jar'),
  join(javaDir, 'curator-client.jar'),
  join(javaDir, 'guava.jar'),
  ...zookeeperClasspath,
];

/** A file under testdata/. */
export function testdataFile(name: string): string {
  return join(testdataDir, name);
}

/** Why a client test must be skipped, or false when every file it needs exists. */
export function missingReason(files: readonly string[]): string | false {
  const missing = files.filter((file) => !existsSync(file));
  return missing.length === 0 ? false : `client not installed: ${missing.join(', ')}`;
}

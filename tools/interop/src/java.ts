/**
 * Compiles a testdata/*.java program at test time (javac into a temp dir) and runs it with
 * the Debian ZooKeeper/Curator jars. Compiling at run time keeps the sources readable in
 * testdata and always builds against the installed client jars.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { javaBin, javacBin, slf4jNopJar, testdataFile } from './paths.js';
import { describeRun, runClient } from './run-client.js';
import type { ClientResult } from './run-client.js';

/** A compiled program; dispose() removes its class dir. */
export interface JavaProgram {
  readonly classDir: string;
  run(args: readonly string[], timeoutMs: number): Promise<ClientResult>;
  dispose(): void;
}

/** javac testdata/<fileName> against classpath; rejects with javac's output on failure. */
export async function compileJava(fileName: string, classpath: readonly string[]): Promise<JavaProgram> {
  const classDir = mkdtempSync(join(tmpdir(), 'corral-interop-java-'));
  const cp = [...classpath].join(':');
  const compiled = await runClient({
    command: javacBin,
    args: ['-nowarn', '-d', classDir, '-cp', cp, testdataFile(fileName)],
    timeoutMs: 120_000,
  });
  if (compiled.code !== 0) {
    rmSync(classDir, { recursive: true, force: true });
    throw new Error(`javac ${fileName} failed: ${describeRun(compiled)}`);
  }
  const mainClass = fileName.replace(/\.java$/, '');
  return {
    classDir,
    run: (args, timeoutMs) =>
      runClient({
        command: javaBin,
        args: ['-Xmx256m', '-cp', [classDir, cp, slf4jNopJar].join(':'), mainClass, ...args],
        timeoutMs,
      }),
    dispose: () => rmSync(classDir, { recursive: true, force: true }),
  };
}

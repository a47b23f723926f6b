/**
 * Test helper: runs apps/server's CLI as a child process on a random port in
 * 40000-49999 (retried if taken) with a temp data dir, and stops it by PID.
 * A child, not an import: @corral/client may not depend on apps/server. It
 * runs the `corral` bin shim, which picks the bundle or dist/cli.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../../../apps/server/bin/corral.js', import.meta.url));
/** What the shim needs built. */
const serverBuilt = fileURLToPath(new URL('../../../../apps/server/dist/server-entry.js', import.meta.url));

/** A running Corral server owned by one test. */
export interface TestServer {
  readonly port: number;
  readonly pid: number;
  readonly connectString: string;
  /** SIGTERM by PID, wait for the exit, remove the data dir. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a server; `extra` lines are appended to zoo.cfg. */
export async function startCorralServer(extra = ''): Promise<TestServer> {
  if (!existsSync(serverBuilt)) throw new Error(`build apps/server first: ${serverBuilt} is missing`);
  const failures: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const outcome = await launch(port, extra);
    if (typeof outcome !== 'string') return outcome;
    failures.push(outcome);
    if (!outcome.includes('EADDRINUSE')) break;
  }
  throw new Error(`corral did not start:\n${failures.join('\n')}`);
}

async function launch(port: number, extra: string): Promise<TestServer | string> {
  const dir = mkdtempSync(join(tmpdir(), 'corral-client-test-'));
  const config = join(dir, 'zoo.cfg');
  writeFileSync(
    config,
    `tickTime=200\ndataDir=${join(dir, 'data')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nextendedTypesEnabled=true\n4lw.commands.whitelist=*\n${extra}\n`,
  );
  const child = spawn(process.execPath, [cli, 'server', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = await new Promise<boolean>((resolve) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/serving on/.test(output)) resolve(true);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', () => resolve(false));
  });
  // Keep draining so a chatty server never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  if (!ready) {
    rmSync(dir, { recursive: true, force: true });
    return output;
  }
  return {
    port,
    pid: child.pid!,
    connectString: `127.0.0.1:${port}`,
    stop: once(() => stopChild(child, dir)),
  };
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid!, 'SIGTERM');
    await exited;
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
  rmSync(dir, { recursive: true, force: true });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let promise: Promise<void> | null = null;
  return () => (promise ??= fn());
}

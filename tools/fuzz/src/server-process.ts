/**
 * The server under test: a real `node apps/server/bin/corral.js server`
 * child process on a random port in 40000-49999 (retried if the bind loses
 * a race) with a fresh temporary data dir, stopped by PID. The fuzz talks
 * to it only over TCP, and reads its RSS from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The `corral` bin shim (runs the bundle when fresh, else dist/cli.js), found from this module (tools/fuzz/dist). */
export const corralCli: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'apps', 'server', 'bin', 'corral.js');

const startMsMax = 30_000;
const stopMsMax = 10_000;
const portAttemptsMax = 8;
const logTailBytes = 4000;

/** Servers still running (PID → data dir), killed and removed if the fuzz process exits first: it must leave nothing behind. */
const livePids = new Map<number, string>();
let exitHookInstalled = false;

function killLiveServers(): void {
  for (const [pid, workDir] of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(workDir, { recursive: true, force: true });
  }
  livePids.clear();
}

/** A running server owned by the fuzz. */
export class ServerProcess {
  private output = '';
  private exitDescription: string | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, readonly port: number, readonly workDir: string) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-logTailBytes);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const pid = child.pid;
    if (pid !== undefined) livePids.set(pid, workDir);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', killLiveServers);
    }
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      if (pid !== undefined) livePids.delete(pid);
      this.exitDescription = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }));
  }

  /** Starts a server; extra zoo.cfg lines may be given. */
  static async start(extraConfig: readonly string[] = []): Promise<ServerProcess> {
    const failures: string[] = [];
    for (let attempt = 0; attempt < portAttemptsMax; attempt++) {
      const port = randomInt(40_000, 50_000);
      const workDir = mkdtempSync(join(tmpdir(), 'corral-fuzz-'));
      const config = [`clientPort=${port}`, 'clientPortAddress=127.0.0.1', `dataDir=${join(workDir, 'data')}`,
        '4lw.commands.whitelist=*', 'extendedTypesEnabled=true', ...extraConfig];
      writeFileSync(join(workDir, 'zoo.cfg'), `${config.join('\n')}\n`);
      const child = spawn(process.execPath, [corralCli, 'server', '--config', join(workDir, 'zoo.cfg')], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
      const server = new ServerProcess(child, port, workDir);
      if (await server.ready()) return server;
      failures.push(server.logTail());
      await server.stop();
      if (!/EADDRINUSE/.test(server.logTail())) break;
    }
    throw new Error(`the server did not start:\n${failures.join('\n---\n')}`);
  }

  private async ready(): Promise<boolean> {
    const deadline = Date.now() + startMsMax;
    while (Date.now() < deadline && this.exitDescription === null) {
      if (this.output.includes('corral serving on')) return true;
      await Promise.race([this.exited, delay(50)]);
    }
    return false;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Null while running; how it ended otherwise. */
  get exit(): string | null {
    return this.exitDescription;
  }

  /** The last lines the server wrote. */
  logTail(): string {
    return this.output;
  }

  /** Resident set size in bytes from /proc/<pid>/status, or null once it is gone. */
  rssBytes(): number | null {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match?.[1] === undefined ? null : Number(match[1]) * 1024;
    } catch {
      return null;
    }
  }

  /** SIGTERM by PID (SIGKILL if it does not stop in time), then removes the data dir. */
  async stop(): Promise<void> {
    if (this.exitDescription === null && this.child.pid !== undefined) {
      process.kill(this.child.pid, 'SIGTERM');
      const timedOut = await Promise.race([this.exited.then(() => false), delay(stopMsMax).then(() => true)]);
      if (timedOut && this.exitDescription === null) {
        process.kill(this.child.pid, 'SIGKILL');
        await this.exited;
      }
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

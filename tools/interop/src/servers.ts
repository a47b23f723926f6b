/**
 * Start and stop real servers for the interop suites: Corral (apps/server/dist/cli.js)
 * and Apache ZooKeeper 3.8 (QuorumPeerMain, standalone). Each server gets a random port in
 * 40000-49999 (retried if the bind loses a race), a fresh data dir under os.tmpdir() that
 * `stop()` removes, and is killed by PID. Readiness = the client port answers `ruok` with
 * `imok` while the process is still alive.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { registerChild, signalChild } from './child-registry.js';
import { fourLetterWord } from './four-letter.js';
import { interopLimits } from './limits.js';
import { corralBuilt, corralCli, javaBin, slf4jSimpleJar, zookeeperClasspath } from './paths.js';
import { pickFreePort } from './ports.js';
import { apacheSystemProperties, resolveServerOptions, zooCfgText } from './zoo-cfg.js';
import type { ResolvedServerOptions, ServerOptions } from './zoo-cfg.js';

/** Which implementation a server is. */
export type ServerKind = 'corral' | 'apache';

/** A running server owned by the test that started it. */
export interface RunningServer {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  /** `127.0.0.1:port`, what every client takes. */
  readonly connectString: string;
  /** The gRPC client API's port when started with `grpc: true`, else null. */
  readonly grpcPort: number | null;
  /** SIGTERM, wait (then SIGKILL), remove the data dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL now (crash simulation); the data dir stays until stop(). */
  kill9(): void;
  /** The last lines the server wrote (stdout+stderr), for failure messages. */
  logTail(): string;
  /** True once the process has exited (crashed, killed or stopped). */
  hasExited(): boolean;
}

interface LaunchPlan {
  command: string;
  args: string[];
  /** Resolves when the process says it is ready (before the 4lw probe), or immediately. */
  readyLine: RegExp | null;
}

const hostLoopback = '127.0.0.1';

/** Starts the Corral server through the `corral` bin shim (the bundle when fresh). */
export function startCorral(options: ServerOptions = {}): Promise<RunningServer> {
  if (!existsSync(corralBuilt)) {
    return Promise.reject(new Error(`Corral server not built: ${corralBuilt} is missing`));
  }
  return startServer('corral', options, (configPath) => ({
    command: process.execPath,
    args: [corralCli, 'server', '--config', configPath],
    readyLine: /serving/,
  }));
}

/** Starts Apache ZooKeeper 3.8 standalone (QuorumPeerMain) with a 256 MiB heap. */
export function startApache(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer('apache', options, (configPath, resolved) => ({
    command: javaBin,
    args: [
      '-Xmx256m',
      ...apacheSystemProperties(resolved),
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      [...zookeeperClasspath, slf4jSimpleJar].join(':'),
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      configPath,
    ],
    readyLine: null,
  }));
}

/**
 * The kind the suites call "Corral": `CORRAL_INTEROP_TARGET=apache` makes it Apache, so
 * the harness and every expectation can be proven against Apache on both sides first.
 */
export function targetKind(): ServerKind {
  const target = process.env['CORRAL_INTEROP_TARGET'] ?? 'corral';
  if (target !== 'corral' && target !== 'apache') {
    throw new Error(`CORRAL_INTEROP_TARGET must be corral or apache, not ${target}`);
  }
  return target;
}

/** Starts the server under test (see targetKind). */
export function startTarget(options: ServerOptions = {}): Promise<RunningServer> {
  return targetKind() === 'apache' ? startApache(options) : startCorral(options);
}

async function startServer(
  kind: ServerKind,
  options: ServerOptions,
  plan: (configPath: string, resolved: ResolvedServerOptions) => LaunchPlan,
): Promise<RunningServer> {
  const resolved = resolveServerOptions(options);
  const failures: string[] = [];
  for (let attempt = 0; attempt < interopLimits.portAttemptsMax; attempt++) {
    const port = await pickFreePort();
    const grpcPort = resolved.grpc ? await pickFreePort() : null;
    const outcome = grpcPort === port ? 'EADDRINUSE: both ports drew the same number' : await launchOnce(kind, resolved, port, grpcPort, plan);
    if (typeof outcome !== 'string') return outcome;
    failures.push(outcome);
    // Only a lost port race is worth another port; anything else is a real failure.
    // grpc-js reports a failed bind as "No address added".
    if (!/EADDRINUSE|Address already in use|BindException|No address added/i.test(outcome)) break;
  }
  throw new Error(`${kind} server did not start:\n${failures.join('\n---\n')}`);
}

async function launchOnce(
  kind: ServerKind,
  resolved: ResolvedServerOptions,
  port: number,
  grpcPort: number | null,
  plan: (configPath: string, resolved: ResolvedServerOptions) => LaunchPlan,
): Promise<RunningServer | string> {
  const workDir = mkdtempSync(join(tmpdir(), `corral-interop-${kind}-`));
  const dataDir = join(workDir, 'data');
  const configPath = join(workDir, 'zoo.cfg');
  const logPath = join(workDir, 'server.log');
  writeFileSync(configPath, zooCfgText(resolved, dataDir, port, grpcPort));
  const launch = plan(configPath, resolved);
  const logFd = openSync(logPath, 'a');
  const child = spawn(launch.command, launch.args, {
    cwd: workDir,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, ZOO_LOG_DIR: workDir },
  });
  closeSync(logFd);
  registerChild(child);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid;
  const logTail = (): string => {
    try {
      const text = readFileSync(logPath, 'utf8');
      return text.slice(-interopLimits.logTailBytes);
    } catch {
      return '';
    }
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!exited && pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signalChild(pid, 'SIGTERM');
      const timedOut = await Promise.race([
        gone.then(() => false),
        delay(interopLimits.serverStopTimeoutMs).then(() => true),
      ]);
      if (timedOut) {
        signalChild(pid, 'SIGKILL');
        await gone;
      }
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  if (pid === undefined) {
    await stop();
    return `spawn ${launch.command} failed`;
  }
  const server: RunningServer = {
    kind,
    host: hostLoopback,
    port,
    pid,
    dataDir,
    connectString: `${hostLoopback}:${port}`,
    grpcPort,
    stop,
    kill9: () => signalChild(pid, 'SIGKILL'),
    logTail,
    hasExited: () => exited,
  };
  const deadline = Date.now() + interopLimits.serverStartTimeoutMs;
  let lineSeen = launch.readyLine === null;
  while (Date.now() < deadline) {
    if (exited) {
      const tail = logTail();
      await stop();
      return `${kind} exited before serving on port ${port}:\n${tail}`;
    }
    // Sticky: later log lines may push the ready line out of the tail.
    lineSeen ||= launch.readyLine?.test(logTail()) ?? true;
    if (lineSeen && (await answersImok(port))) return server;
    await delay(interopLimits.readinessPollMs);
  }
  const tail = logTail();
  await stop();
  return `${kind} did not answer ruok within ${interopLimits.serverStartTimeoutMs} ms on port ${port}:\n${tail}`;
}

async function answersImok(port: number): Promise<boolean> {
  try {
    return (await fourLetterWord(hostLoopback, port, 'ruok')) === 'imok';
  } catch {
    return false;
  }
}

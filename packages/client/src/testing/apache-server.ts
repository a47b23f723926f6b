/**
 * Test helper: Apache ZooKeeper 3.8 standalone (Debian's zookeeper package)
 * as a child process on a random port in 40000-49999, for interop smoke
 * tests. `apacheMissing()` says why it cannot run, so tests skip with a reason.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const classpath = ['/usr/share/java/zookeeper.jar', '/usr/share/java/zookeeper-jute.jar', '/usr/share/java/slf4j-simple.jar'];

/** Why Apache ZooKeeper cannot be started here, or null. */
export function apacheMissing(): string | null {
  const missing = classpath.filter((file) => !existsSync(file));
  return missing.length === 0 ? null : `Apache ZooKeeper 3.8 not installed (${missing.join(', ')}; apt-get install zookeeper)`;
}

/** A running Apache server. */
export interface ApacheServer {
  readonly port: number;
  /** The JVM's process id (benchmarks pin it to a CPU and read its CPU time). */
  readonly pid: number;
  readonly connectString: string;
  stop(): Promise<void>;
}

/**
 * Starts the server. It is ready when a client connects (the caller connects
 * with a deadline); a port taken by someone else shows as the process
 * exiting, and the caller may start again.
 */
export function startApache(): ApacheServer {
  const dir = mkdtempSync(join(tmpdir(), 'corral-client-apache-'));
  const port = 40000 + Math.floor(Math.random() * 10000);
  const config = join(dir, 'zoo.cfg');
  writeFileSync(config, `tickTime=200\ndataDir=${join(dir, 'data')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=*\n`);
  const child = spawn(
    'java',
    ['-Xmx256m', '-Dzookeeper.extendedTypesEnabled=true', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classpath.join(':'), 'org.apache.zookeeper.server.quorum.QuorumPeerMain', config],
    { stdio: 'ignore' },
  );
  let stopped: Promise<void> | null = null;
  return {
    port,
    pid: child.pid ?? -1,
    connectString: `127.0.0.1:${port}`,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          process.kill(child.pid!, 'SIGKILL');
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

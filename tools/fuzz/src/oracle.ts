/**
 * The three oracles: the server process is alive and answers a real read
 * within a deadline; the canary subtree is unchanged; RSS stays below a
 * bound. check() runs every second during a campaign; finalCheck() reads
 * the whole canary (data, versions, ACLs, children) at the end.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { authenticateOwner, barrier, compareCanary, createCanary, quickCheck, readCanary, type CanaryView } from './canary.js';
import { OracleClient } from './client.js';
import type { ServerProcess } from './server-process.js';

/** How long a closed oracle connection waits to see whether the process exited. */
const exitNoticeMs = 500;

/** Oracle limits. */
export interface OracleOptions {
  /** Largest RSS the server may reach. */
  readonly rssMaxBytes: number;
  /** How long the server may take to answer one oracle request (the machine is shared and loaded). */
  readonly replyDeadlineMs: number;
}

/** Watches one server. */
export class Oracle {
  private client: OracleClient | null;
  /** Highest RSS seen. */
  rssPeakBytes = 0;

  private constructor(private readonly server: ServerProcess, private readonly options: OracleOptions, client: OracleClient, private readonly canary: CanaryView) {
    this.client = client;
  }

  /** Creates the canary on a fresh server and starts watching it. */
  static async attach(server: ServerProcess, options: OracleOptions): Promise<Oracle> {
    const client = await OracleClient.open(server.port, options.replyDeadlineMs);
    await authenticateOwner(client);
    const canary = await createCanary(client);
    return new Oracle(server, options, client, canary);
  }

  /**
   * Every problem seen now; empty when all is well. With `afterBarrier`,
   * every request sent before the call has been applied when the canary is
   * read, so a replay can tell which case did the damage.
   */
  async check(afterBarrier = false): Promise<string[]> {
    const exit = this.server.exit;
    if (exit !== null) return [`server ${exit}`];
    const problems: string[] = [];
    const rss = this.server.rssBytes();
    if (rss !== null) {
      this.rssPeakBytes = Math.max(this.rssPeakBytes, rss);
      if (rss > this.options.rssMaxBytes) problems.push(`server RSS ${mib(rss)} MiB above the bound of ${mib(this.options.rssMaxBytes)} MiB`);
    }
    try {
      const client = await this.connected();
      if (afterBarrier) await barrier(client);
      problems.push(...(await quickCheck(client, this.canary)));
    } catch (error) {
      // A server that dies closes the oracle's connection a moment before its exit is seen.
      if (this.server.exit === null) await delay(exitNoticeMs);
      const exitNow = this.server.exit;
      problems.push(exitNow !== null ? `server ${exitNow}` : `liveness: ${error instanceof Error ? error.message : String(error)}`);
    }
    return problems;
  }

  /** Everything check() looks at, plus the full canary through a fresh session. */
  async finalCheck(): Promise<string[]> {
    const problems = await this.check(true);
    if (this.server.exit !== null) return problems;
    try {
      const client = await OracleClient.open(this.server.port, this.options.replyDeadlineMs);
      try {
        await authenticateOwner(client);
        problems.push(...compareCanary(this.canary, await readCanary(client)));
      } finally {
        client.close();
      }
    } catch (error) {
      problems.push(`final canary read: ${error instanceof Error ? error.message : String(error)}`);
    }
    return problems;
  }

  close(): void {
    this.client?.close();
    this.client = null;
  }

  /** The oracle's session, reopened (and re-authenticated) if the server closed it. */
  private async connected(): Promise<OracleClient> {
    if (this.client !== null && !this.client.closed) return this.client;
    this.client?.close();
    this.client = null;
    const client = await OracleClient.open(this.server.port, this.options.replyDeadlineMs);
    await authenticateOwner(client);
    this.client = client;
    return client;
  }
}

/** Bytes as MiB, rounded. */
export function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

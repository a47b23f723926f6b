/**
 * Clients writing while the ensemble is hurt: each writer creates
 * `root/w<i>-<n>` one at a time (n counting up, never reused), and records
 * which creates were acknowledged and when. A create that failed with
 * CONNECTIONLOSS may or may not have happened; acknowledged ones must survive
 * every failure the tests inject.
 */
import { ZkClient, ZkCode, isZkError } from '@corral/client';

/** One acknowledged create. */
export interface AckedWrite {
  readonly path: string;
  /** Date.now() when the create was sent and when its answer arrived. */
  readonly invokedAtMs: number;
  readonly ackedAtMs: number;
}

/** Options of WriteLoad.start. */
export interface WriteLoadOptions {
  /** One connect string per writer (rotate the member list to spread writers over servers). */
  readonly connectStrings: readonly string[];
  readonly root: string;
  readonly sessionTimeoutMs?: number;
  /** The servers' side for the message of a wait that timed out (e.g. TestEnsemble.describe: each member's last log lines). */
  readonly describeServers?: () => string;
}

/** `host1,host2,host3` rotated so that it starts at `index` (ZkClient tries servers in order). */
export function rotatedConnectString(connectString: string, index: number): string {
  const hosts = connectString.split(',');
  const start = index % hosts.length;
  return [...hosts.slice(start), ...hosts.slice(0, start)].join(',');
}

/** Codes a write may end with while servers fail; anything else is a test failure. */
const failoverCodes: readonly ZkCode[] = [ZkCode.CONNECTIONLOSS, ZkCode.SESSIONMOVED, ZkCode.OPERATIONTIMEOUT];

/** What one writer is doing, for the message of a wait that timed out. */
interface WriterProgress {
  /** The create in flight and when it was sent, or null between creates. */
  inFlight: { readonly path: string; readonly sentAtMs: number } | null;
  ackedCount: number;
  failedCount: number;
  lastFailure: string | null;
}

/** A running write load. */
export class WriteLoad {
  readonly acked: AckedWrite[] = [];
  private readonly progress: WriterProgress[];
  /** Creates whose outcome is unknown (connection lost before the answer). */
  readonly uncertain: string[] = [];
  private readonly unexpected: unknown[] = [];
  private stopping = false;
  private readonly loops: Promise<void>[];

  private constructor(
    private readonly clients: readonly ZkClient[],
    private readonly root: string,
    private readonly describeServers: () => string,
  ) {
    this.progress = clients.map(() => ({ inFlight: null, ackedCount: 0, failedCount: 0, lastFailure: null }));
    this.loops = clients.map((client, index) => this.loop(client, index));
  }

  /** Connects every writer, creates `root`, and starts writing. */
  static async start(options: WriteLoadOptions): Promise<WriteLoad> {
    const clients = await Promise.all(
      options.connectStrings.map((connectString) => ZkClient.connect(connectString, { sessionTimeoutMs: options.sessionTimeoutMs ?? 8_000 })),
    );
    const first = clients[0];
    if (first === undefined) throw new Error('no writers');
    try {
      await first.create(options.root, 'root');
    } catch (error) {
      if (!isZkError(error, ZkCode.NODEEXISTS)) throw error;
    }
    return new WriteLoad(clients, options.root, options.describeServers ?? (() => ''));
  }

  private async loop(client: ZkClient, writer: number): Promise<void> {
    const progress = this.progress[writer] as WriterProgress;
    for (let sequence = 0; !this.stopping; sequence++) {
      const path = `${this.root}/w${writer}-${sequence}`;
      const invokedAtMs = Date.now();
      progress.inFlight = { path, sentAtMs: invokedAtMs };
      try {
        await client.create(path, path);
        this.acked.push({ path, invokedAtMs, ackedAtMs: Date.now() });
        progress.ackedCount += 1;
      } catch (error) {
        progress.failedCount += 1;
        progress.lastFailure = `${error instanceof Error ? error.message : String(error)} at ${new Date().toISOString()}`;
        if (this.stopping) return;
        if (!isZkError(error, ...failoverCodes)) {
          this.unexpected.push(error);
          return;
        }
        this.uncertain.push(path);
      } finally {
        progress.inFlight = null;
      }
    }
  }

  /** One line per writer: its client's state, the create it waits on and for how long, its counts and last failure. */
  describeWriters(): string {
    const nowMs = Date.now();
    return this.clients.map((client, index) => {
      const progress = this.progress[index] as WriterProgress;
      const waiting = progress.inFlight === null ? 'idle' : `waiting ${nowMs - progress.inFlight.sentAtMs} ms on ${progress.inFlight.path}`;
      return `writer ${index}: ${client.state}, ${waiting}, ${progress.ackedCount} acked, ${progress.failedCount} failed (last: ${progress.lastFailure ?? 'none'})`;
    }).join('\n');
  }

  /** Resolves when `count` creates sent after `sinceMs` were acknowledged; returns the first of them. */
  async waitForAcksAfter(sinceMs: number, count: number, timeoutMs: number): Promise<AckedWrite> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const after = this.acked.filter((write) => write.invokedAtMs >= sinceMs);
      const first = after.reduce<AckedWrite | undefined>((best, write) => (best === undefined || write.ackedAtMs < best.ackedAtMs ? write : best), undefined);
      if (after.length >= count && first !== undefined) return first;
      if (this.unexpected.length > 0) throw new Error(`a writer failed: ${String(this.unexpected[0])}`);
      if (Date.now() > deadline) throw new Error(`only ${after.length} of ${count} writes acknowledged within ${timeoutMs} ms\n${this.describeWriters()}\n${this.describeServers()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Stops writing and closes the clients (a create still waiting, e.g. for a dead
   * ensemble, fails and counts as neither); throws if a writer failed unexpectedly.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.clients.map((client) => client.close()));
    await Promise.all(this.loops);
    if (this.unexpected.length > 0) throw new Error(`a writer failed: ${String(this.unexpected[0])}`);
  }
}

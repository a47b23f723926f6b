/**
 * Clients that record a history for tools/lincheck while servers fail: each
 * client loops over a few keys doing `setData` (a value no one else writes)
 * and `sync`+`getData` (recorded as one get invoked when the sync was), one
 * operation at a time. An operation that ends in a connection loss is
 * abandoned: it may take effect later or never.
 */
import { ZkClient, ZkCode, isZkError } from '@corral/client';
import { HistoryRecorder } from '@corral/lincheck';
import type { Operation, ZnodeInput, ZnodeOutput } from '@corral/lincheck';

/** Options of HistoryClients.start. */
export interface HistoryClientsOptions {
  readonly connectStrings: readonly string[];
  /** The znodes operated on (their parent must exist); start() creates them with data `init`. */
  readonly paths: readonly string[];
  readonly sessionTimeoutMs: number;
}

/** Limits of a recorded history (the checker's search grows with it). */
export const historyLimits = {
  operationsPerClientMax: 3_000,
} as const;

/** Codes that leave the outcome unknown. */
const unknownOutcome: readonly ZkCode[] = [ZkCode.CONNECTIONLOSS, ZkCode.OPERATIONTIMEOUT, ZkCode.SESSIONMOVED];

/** Running history clients. */
export class HistoryClients {
  private stopping = false;
  private readonly loops: Promise<void>[];
  private readonly failures: unknown[] = [];

  private constructor(
    private readonly clients: readonly ZkClient[],
    private readonly paths: readonly string[],
    readonly recorder: HistoryRecorder<ZnodeInput, ZnodeOutput>,
  ) {
    this.loops = clients.map((client, index) => this.loop(client, index));
  }

  static async start(options: HistoryClientsOptions): Promise<HistoryClients> {
    const clients = await Promise.all(options.connectStrings.map((connectString) => ZkClient.connect(connectString, { sessionTimeoutMs: options.sessionTimeoutMs })));
    const first = clients[0];
    if (first === undefined) throw new Error('no clients');
    // The creates are part of the history: the model starts with every znode absent.
    const recorder = new HistoryRecorder<ZnodeInput, ZnodeOutput>();
    for (const path of options.paths) {
      const handle = recorder.invoke(0, { kind: 'create', path, data: 'init' });
      await first.create(path, 'init');
      recorder.complete(handle, { code: ZkCode.OK });
    }
    return new HistoryClients(clients, options.paths, recorder);
  }

  private async loop(client: ZkClient, clientId: number): Promise<void> {
    for (let sequence = 0; !this.stopping && sequence < historyLimits.operationsPerClientMax; sequence++) {
      const path = this.paths[sequence % this.paths.length] ?? '/';
      const input: ZnodeInput = sequence % 3 === 0 ? { kind: 'set', path, data: `c${clientId}-${sequence}`, version: -1 } : { kind: 'get', path };
      const handle = this.recorder.invoke(clientId, input);
      try {
        if (input.kind === 'set') {
          const stat = await client.setData(path, input.data);
          this.recorder.complete(handle, { code: ZkCode.OK, version: stat.version });
        } else {
          await client.sync(path);
          const { data, stat } = await client.getData(path);
          this.recorder.complete(handle, { code: ZkCode.OK, data: data === null ? '' : Buffer.from(data).toString('utf8'), version: stat.version });
        }
      } catch (error) {
        if (isZkError(error, ...unknownOutcome) || this.stopping) {
          this.recorder.abandon(handle);
          if (this.stopping) return;
        } else if (isZkError(error)) {
          this.recorder.complete(handle, { code: error.code });
        } else {
          this.recorder.abandon(handle);
          this.failures.push(error);
          return;
        }
      }
    }
  }

  /** Operations completed so far (answered, not abandoned). */
  get answeredCount(): number {
    return this.recorder.operations().filter((operation) => operation.ret !== null).length;
  }

  /** Stops the clients and returns the history; throws if a client failed unexpectedly. */
  async stop(): Promise<Operation<ZnodeInput, ZnodeOutput>[]> {
    this.stopping = true;
    await Promise.all(this.clients.map((client) => client.close()));
    await Promise.all(this.loops);
    if (this.failures.length > 0) throw new Error(`a history client failed: ${String(this.failures[0])}`);
    return this.recorder.operations();
  }
}

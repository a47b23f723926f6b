/**
 * Assembles a standalone Corral server: storage, recovery, the tree and
 * watch index, sessions, the request pipeline, the client port and the
 * periodic work (session expiry, container/TTL cleanup, snapshots). Owns
 * every timer and handle it creates and releases them in close().
 */
import { mkdir } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { WatchManager, decodeTxn, watchSinkFor } from '@corral/data-tree';
import { openStorage } from '@corral/txn-log';
import { isFourLetterWord } from '@corral/wire';
import { standaloneEnsembleReport } from './admin/ensemble-report.js';
import type { ConnectionReport } from './admin/four-letter-word-context.js';
import { runFourLetterWord } from './admin/four-letter-words.js';
import type { ServerConfig } from './config/server-config.js';
import type { Logger } from './logger.js';
import { ClientListener } from './net/client-listener.js';
import { RequestPipeline } from './pipeline/request-pipeline.js';
import { SessionTable } from './session/session-table.js';
import { ServerStats } from './stats/server-stats.js';
import { ContainerManager } from './pipeline/container-manager.js';
import { Snapshotter } from './storage/snapshotter.js';
import { recoverTree } from './storage/recovery.js';
import { GrpcFront } from './front/grpc/grpc-front.js';
import { storageLimits } from './storage/storage-limits.js';
import { Driver } from './driver/driver.js';
import type { ClientCore } from './core/client-core.js';
import type { DataTree } from '@corral/data-tree';

/** The chosen core and what the rest of the server reads from it. */
interface AssembledCore {
  readonly core: ClientCore;
  readonly tree: DataTree;
  readonly watches: WatchManager;
  lastSnapshotBytes(): number;
  /** Stops the core's own periodic work (the pipeline's tick; the Driver's interval) and its snapshots. */
  close(): Promise<void>;
}

export { storageLimits };

/** Limits of the server as a whole. */
export const sessionsMax = 1_000_000;

/** A running standalone server. */
export class CorralServer {
  readonly config: ServerConfig;
  readonly port: number;
  /** The gRPC client API's port, or null when `grpcPort` is unset. */
  readonly grpcPort: number | null;
  private readonly listener: ClientListener;
  private readonly grpc: GrpcFront | null;
  private readonly storage: { close(): Promise<void> };
  private readonly closeCore: () => Promise<void>;
  private readonly timers: NodeJS.Timeout[];
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;

  private constructor(parts: {
    config: ServerConfig; port: number; listener: ClientListener; grpc: GrpcFront | null; storage: { close(): Promise<void> }; closeCore: () => Promise<void>;
    timers: NodeJS.Timeout[]; logger: Logger;
  }) {
    this.config = parts.config;
    this.port = parts.port;
    this.grpcPort = parts.grpc?.port ?? null;
    this.listener = parts.listener;
    this.grpc = parts.grpc;
    this.storage = parts.storage;
    this.closeCore = parts.closeCore;
    this.timers = parts.timers;
    this.logger = parts.logger;
  }

  /** Recovers state from disk and starts serving. */
  static async start(config: ServerConfig, logger: Logger): Promise<CorralServer> {
    const clock = (): number => Date.now();
    await mkdir(config.dataDir, { recursive: true });
    await mkdir(config.dataLogDir, { recursive: true });
    const storage = await openStorage({ dataDir: config.dataDir, dataLogDir: config.dataLogDir, logger, limits: storageLimits(config) });
    try {
      return await CorralServer.assemble(config, logger, storage, clock);
    } catch (error) {
      // Recovery or binding failed: release LevelDB's lock so a retry (or another process) can open the dirs.
      await storage.close();
      throw error;
    }
  }

  /** Recovers from opened storage and starts serving on it. */
  private static async assemble(
    config: ServerConfig, logger: Logger, storage: Awaited<ReturnType<typeof openStorage>>, clock: () => number,
  ): Promise<CorralServer> {
    const { log } = storage;
    const sessions = new SessionTable({ tickTimeMs: config.tickTimeMs, nowMs: clock(), serverId: config.myid ?? 0, sessionsMax });
    const stats = new ServerStats(clock());
    const fatal = (error: unknown): void => {
      // The log could not store a txn: never acknowledge it. Exit; restart recovers from what is durable.
      logger.error({ error }, 'storage failure: refusing to continue');
      process.exit(2);
    };
    let grpc: GrpcFront | null = null;
    const core = config.core === 'replica'
      ? await CorralServer.replicaCore(config, logger, storage, sessions, stats, fatal, () => grpc?.onApplied())
      : await CorralServer.pipelineCore(config, logger, storage, sessions, stats, fatal, clock, () => grpc?.onApplied());
    const { tree, watches } = core;
    const activePipeline = core.core;

    const standaloneReport = standaloneEnsembleReport(config);
    const listener: ClientListener = new ClientListener({
      maxClientCnxns: config.maxClientCnxns,
      logger,
      host: {
        pipeline: activePipeline,
        maxFrameBytes: config.juteMaxBuffer,
        globalOutstandingLimit: config.globalOutstandingLimit,
        clock,
        isFourLetterWord,
        runFourLetterWord: (word) => runFourLetterWord(word, {
          config, tree, watches, sessions, stats, clock,
          ensemble: () => standaloneReport,
          connections: () => [...listener.connections].map((c): ConnectionReport => ({
            remoteAddress: c.remoteAddress, remotePort: c.remotePort, interestOps: c.interestOps, queued: c.backlog.requestCount,
            stats: c.stats, session: c.session === null ? null : { id: c.session.id, timeoutMs: c.session.timeoutMs },
          })),
          outstandingRequests: () => activePipeline.outstandingCount,
          storage: () => ({ ...log.stats(), snapshotBytes: core.lastSnapshotBytes() }),
          openFileDescriptorCount: () => countOpenFileDescriptors(),
          resetConnectionStats: () => {
            for (const connection of listener.connections) connection.stats.reset();
          },
        }),
        log: (message) => logger.info({}, message),
      },
    });
    let port: number;
    try {
      port = await listener.listen(config.clientPort, config.clientPortAddress);
    } catch (error) {
      await core.close();
      throw error;
    }
    try {
      if (config.grpcPort !== null) grpc = await GrpcFront.start({ config, pipeline: activePipeline, sessions, tree, watches, clock, logger });
    } catch (error) {
      await listener.close(true);
      await core.close();
      throw error;
    }
    const containers = new ContainerManager({ tree, pipeline: activePipeline, clock });
    const timers = [setInterval(() => containers.check(), config.containerCheckIntervalMs)];
    for (const timer of timers) timer.unref();
    return new CorralServer({ config, port, listener, grpc, storage, closeCore: () => core.close(), timers, logger });
  }

  /** Today's core: RequestPipeline over the tree recovered by replaying the log. */
  private static async pipelineCore(
    config: ServerConfig, logger: Logger, storage: Awaited<ReturnType<typeof openStorage>>, sessions: SessionTable, stats: ServerStats,
    fatal: (error: unknown) => void, clock: () => number, onApplied: () => void,
  ): Promise<AssembledCore> {
    const { log, snapshots } = storage;
    const tree = await recoverTree({ log, snapshots, logger, decodeTxn, dataDir: config.dataDir, dataLogDir: config.dataLogDir });
    const watches = new WatchManager();
    for (const [sessionId, timeoutMs] of tree.sessions()) sessions.add(sessionId, timeoutMs, clock());
    let pipeline: RequestPipeline | null = null;
    tree.watchSink = watchSinkFor(watches, (sessionId, type, path, acl) => pipeline?.deliverEvent(sessionId, type, path, acl));
    const snapshotter = new Snapshotter({
      tree, snapshots, log, snapCount: config.snapCount, snapRetainCount: config.snapRetainCount, purgeEnabled: config.purgeIntervalHours > 0, logger,
    });
    const active = new RequestPipeline({
      config, tree, watches, sessions, stats, log, clock, onFatal: fatal,
      onApplied: (zxid) => {
        snapshotter.onApplied(zxid);
        onApplied();
      },
    });
    pipeline = active;
    const tick = setInterval(() => active.tick(clock()), Math.max(10, Math.floor(config.tickTimeMs / 2)));
    tick.unref();
    return {
      core: active, tree, watches,
      lastSnapshotBytes: () => snapshotter.lastSnapshotBytes,
      close: () => {
        clearInterval(tick);
        return snapshotter.close();
      },
    };
  }

  /** The replica core (`corral.core=replica`): the Driver over @corral/replica, an ensemble of one. */
  private static async replicaCore(
    config: ServerConfig, logger: Logger, storage: Awaited<ReturnType<typeof openStorage>>, sessions: SessionTable, stats: ServerStats,
    fatal: (error: unknown) => void, onApplied: () => void,
  ): Promise<AssembledCore> {
    const driver = await Driver.start({ config, log: storage.log, snapshots: storage.snapshots, sessions, stats, logger, onFatal: fatal, onApplied });
    return {
      core: driver, tree: driver.tree, watches: driver.watches,
      lastSnapshotBytes: () => driver.lastSnapshotBytes,
      close: () => driver.close(),
    };
  }

  /** Stops serving: closes the port and connections, drains the log, closes storage. Idempotent. */
  close(options: { force?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      await this.grpc?.close(options);
      await this.listener.close(options.force ?? false);
      await this.closeCore();
      await this.storage.close();
      this.logger.info({}, 'server stopped');
    })();
    return this.closing;
  }
}

function countOpenFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

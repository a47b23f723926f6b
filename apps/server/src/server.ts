/**
 * Assembles a Corral server, standalone or an ensemble member (zoo.cfg's
 * server lines: the Driver then runs election and peers): storage, the
 * Driver (recovery, the replica core, session expiry and snapshots),
 * sessions, the client ports and container/TTL cleanup. Owns every timer and handle it creates and
 * releases them in close().
 */
import { mkdir } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { openStorage } from '@corral/txn-log';
import { isFourLetterWord } from '@corral/wire';
import type { ConnectionReport } from './admin/four-letter-word-context.js';
import { runFourLetterWord } from './admin/four-letter-words.js';
import { clientAddressOf, ensembleMembership, isStandalone } from './config/ensemble-config.js';
import type { ServerConfig } from './config/server-config.js';
import type { Logger } from './logger.js';
import { ClientListener } from './net/client-listener.js';
import { SessionTable } from './session/session-table.js';
import { ServerStats } from './stats/server-stats.js';
import { ContainerManager } from './core/container-manager.js';
import type { GrpcFront } from './front/grpc/grpc-front.js';
import { storageLimits } from './storage/storage-limits.js';
import { Driver } from './driver/driver.js';

export { storageLimits };

/** Limits of the server as a whole. */
export const sessionsMax = 1_000_000;

/** A running server. */
export class CorralServer {
  readonly config: ServerConfig;
  readonly port: number;
  /** The gRPC client API's port, or null when `grpcPort` is unset. */
  readonly grpcPort: number | null;
  private readonly listener: ClientListener;
  private readonly grpc: GrpcFront | null;
  private readonly storage: { close(): Promise<void> };
  private readonly driver: Driver;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;

  private constructor(parts: {
    config: ServerConfig; port: number; listener: ClientListener; grpc: GrpcFront | null; storage: { close(): Promise<void> }; driver: Driver;
    logger: Logger;
  }) {
    this.config = parts.config;
    this.port = parts.port;
    this.grpcPort = parts.grpc?.port ?? null;
    this.listener = parts.listener;
    this.grpc = parts.grpc;
    this.storage = parts.storage;
    this.driver = parts.driver;
    this.logger = parts.logger;
  }

  /** Recovers state from disk and starts serving. */
  static async start(config: ServerConfig, logger: Logger): Promise<CorralServer> {
    const clock = (): number => Date.now();
    // An ensemble configuration is checked against myid before anything is opened.
    if (!isStandalone(config)) ensembleMembership(config);
    await mkdir(config.dataDir, { recursive: true });
    await mkdir(config.dataLogDir, { recursive: true });
    // An interrupted snapshot install is the Driver's to roll back (DriverDisk), not txn-log's to complete.
    const storage = await openStorage({
      dataDir: config.dataDir, dataLogDir: config.dataLogDir, logger, limits: storageLimits(config), completeSnapshotInstall: false,
    });
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
      // The log, an epoch file or a snapshot could not be stored: never acknowledge. Exit; restart recovers from what is durable.
      logger.error({ error }, 'storage failure: refusing to continue');
      process.exit(2);
    };
    let grpc: GrpcFront | null = null;
    const driver = await Driver.start({
      config, log, snapshots: storage.snapshots, sessions, stats, logger, onFatal: fatal,
      onApplied: () => grpc?.onApplied(), onServing: (serving) => grpc?.onServing(serving),
    });
    const { watches } = driver;
    const membership = isStandalone(config) ? null : ensembleMembership(config);
    const listener: ClientListener = new ClientListener({
      maxClientCnxns: config.maxClientCnxns,
      logger,
      host: {
        core: driver,
        maxFrameBytes: config.juteMaxBuffer,
        globalOutstandingLimit: config.globalOutstandingLimit,
        clock,
        isFourLetterWord,
        runFourLetterWord: (word) => runFourLetterWord(word, {
          config, tree: driver.tree, watches, sessions, stats, clock,
          ensemble: () => driver.ensembleReport(),
          learnerSyncs: () => driver.learnerSyncs,
          connections: () => [...listener.connections].map((c): ConnectionReport => ({
            remoteAddress: c.remoteAddress, remotePort: c.remotePort, interestOps: c.interestOps, queued: c.backlog.requestCount,
            stats: c.stats, session: c.session === null ? null : { id: c.session.id, timeoutMs: c.session.timeoutMs },
          })),
          outstandingRequests: () => driver.outstandingCount,
          storage: () => ({ ...log.stats(), snapshotBytes: driver.lastSnapshotBytes }),
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
      const client = clientAddressOf(config, membership?.me ?? null);
      port = await listener.listen(client.port, client.host);
    } catch (error) {
      await driver.close();
      throw error;
    }
    try {
      // The front reads the tree through the Driver at each use: a SNAP install or a rebuild replaces it.
      // Imported only when configured: its modules (proto-loader parsing the client API's
      // .proto files, reflection) are start-up time that a server without it does not need.
      if (config.grpcPort !== null) grpc = await (await import('./front/grpc/grpc-front.js')).GrpcFront.start({ config, core: driver, sessions, state: driver, clock, logger, every: (ms, run) => driver.every(ms, run) });
    } catch (error) {
      await listener.close(true);
      await driver.close();
      throw error;
    }
    const containers = new ContainerManager({ tree: () => driver.tree, core: driver, clock });
    // On the Driver's interval: the server holds one timer (STYLE §3); close() stops it with the Driver.
    driver.every(config.containerCheckIntervalMs, () => containers.check());
    return new CorralServer({ config, port, listener, grpc, storage, driver, logger });
  }

  /** ZooKeeper's Mode: standalone, leader, follower, observer, or looking (electing or syncing: not serving). */
  get mode(): string {
    return this.driver.mode;
  }

  /** Stops serving: closes the port and connections, drains the log, closes storage. Idempotent. */
  close(options: { force?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      await this.grpc?.close(options);
      await this.listener.close(options.force ?? false);
      await this.driver.close();
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

/**
 * One zoo.cfg writer for both servers: Corral reads the same keys as Apache
 * (the lead's contract), so a difference in behaviour is never a difference in config.
 */

/** Server settings a test may choose; every field has a test-friendly default. */
export interface ServerOptions {
  /** ZooKeeper tick (ms); session timeouts are negotiated in ticks. */
  tickTimeMs?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** How often containers and TTL nodes are checked for deletion. */
  containerCheckIntervalMs?: number;
  /** Largest request/znode payload the server accepts (`jute.maxbuffer`). */
  juteMaxBufferBytes?: number;
  maxClientCnxns?: number;
  /** TTL nodes need extended types (ZooKeeper: `zookeeper.extendedTypesEnabled`). */
  extendedTypesEnabled?: boolean;
  /** The four-letter words allowed, `*` for all. */
  fourLetterWhitelist?: string;
  /** Corral only: also serve the gRPC client API (`grpcPort`) on a second random port. */
  grpc?: boolean;
}

/** Options with defaults filled in. */
export type ResolvedServerOptions = Required<ServerOptions>;

/** Fills in the defaults used across the suites. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  return {
    tickTimeMs: options.tickTimeMs ?? 500,
    minSessionTimeoutMs: options.minSessionTimeoutMs ?? 1_000,
    maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 30_000,
    containerCheckIntervalMs: options.containerCheckIntervalMs ?? 500,
    juteMaxBufferBytes: options.juteMaxBufferBytes ?? 1_048_575,
    maxClientCnxns: options.maxClientCnxns ?? 200,
    extendedTypesEnabled: options.extendedTypesEnabled ?? true,
    fourLetterWhitelist: options.fourLetterWhitelist ?? '*',
    grpc: options.grpc ?? false,
  };
}

/** The zoo.cfg text for a standalone server on 127.0.0.1:port (and grpcPort when given). */
export function zooCfgText(options: ResolvedServerOptions, dataDir: string, port: number, grpcPort: number | null = null): string {
  const lines = [
    `tickTime=${options.tickTimeMs}`,
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    'clientPortAddress=127.0.0.1',
    `4lw.commands.whitelist=${options.fourLetterWhitelist}`,
    `extendedTypesEnabled=${options.extendedTypesEnabled}`,
    `maxClientCnxns=${options.maxClientCnxns}`,
    `minSessionTimeout=${options.minSessionTimeoutMs}`,
    `maxSessionTimeout=${options.maxSessionTimeoutMs}`,
    `znode.container.checkIntervalMs=${options.containerCheckIntervalMs}`,
    `jute.maxbuffer=${options.juteMaxBufferBytes}`,
  ];
  if (grpcPort !== null) lines.push(`grpcPort=${grpcPort}`);
  return lines.join('\n') + '\n';
}

/**
 * Apache reads some of these only as Java system properties: unknown zoo.cfg keys become
 * `zookeeper.<key>` properties, which covers `extendedTypesEnabled`, but
 * `znode.container.checkIntervalMs` and `jute.maxbuffer` are read without the prefix
 * (ContainerManager, BinaryInputArchive), so they are passed with -D as well.
 */
export function apacheSystemProperties(options: ResolvedServerOptions): string[] {
  return [
    '-Dzookeeper.admin.enableServer=false',
    `-Dzookeeper.extendedTypesEnabled=${options.extendedTypesEnabled}`,
    `-Dznode.container.checkIntervalMs=${options.containerCheckIntervalMs}`,
    `-Djute.maxbuffer=${options.juteMaxBufferBytes}`,
  ];
}

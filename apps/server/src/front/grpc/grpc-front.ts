/**
 * The gRPC front end: serves corral.v1 (Corral, Lock, Election),
 * grpc.health.v1 and server reflection on `grpcPort`. It shares the session
 * table and the core with the jute port, so clients of both see each
 * other's writes and trigger each other's watches. On an ensemble member it
 * serves like the jute port: reads from this member's tree, writes and
 * session creation forwarded to the leader by the Replica, UNAVAILABLE and
 * health NOT_SERVING while the member elects or syncs. A member without a
 * quorum in read-only mode serves as the jute port does: streams opened with
 * `read_only` and unary reads, from its own tree; writes get NOTREADONLY.
 */
import { Server, ServerCredentials, loadPackageDefinition, type MethodDefinition, type ServiceDefinition, type ServerDuplexStream } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { ServerConfig } from '../../config/server-config.js';
import type { Logger } from '../../logger.js';
import type { ClientCore } from '../../core/client-core.js';
import type { SessionTable } from '../../session/session-table.js';
import { corralUnaryHandlers } from './corral-service.js';
import { electionHandlers } from './election-service.js';
import { exhaustedError } from './errors.js';
import { HealthService } from './health-service.js';
import { sessionStreamsMax } from './limits.js';
import { lockHandlers } from './lock-service.js';
import type { SessionRequestMsg } from './proto-types.js';
import { decodeCommonRequest } from './session-codec.js';
import { SessionStream, peerAddress } from './session-stream.js';
import type { ServedState } from './served-state.js';
import { TreeWaiters } from './tree-waiters.js';
import { UnaryGateway } from './unary-gateway.js';
import { protoRoot } from '../../proto-root.js';


/** The client API's proto files, relative to protoRoot. */
export const clientApiProtoFiles = ['corral/v1/corral.proto', 'corral/v1/lock.proto', 'corral/v1/election.proto', 'grpc/health/v1/health.proto'] as const;

/** Loads the client API as proto-loader definitions (also used by tests and tools). */
export function loadClientApi(): PackageDefinition {
  return loadSync([...clientApiProtoFiles], { includeDirs: [protoRoot], keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true });
}

/** Everything the front end is built from. */
export interface GrpcFrontOptions {
  readonly config: ServerConfig;
  readonly core: ClientCore;
  readonly sessions: SessionTable;
  /** The tree, watch index and serving state, read at each use (the Driver). */
  readonly state: ServedState;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Runs `run` about every `everyMs` on the server's one interval (the Driver's); returns the stop function. */
  readonly every: (everyMs: number, run: () => void) => () => void;
}

/** A running gRPC front end. */
export class GrpcFront {
  readonly port: number;
  private readonly server: Server;
  private readonly gateway: UnaryGateway;
  private readonly waiters: TreeWaiters;
  private readonly health: HealthService;
  private readonly streams: Set<SessionStream>;
  private readonly closeObservers: () => void;
  private readonly stopTicks: () => void;
  private closing: Promise<void> | null = null;

  private constructor(parts: {
    port: number; server: Server; gateway: UnaryGateway; waiters: TreeWaiters; health: HealthService; streams: Set<SessionStream>;
    closeObservers: () => void; stopTicks: () => void;
  }) {
    this.port = parts.port;
    this.server = parts.server;
    this.gateway = parts.gateway;
    this.waiters = parts.waiters;
    this.health = parts.health;
    this.streams = parts.streams;
    this.closeObservers = parts.closeObservers;
    this.stopTicks = parts.stopTicks;
  }

  /** Binds `grpcPort` on the client address and starts serving. */
  static async start(options: GrpcFrontOptions): Promise<GrpcFront> {
    const { config, core, sessions, state, clock } = options;
    const definition = loadClientApi();
    const api = loadPackageDefinition(definition) as unknown as {
      corral: { v1: Record<string, { service: ServiceDefinition }> };
      grpc: { health: { v1: { Health: { service: ServiceDefinition } } } };
    };
    const server = new Server({
      // Message size as on the jute port (STYLE §6): larger messages get RESOURCE_EXHAUSTED.
      'grpc.max_receive_message_length': config.juteMaxBuffer,
      'grpc.max_send_message_length': config.juteMaxBuffer * 2,
      // Nothing reads channelz here, and it stamps every message sent and received.
      'grpc.enable_channelz': 0,
    });
    const gateway = new UnaryGateway({ core, sessions, clock, sessionTimeoutMs: config.maxSessionTimeoutMs, state });
    const waiters = new TreeWaiters();
    const context = {
      gateway, waiters,
      get tree() {
        return state.tree;
      },
    };
    const streams = new Set<SessionStream>();
    const corral = api.corral.v1;
    const election = electionHandlers(context);
    server.addService(withSessionCodec(requireService(corral['Corral'])), {
      ...corralUnaryHandlers(gateway),
      Session: (call: ServerDuplexStream<SessionRequestMsg, Buffer>) => {
        if (streams.size >= sessionStreamsMax) {
          call.emit('error', exhaustedError(`more than ${sessionStreamsMax} session streams`));
          return;
        }
        // maxClientCnxns counts session streams per client address, as connections on the jute port.
        const address = peerAddress(call.getPeer());
        if (config.maxClientCnxns > 0 && countFrom(streams, address) >= config.maxClientCnxns) {
          call.emit('error', exhaustedError(`too many session streams from ${address} (maxClientCnxns=${config.maxClientCnxns})`));
          return;
        }
        streams.add(new SessionStream({ call, core, state, clock, onEnd: (stream) => streams.delete(stream) }));
      },
    });
    server.addService(requireService(corral['Lock']), lockHandlers(context));
    const { handlers: electionService, closeObservers } = election;
    server.addService(requireService(corral['Election']), electionService);
    const health = new HealthService(['corral.v1.Corral', 'corral.v1.Lock', 'corral.v1.Election'], state.serving);
    server.addService(api.grpc.health.v1.Health.service, health.handlers());
    new ReflectionService(definition).addToServer(server);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${config.clientPortAddress}:${config.grpcPort ?? 0}`, ServerCredentials.createInsecure(), (error, bound) => {
        if (error === null) resolve(bound);
        // One line an operator can act on, with the code callers retry on (as the jute port's listen error).
        else reject(Object.assign(new Error(`grpcPort ${config.clientPortAddress}:${config.grpcPort ?? 0}: ${/EADDRINUSE/.test(error.message) ? 'EADDRINUSE: address already in use' : error.message}`), {
          code: /EADDRINUSE/.test(error.message) ? 'EADDRINUSE' : 'ELISTEN',
        }));
      });
    });
    const stopTicks = options.every(Math.max(10, Math.floor(config.tickTimeMs / 2)), () => {
      gateway.tick();
      // Read-only mode starts after a grace period inside election, with no event of its own: polled here.
      health.setReadOnly(state.readOnly);
    });
    options.logger.info({ port }, 'gRPC client API listening');
    return new GrpcFront({ port, server, gateway, waiters, health, streams, closeObservers, stopTicks });
  }

  /** Called after every applied txn and tree replacement: wakes lock, election and observe waiters. */
  onApplied(): void {
    this.waiters.onApplied();
  }

  /**
   * The server started or stopped serving. Stopping, the core closes every
   * connection (session streams get UNAVAILABLE, unary calls in flight fail);
   * lock and election waiters stay and re-check the tree the member serves
   * next (their calls' deadlines bound them).
   */
  onServing(serving: boolean): void {
    this.health.setServing(serving);
    if (serving) this.waiters.onApplied();
  }

  /** Stops serving: health NOT_SERVING, waiters and streams ended, the port closed. Idempotent. */
  close(options: { force?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      this.stopTicks();
      this.health.shutdown();
      this.closeObservers();
      this.waiters.close();
      this.gateway.shutdown();
      for (const stream of [...this.streams]) stream.close('server is shutting down');
      if (options.force === true) {
        this.server.forceShutdown();
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.server.forceShutdown();
          resolve();
        }, 2_000);
        timer.unref();
        this.server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    })();
    return this.closing;
  }
}

function countFrom(streams: ReadonlySet<SessionStream>, address: string): number {
  let count = 0;
  for (const stream of streams) if (stream.remoteAddress === address) count += 1;
  return count;
}

/**
 * Corral's service with the Session method's codec swapped for the hand-written
 * one (session-codec.ts): SessionStream hands grpc-js encoded bytes, which pass
 * through, and the common calls are decoded without protobufjs. Everything else
 * still goes through proto-loader's codec, and the proto contract is unchanged.
 */
function withSessionCodec(service: ServiceDefinition): ServiceDefinition {
  const session = service['Session'] as MethodDefinition<SessionRequestMsg, unknown> | undefined;
  if (session === undefined) throw new Error('corral.v1.Corral has no Session method');
  const fast: MethodDefinition<SessionRequestMsg, unknown> = {
    ...session,
    responseSerialize: (value) => (Buffer.isBuffer(value) ? value : session.responseSerialize(value)),
    requestDeserialize: (bytes) => decodeCommonRequest(bytes) ?? session.requestDeserialize(bytes),
  };
  return { ...service, Session: fast };
}

function requireService(entry: { service: ServiceDefinition } | undefined): ServiceDefinition {
  if (entry === undefined) throw new Error('corral.v1 proto is missing a service');
  return entry.service;
}

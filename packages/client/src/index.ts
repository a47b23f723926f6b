/**
 * @corral/client: a ZooKeeper client for TypeScript (jute over TCP today, a
 * gRPC transport behind the same Transport interface later), with
 * coordination recipes that stay correct when connections drop.
 */
export {
  /** The client: every operation, watches, connection-state events. */
  ZkClient,
  /** world:anyone with all permissions. */
  openAclUnsafe,
} from './client.js';
/** Parses `host:port,host:port/chroot`. */
export { parseConnectionString, ConnectionStringError } from './connection-string.js';
export {
  /** The client was closed. */
  ClientClosedError,
  /** A client-side queue limit was reached. */
  ClientLimitError,
  /** True when an error is a ZkError with one of the given codes. */
  isZkError,
} from './errors.js';
/** A failed multi: the failing op's code and every op's code. */
export { MultiError } from './multi-results.js';
/** The jute-over-TCP transport (the default). */
export { JuteTcpTransport } from './jute-transport.js';
/** The gRPC transport: one corral.v1 Corral.Session stream per connection (point it at grpcPort). */
export { GrpcSessionTransport } from './grpc-transport.js';
/** The multi builder returned by ZkClient.transaction(). */
export { Transaction } from './transaction.js';
/** Named client limits. */
export { outstandingRequestsMax, queuedRequestsMax, setWatchesBytesMax, sessionTimeoutMsDefault } from './limits.js';
/** ZooKeeper's codes and error class, and the protocol constants callers need. */
export { ZkCode, ZkError } from '@corral/base';
export { CreateMode, EventType, Perms } from '@corral/wire';

export type { ClientEvent, ClientOptions, CallOptions, CreateOptions, VersionOptions, WatchOptions } from './client.js';
export type { ConnectionString, ServerAddress } from './connection-string.js';
export type { ConnectionState } from './session.js';
export type { OpResult, MultiReadResult } from './multi-results.js';
export type { Transport, TransportConnection, TransportConnectOptions, TransportHandlers } from './transport.js';
export type { WatchEvent, WatchKind, Watcher } from './watch-registry.js';
export type { ACL, Id, Stat, ClientInfo } from '@corral/wire';

// Recipes.
/** A held lock, permit or leadership: fencing token, lost signal, release(). */
export { Lease } from './recipes/lease.js';
/** Distributed mutex; waits on its predecessor only. */
export { Mutex } from './recipes/mutex.js';
/** Distributed read-write lock. */
export { ReadWriteLock } from './recipes/read-write-lock.js';
/** Counting semaphore. */
export { Semaphore } from './recipes/semaphore.js';
/** Leader election (campaign, leader, observe). */
export { LeaderElection } from './recipes/leader-election.js';
/** Leader latch (isLeader / notLeader). */
export { LeaderLatch } from './recipes/leader-latch.js';
/** Barrier. */
export { Barrier } from './recipes/barrier.js';
/** Double barrier (enter / leave). */
export { DoubleBarrier } from './recipes/double-barrier.js';
/** FIFO and priority queue with exactly-once take. */
export { DistributedQueue } from './recipes/queue.js';
/** Shared counter by compare-and-set. */
export { SharedCounter } from './recipes/shared-counter.js';
/** Watches one node's data. */
export { ConfigWatcher } from './recipes/config-watcher.js';
/** Local copy of a subtree. */
export { TreeCache } from './recipes/tree-cache.js';
/** Ephemeral service registrations, list and watch. */
export { ServiceDiscovery } from './recipes/service-discovery.js';
/** Protected (guid-named) sequential create, and retry after connection loss. */
export { protectedCreate, retryOnLoss, ensurePath } from './recipes/common.js';

export type { ProtectedNode } from './recipes/common.js';
export type { ConfigValue } from './recipes/config-watcher.js';
export type { CachedNode } from './recipes/tree-cache.js';
export type { ServiceInstance } from './recipes/service-discovery.js';

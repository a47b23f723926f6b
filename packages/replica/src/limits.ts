/**
 * Named limits of the replica (STYLE §6). Each bounds a queue or map that
 * clients or peers can grow; what happens at the limit is said beside it.
 */

/** Sessions touched in one learner → leader batch; more wait for the next tick. */
export const touchesPerMessageMax = 10_000;

/**
 * Writes waiting for a zxid (the leader is not established yet, its pending
 * limit is full, or it is rolling its epoch over). Beyond it a local write is
 * answered at once and a forwarded one is dropped (its learner's client
 * times out and retries, as when ZooKeeper's leader drops a learner).
 */
export const waitingWritesMax = 10_000;

/** Requests queued in one local session's FIFO; beyond it the Driver is told to close that connection. */
export const sessionQueueMax = 10_000;

/** Reconnects waiting for the leader's REVALIDATE verdict on one learner; beyond it the connection is refused. */
export const revalidationsPendingMax = 10_000;

/** Syncs the leader holds until the proposals before them commit; beyond it a sync is dropped (its client times out). */
export const syncsPendingMax = 10_000;

/** Everything the Replica bounds, with defaults; tests and the simulator shrink them to hit the limits. */
export interface ReplicaLimits {
  readonly waitingWritesMax: number;
  readonly sessionQueueMax: number;
  readonly revalidationsPendingMax: number;
  readonly syncsPendingMax: number;
  /** The log's record limit: no txn a client causes may exceed it. */
  readonly txnBytesMax: number;
}

/**
 * Named limits of the client (STYLE §6). Every queue the client keeps has a
 * maximum; going past it rejects the call instead of growing memory.
 */

/** Requests sent and not yet answered on one connection (ZooKeeper has no cap; Curator users hit OOM without one). */
export const outstandingRequestsMax = 1000;

/** Requests accepted but not yet sent (waiting for a connection or for an outstanding slot). */
export const queuedRequestsMax = 10_000;

/** Servers accepted in one connection string. */
export const serversMax = 255;

/** Bytes of paths per setWatches2 frame when watches are re-registered (Java's ClientCnxn uses 128 KiB). */
export const setWatchesBytesMax = 128 * 1024;

/** Authentication entries remembered for replay on reconnect. */
export const authEntriesMax = 64;

/** Events buffered per async watch iterator before the oldest unread event is dropped and the iterator fails. */
export const watchIteratorEventsMax = 10_000;

/** Longest wait between two rounds of connection attempts over all servers. */
export const reconnectBackoffMsMax = 1000;

/**
 * First wait after a round in which every server refused (doubling each round up to the max):
 * short, because during a failover every server refuses until the new leader serves, which takes
 * tens of milliseconds, and a longer first step is added to every client's recovery.
 */
export const reconnectBackoffMsMin = 10;

/** Session timeout asked for when the caller gives none (ZooKeeper's minimum is 2 ticks, maximum 20). */
export const sessionTimeoutMsDefault = 10_000;

/**
 * Listeners on a client's events before Node warns of a leak. Every waiting
 * recipe call listens for state changes, so one client with many concurrent
 * waits legitimately passes Node's default of 10.
 */
export const eventListenersMax = 1000;

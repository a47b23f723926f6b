/**
 * Numeric constants of ZooKeeper's client protocol, equal to the values in
 * ZooDefs.java (3.9.x), Watcher.Event, CreateMode and ClientCnxn, because
 * clients switch on the numbers. Those data-tree speaks too are defined once
 * in @corral/base (protocol.ts) and re-exported here; Xid is wire's own.
 */

export { OpCode, Perms, CreateMode, EventType, KeeperState, AddWatchMode, WatcherType } from '@corral/base';

/**
 * Special xids (ClientCnxn): replies with these xids are not matched against
 * the pending-request queue. Notifications carry -1, ping replies -2, auth
 * replies -4 and setWatches replies -8.
 */
export const Xid = { notification: -1, ping: -2, auth: -4, setWatches: -8 } as const;

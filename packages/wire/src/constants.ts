/**
 * Numeric constants of ZooKeeper's client protocol, equal to the values in
 * ZooDefs.java (3.9.x), Watcher.Event, CreateMode and ClientCnxn, because
 * clients switch on the numbers.
 */

/** ZooDefs.OpCode (3.9.x): the `type` of a RequestHeader and of multi ops. */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

/** One of the OpCode numbers. */
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** ZooDefs.Perms: ACL permission bits. */
export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

/** CreateMode flags carried in CreateRequest.flags. */
export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;

/** Watcher.Event.EventType: WatcherEvent.type. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

/** Watcher.Event.KeeperState: WatcherEvent.state. */
export const KeeperState = {
  Disconnected: 0,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Expired: -112,
  Closed: 7,
} as const;

/** AddWatchMode: AddWatchRequest.mode. */
export const AddWatchMode = { PERSISTENT: 0, PERSISTENT_RECURSIVE: 1 } as const;

/** Watcher.WatcherType: CheckWatchesRequest / RemoveWatchesRequest type. */
export const WatcherType = { Children: 1, Data: 2, Any: 3 } as const;

/**
 * Special xids (ClientCnxn): replies with these xids are not matched against
 * the pending-request queue. Notifications carry -1, ping replies -2, auth
 * replies -4 and setWatches replies -8.
 */
export const Xid = { notification: -1, ping: -2, auth: -4, setWatches: -8 } as const;

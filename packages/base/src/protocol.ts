/**
 * The numbers and records of ZooKeeper's protocol that both sides of Corral
 * speak: `wire` encodes them for clients and `data-tree` stores and fires
 * them. They live here, once, because those two packages may not import each
 * other (STYLE §1). Values equal ZooDefs.java (3.9.x), Watcher.Event and
 * CreateMode, because clients switch on the numbers.
 */

/** ZooDefs.OpCode (3.9.x): the `type` of a RequestHeader, of multi ops and of txns. */
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

/** One of ZooKeeper's event type numbers. */
export type EventType = (typeof EventType)[keyof typeof EventType];

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

/** One of ZooKeeper's keeper state numbers. */
export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState];

/** ZooDefs.AddWatchModes: AddWatchRequest.mode. */
export const AddWatchMode = { PERSISTENT: 0, PERSISTENT_RECURSIVE: 1 } as const;

/**
 * Watcher.WatcherType numbers of checkWatches/removeWatches requests.
 * Persistent (4) and PersistentRecursive (5) exist since 3.9 (ZOOKEEPER-4471).
 */
export const WatcherType = { Children: 1, Data: 2, Any: 3, Persistent: 4, PersistentRecursive: 5 } as const;

/** One of the WatcherType numbers. */
export type WatcherType = (typeof WatcherType)[keyof typeof WatcherType];

/** jute's data.Id: an identity, scheme plus id. */
export interface Id {
  readonly scheme: string;
  readonly id: string;
}

/** jute's data.ACL: a permission bit set (Perms) granted to an id. */
export interface ACL {
  readonly perms: number;
  readonly id: Id;
}

/** jute's StatPersisted: the stored fields. cversion counts creates only; ephemeralOwner is raw. */
export interface StatPersisted {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
}

/**
 * jute's data.Stat (68 bytes on the wire, in the order writeStat writes):
 * what exists/getData/setData return to clients. Same fields as
 * StatPersisted, in client terms: cversion is 2 × persisted cversion −
 * numChildren (DataNode.copyStat), i.e. creates + deletes; ephemeralOwner is
 * 0 for persistent, container and TTL nodes (DataNode.getClientEphemeralOwner).
 * ctime/mtime are milliseconds, safe below 2^53, hence `number`.
 */
export interface Stat extends StatPersisted {
  dataLength: number;
  numChildren: number;
}

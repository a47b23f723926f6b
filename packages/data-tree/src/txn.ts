/**
 * Txn records, modelled on zookeeper.jute's txn classes. The discriminant
 * `type` is ZooKeeper's opcode (ZooDefs.OpCode). create2 is logged as create:
 * the reply shape is the server's business, the tree change is the same.
 */
import type { ACL } from './acl.js';

/** ZooDefs.OpCode numbers of the txns the tree applies. */
export const TxnType = {
  create: 1,
  delete: 2,
  setData: 5,
  setACL: 7,
  check: 13,
  multi: 14,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

/** One of the txn opcodes above. */
export type TxnType = (typeof TxnType)[keyof typeof TxnType];

/** jute's TxnHeader (clientId is called sessionId here). */
export interface TxnHeader {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly zxid: bigint;
  /** Leader wall-clock time in ms since the epoch; becomes ctime/mtime. */
  readonly time: number;
  readonly type: number;
}

/**
 * CreateTxn. ephemeralOwner = header.sessionId when `ephemeral`.
 * parentCVersion is the parent's new persisted cversion, or -1 for "current + 1".
 */
export interface CreateTxn {
  readonly type: 1;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly acl: readonly ACL[];
  readonly ephemeral: boolean;
  readonly parentCVersion: number;
}

/** CreateContainerTxn: ephemeralOwner = containerEphemeralOwner. */
export interface CreateContainerTxn {
  readonly type: 19;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly acl: readonly ACL[];
  readonly parentCVersion: number;
}

/** CreateTTLTxn: ephemeralOwner = ttlEphemeralOwner(ttl). */
export interface CreateTTLTxn {
  readonly type: 21;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly acl: readonly ACL[];
  readonly parentCVersion: number;
  readonly ttl: bigint;
}

/** DeleteTxn, for delete (2) and the container manager's deleteContainer (20). */
export interface DeleteTxn {
  readonly type: 2 | 20;
  readonly path: string;
}

/** SetDataTxn: `version` is the node's NEW data version. */
export interface SetDataTxn {
  readonly type: 5;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly version: number;
}

/** SetACLTxn: `version` is the node's NEW aversion. */
export interface SetACLTxn {
  readonly type: 7;
  readonly path: string;
  readonly acl: readonly ACL[];
  readonly version: number;
}

/** CheckVersionTxn: changes nothing; prep already checked the version. */
export interface CheckVersionTxn {
  readonly type: 13;
  readonly path: string;
  readonly version: number;
}

/** CreateSessionTxn: records the session and its timeout. */
export interface CreateSessionTxn {
  readonly type: -10;
  readonly timeOut: number;
}

/** CloseSessionTxn: deletes paths2Delete, then any other ephemerals of the session. */
export interface CloseSessionTxn {
  readonly type: -11;
  readonly paths2Delete?: readonly string[];
}

/** ErrorTxn: a request prep rejected; applying it only reports `err`. */
export interface ErrorTxn {
  readonly type: -1;
  readonly err: number;
}

/** The txns allowed inside a multi (DataTree.processTxn's multi switch). */
export type MultiSubTxn = CreateTxn | CreateContainerTxn | CreateTTLTxn | DeleteTxn | SetDataTxn | CheckVersionTxn | ErrorTxn;

/** MultiTxn: all-or-nothing; a failed multi carries ErrorTxns from prep. */
export interface MultiTxn {
  readonly type: 14;
  readonly txns: readonly MultiSubTxn[];
}

/** Any txn the tree applies. */
export type Txn =
  | CreateTxn
  | CreateContainerTxn
  | CreateTTLTxn
  | DeleteTxn
  | SetDataTxn
  | SetACLTxn
  | CheckVersionTxn
  | CreateSessionTxn
  | CloseSessionTxn
  | ErrorTxn
  | MultiTxn;

/** True for a type allowed inside a multi. */
export function isMultiSubTxnType(type: number): boolean {
  return type === 1 || type === 19 || type === 21 || type === 2 || type === 20 || type === 5 || type === 13 || type === -1;
}

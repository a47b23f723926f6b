/**
 * Txn records, modelled on zookeeper.jute's txn classes. The discriminant
 * `type` is ZooKeeper's opcode (ZooDefs.OpCode). create2 is logged as create:
 * the reply shape is the server's business, the tree change is the same.
 */
import { OpCode } from '@corral/base';
import type { ACL } from './acl.js';

/** ZooDefs.OpCode numbers of the txns the tree applies: a subset of OpCode (@corral/base), not a copy of its numbers. */
export const TxnType = {
  create: OpCode.create,
  delete: OpCode.delete,
  setData: OpCode.setData,
  setACL: OpCode.setACL,
  check: OpCode.check,
  multi: OpCode.multi,
  createContainer: OpCode.createContainer,
  deleteContainer: OpCode.deleteContainer,
  createTTL: OpCode.createTTL,
  createSession: OpCode.createSession,
  closeSession: OpCode.closeSession,
  error: OpCode.error,
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
  readonly type: typeof TxnType.create;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly acl: readonly ACL[];
  readonly ephemeral: boolean;
  readonly parentCVersion: number;
}

/** CreateContainerTxn: ephemeralOwner = containerEphemeralOwner. */
export interface CreateContainerTxn {
  readonly type: typeof TxnType.createContainer;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly acl: readonly ACL[];
  readonly parentCVersion: number;
}

/** CreateTTLTxn: ephemeralOwner = ttlEphemeralOwner(ttl). */
export interface CreateTTLTxn {
  readonly type: typeof TxnType.createTTL;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly acl: readonly ACL[];
  readonly parentCVersion: number;
  readonly ttl: bigint;
}

/** DeleteTxn, for delete (2) and the container manager's deleteContainer (20). */
export interface DeleteTxn {
  readonly type: typeof TxnType.delete | typeof TxnType.deleteContainer;
  readonly path: string;
}

/** SetDataTxn: `version` is the node's NEW data version. */
export interface SetDataTxn {
  readonly type: typeof TxnType.setData;
  readonly path: string;
  /** null is ZooKeeper's null data, kept apart from empty data. */
  readonly data: Uint8Array | null;
  readonly version: number;
}

/** SetACLTxn: `version` is the node's NEW aversion. */
export interface SetACLTxn {
  readonly type: typeof TxnType.setACL;
  readonly path: string;
  readonly acl: readonly ACL[];
  readonly version: number;
}

/** CheckVersionTxn: changes nothing; prep already checked the version. */
export interface CheckVersionTxn {
  readonly type: typeof TxnType.check;
  readonly path: string;
  readonly version: number;
}

/** CreateSessionTxn: records the session and its timeout. */
export interface CreateSessionTxn {
  readonly type: typeof TxnType.createSession;
  readonly timeOut: number;
}

/** CloseSessionTxn: deletes paths2Delete, then any other ephemerals of the session. */
export interface CloseSessionTxn {
  readonly type: typeof TxnType.closeSession;
  readonly paths2Delete?: readonly string[];
}

/** ErrorTxn: a request prep rejected; applying it only reports `err`. */
export interface ErrorTxn {
  readonly type: typeof TxnType.error;
  readonly err: number;
}

/** The txns allowed inside a multi (DataTree.processTxn's multi switch). */
export type MultiSubTxn = CreateTxn | CreateContainerTxn | CreateTTLTxn | DeleteTxn | SetDataTxn | CheckVersionTxn | ErrorTxn;

/** MultiTxn: all-or-nothing; a failed multi carries ErrorTxns from prep. */
export interface MultiTxn {
  readonly type: typeof TxnType.multi;
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
  return type === TxnType.create || type === TxnType.createContainer || type === TxnType.createTTL || type === TxnType.delete
    || type === TxnType.deleteContainer || type === TxnType.setData || type === TxnType.check || type === TxnType.error;
}

/** @corral/data-tree: the in-memory znode tree, its txns, ACL rules and snapshots. Pure: no I/O, no clocks. */

/** The znode tree and its apply function. */
export { DataTree } from './data-tree.js';
/** ACL permission bits, well-known ACLs, checkAcl (ZooKeeperServer.checkACL) and fixupAcl (PrepRequestProcessor.fixupACL). */
export { Perms, anyoneId, openAclUnsafe, readAclUnsafe, creatorAllAcl, checkAcl, fixupAcl } from './acl.js';
/** PathUtils.validatePath, the sequential-name format and path helpers. */
export { validatePath, sequentialName, parentPath, childName, joinPath } from './path.js';
/** ephemeralOwner encodings of EphemeralType.java. */
export { containerEphemeralOwner, ttlMaxMs, ephemeralKind, ttlEphemeralOwner, ttlOf } from './stat.js';
/** Txn opcodes and the multi sub-txn predicate. */
export { TxnType, isMultiSubTxnType } from './txn.js';
/** What a txn must satisfy before it is logged (everything apply and decodeTxn rely on). */
export { txnProblem, pathProblem, aclProblem, utf8Fits } from './txn-validation.js';
/** Watch event numbers and the no-op sink. */
export { EventType, noopWatchSink } from './watch-sink.js';
/** Binary txn encoding for the log and replication (versioned; decode throws CorruptDataError). */
export { encodeTxn, decodeTxn, txnFormatVersion } from './txn-codec.js';
export { encodedTxnBytes } from './txn-size.js';
/** Chunked, fuzzy-capable snapshots of a tree. */
export { serializeSnapshot, deserializeSnapshot, createSnapshotLoader, snapshotFormatVersion } from './snapshot.js';
/** ContainerManager.getCandidates as a pure function of the tree and the time. */
export { containerAndTtlCandidates } from './container-ttl.js';
/** Typed error for corrupt txn or snapshot bytes. */
export { CorruptDataError } from './errors.js';
/** Named limits of this package. */
export {
  pathBytesMax,
  dataBytesMax,
  aclEntriesMax,
  aclStringBytesMax,
  multiOpsMax,
  paths2DeleteMax,
  txnBytesMax,
  snapshotChunkBytes,
  snapshotChunkBytesMax,
  snapshotNodesMax,
  snapshotAclListsMax,
  snapshotSessionsMax,
} from './limits.js';

export type { ApplyResult, ApplyOptions, DataTreeOptions } from './data-tree.js';
export type { Id, ACL, FixupAclResult } from './acl.js';
export type { Stat, StatPersisted, EphemeralKind } from './stat.js';
export type {
  TxnHeader,
  Txn,
  MultiSubTxn,
  CreateTxn,
  CreateContainerTxn,
  CreateTTLTxn,
  DeleteTxn,
  SetDataTxn,
  SetACLTxn,
  CheckVersionTxn,
  CreateSessionTxn,
  CloseSessionTxn,
  ErrorTxn,
  MultiTxn,
} from './txn.js';
export type { WatchSink } from './watch-sink.js';
export type { DeserializeSnapshotOptions, SerializeSnapshotOptions, SnapshotLoaderHandle } from './snapshot.js';
export type { CandidateOptions } from './container-ttl.js';
export type { ZnodeView } from './znode.js';

// The watch index (src/watch).
export { WatchManager } from './watch/watch-manager.js';
export { setWatches } from './watch/set-watches.js';
export { watchSinkFor } from './watch/watch-sink-adapter.js';
export type { AclWatchDeliver } from './watch/watch-sink-adapter.js';
export {
  WatchKind, WatcherType, isWatcherType, kindsOfWatcherType, watchKindOfAddWatchMode, dataSideKinds, childSideKinds, watchKindMask,
} from './watch/watch-kind.js';
export { watchesPerSessionMax, watchesTotalMax, watchPathLengthMax, watchSessionsMax } from './watch/limits.js';
export type { WatchDeliver, WatchDelivery, WatchManagerOptions, WatchesSummary } from './watch/watch-manager.js';
export type { SetWatchesRequest, SetWatchesResult, WatchedNodeZxids } from './watch/set-watches.js';

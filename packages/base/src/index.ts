/** @corral/base: the leaf primitives every Corral package shares. */
export { AssertionError, assert, unreachable } from './assert.js';
export { ZkCode, ZkError, isZkCode, zkCodeName } from './zk-code.js';
export { makeZxid, zxidCounter, zxidEpoch, zxidToHex } from './zxid.js';
export { assertLimit, assertLimitBelow } from './limits.js';
export { GrpcStatus, grpcStatusOf, zkCodeOfGrpcStatus } from './grpc-status.js';
export type { Zxid } from './zxid.js';
export type { Prng } from './prng.js';
export { hierarchicalQuorum, majorityQuorum } from './quorum.js';
export { OpCode, Perms, CreateMode, EventType, KeeperState, AddWatchMode, WatcherType } from './protocol.js';
export type { ACL, Id, Stat, StatPersisted } from './protocol.js';
export type { HierarchicalQuorumOptions, MajorityQuorumOptions, QuorumVerifier, ServerId } from './quorum.js';

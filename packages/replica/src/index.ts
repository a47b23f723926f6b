/** @corral/replica: one server's brain (prep, Final, replicated sessions) over broadcast, pure. See README.md. */
export { Replica } from './replica.js';
export { Prep } from './prep/prep.js';
export { ChangeRecords } from './prep/change-records.js';
export { multiAsZooKeeperReadsIt } from './prep/multi-ops.js';
export { aclExpansionBytes, tooLargeTxn } from './prep/txn-limit.js';
export { createModeFromFlag } from './prep/create-mode.js';
export { Final } from './final/final.js';
export { ReadOps } from './final/read-ops.js';
export { writeReply } from './final/write-replies.js';
export { SessionExpiry } from './session/session-expiry.js';
export { initialSessionId, passwordsEqual } from './session/session-ids.js';
export {
  decodeRequestPayload, decodeRevalidatePayload, encodeRequestPayload, encodeRevalidatePayload,
} from './peer-payload.js';
export { revalidationsPendingMax, sessionQueueMax, syncsPendingMax, touchesPerMessageMax, waitingWritesMax } from './limits.js';
export type { ReplicaOptions } from './replica.js';
export type { PrepOptions } from './prep/prep.js';
export type { PrepContext, PreparedTxn } from './prep/prepared.js';
export type { ChangeRecord } from './prep/change-records.js';
export type { CreateModeInfo } from './prep/create-mode.js';
export type { QueuedRequest } from './final/final.js';
export type { ReadContext, ReadOutcome } from './final/read-ops.js';
export type { WriteReply } from './final/write-replies.js';
export type { ReplicaLimits } from './limits.js';
export type {
  ClientOutput, CloseOutput, ConnectedOutput, EventOutput, RefusedOutput, ReplicaReady, ReplyOutput, Role, RoleChange,
} from './outputs.js';
export type {
  ForwardedCloseSession, ForwardedCreateSession, ForwardedSync, ForwardedWrite, RequestPayload, RevalidateAnswer, RevalidateAsk, RevalidatePayload, SyncAnswer,
  TouchBatch,
} from './peer-payload.js';
export type { BroadcastMachine, LeaderMachine, LearnerMachine, ProposeResult } from './broadcast-port.js';
export { frameSnapshotChunks, snapshotChunksOf } from './snapshot-frames.js';

/** @corral/broadcast: ZAB's leader and learner as pure state machines (see README.md). */
export { Leader } from './leader.js';
export { Learner } from './learner.js';
export { MajorityQuorum } from './quorum.js';
export { defaultBroadcastLimits, validateBroadcastLimits } from './limits.js';
export { planSync, syncMessages } from './sync-plan.js';
export { serveLogRead } from './leader-sync.js';
export { TxnWindow } from './txn-window.js';
export type { LeaderConfig, ProposeResult } from './leader.js';
export type { LearnerConfig, LearnerPhase } from './learner.js';
export type { QuorumVerifier } from './quorum.js';
export type { BroadcastLimits } from './limits.js';
export type { SyncMessagesInput, SyncPlan, SyncPlanInput } from './sync-plan.js';
export type {
  AckEpochMsg,
  AckMsg,
  CommitMsg,
  DiffMsg,
  Epoch,
  HardState,
  Inbound,
  InformMsg,
  InitialState,
  LeaderInfoMsg,
  LogRead,
  LearnerInfoMsg,
  NewLeaderMsg,
  OutMsg,
  PeerMsg,
  PingMsg,
  ProposalMsg,
  Ready,
  RequestMsg,
  RevalidateMsg,
  ServerId,
  SnapMsg,
  SnapshotInstall,
  Stopped,
  StreamRef,
  Txn,
  TruncMsg,
  UnsafeFaults,
  UpToDateMsg,
} from './types.js';

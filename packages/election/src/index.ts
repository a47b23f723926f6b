/** @corral/election: ZooKeeper's fast leader election as a pure state machine. */
export { Election } from './election.js';
export { answerPeerWhileDecided } from './answer.js';
export { ServerState } from './types.js';
export { defaultElectionLimits, validateElectionLimits } from './limits.js';
export { voteBeats, votesAgree } from './vote-order.js';
export type { ElectionOptions, ElectionStatus, LogPosition, StepOutcome } from './election.js';
export type { DecidedSelf } from './answer.js';
export type { DecidedState, ElectionResult, Notification, OutboundNotification, Ready, Vote, VoteKey } from './types.js';
export type { ElectionLimits } from './limits.js';
export type { RecordedVote } from './vote-order.js';

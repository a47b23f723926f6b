/**
 * The order on votes and the equality used to count them: ZooKeeper's
 * `FastLeaderElection.totalOrderPredicate` and `Vote.equals`.
 */
import type { QuorumVerifier, ServerId } from '@corral/base';
import type { ServerState, Vote, VoteKey } from './types.js';

/**
 * True when `candidate` should replace `current`: higher peer epoch, then
 * higher zxid, then higher server id. A candidate leader of weight 0 (an
 * observer, a stranger, a weight-0 participant) never wins, as in ZooKeeper.
 * Electing the highest (epoch, zxid) is what lets the new leader hold every
 * committed txn; the sid only breaks ties.
 */
export function voteBeats(candidate: VoteKey, current: VoteKey, verifier: QuorumVerifier): boolean {
  if (verifier.weight(candidate.leader) === 0) return false;
  if (candidate.peerEpoch !== current.peerEpoch) return candidate.peerEpoch > current.peerEpoch;
  if (candidate.zxid !== current.zxid) return candidate.zxid > current.zxid;
  return candidate.leader > current.leader;
}

/** A vote as recorded from a notification, with the sender's state. */
export interface RecordedVote extends Vote {
  readonly state: ServerState;
}

/**
 * ZooKeeper's `Vote.equals`: while either side is LOOKING, votes agree only
 * if leader, zxid, round and peer epoch all match; votes of decided servers
 * (FOLLOWING/LEADING, possibly from an older round) agree on leader and peer
 * epoch alone, because followers report the zxid they had when they decided
 * and it moves on afterwards.
 */
export function votesAgree(a: RecordedVote, b: RecordedVote): boolean {
  if (a.state === 'LOOKING' || b.state === 'LOOKING') {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch;
  }
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

/** The senders in `votes` whose vote agrees with `vote`, i.e. ZooKeeper's `getVoteTracker` ack set. */
export function agreeingSenders(votes: ReadonlyMap<ServerId, RecordedVote>, vote: RecordedVote): Set<ServerId> {
  const senders = new Set<ServerId>();
  for (const [sid, recorded] of votes) if (votesAgree(vote, recorded)) senders.add(sid);
  return senders;
}

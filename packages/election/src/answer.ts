/**
 * Answers a decided server (FOLLOWING, LEADING, OBSERVING) gives to peers
 * that are still electing: ZooKeeper's `WorkerReceiver` does this on its own
 * thread while `lookForLeader` is idle. The {@link Election} machine calls it
 * once it has decided; a server that drives elections some other way (or
 * holds its established vote elsewhere) can call it directly.
 */
import type { QuorumVerifier, ServerId } from '@corral/base';
import type { DecidedState, Notification, OutboundNotification, Vote } from './types.js';

/** The decided server's side of {@link answerPeerWhileDecided}. */
export interface DecidedSelf {
  readonly sid: ServerId;
  readonly state: DecidedState;
  /** The vote the server decided on (its current vote). */
  readonly vote: Vote;
  readonly verifier: QuorumVerifier;
}

/**
 * What a decided server sends back on receiving `from`, or null. A LOOKING
 * peer (voter or observer) gets our current vote with our state, so it can
 * join the established leader through its out-of-election votes instead of
 * starting a round that would disturb the ensemble. Decided peers get
 * nothing: they already agree or will find out from their leader.
 *
 * Two departures from ZooKeeper's WorkerReceiver, which answers a non-voter
 * whatever its state and lets observers answer too: a decided observer and a
 * LOOKING voter would then answer each other forever (each reply is a
 * notification the other must answer), and nobody counts an observer's vote,
 * so an observer never answers.
 */
export function answerPeerWhileDecided(self: DecidedSelf, from: Notification): OutboundNotification | null {
  if (from.sid === self.sid) return null;
  if (from.state !== 'LOOKING') return null;
  if (!self.verifier.isVoter(self.sid)) return null;
  return {
    to: from.sid,
    notification: {
      sid: self.sid,
      state: self.state,
      leader: self.vote.leader,
      zxid: self.vote.zxid,
      electionEpoch: self.vote.electionEpoch,
      peerEpoch: self.vote.peerEpoch,
      configVersion: self.verifier.version,
    },
  };
}

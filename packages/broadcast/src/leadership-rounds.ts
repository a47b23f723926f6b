/**
 * Leadership rounds, for a linearizable sync (ZOOKEEPER-1675; README,
 * "Leadership rounds"): the leader numbers a round, pings every synced voter
 * with it, and the round is confirmed once a quorum (the leader included)
 * echoed it or a later one. A deposed leader that still believes it leads
 * cannot collect that quorum.
 */
import type { LearnerHandle } from './learner-handle.js';
import type { QuorumVerifier } from './quorum.js';
import type { ServerId } from './types.js';

/** The rounds a leader started and the echoes learners sent back. */
export class LeadershipRounds {
  private last = 0;

  /** Starts a new round and returns its number. */
  start(): number {
    return ++this.last;
  }

  /** A learner echoed `round` in its PING answer; a round not started yet is not counted. */
  echo(h: LearnerHandle, round: number): void {
    if (round > h.echoedRound && round <= this.last) h.echoedRound = round;
  }

  /** True once the leader plus the synced voters that echoed `round` (or later) form a quorum. */
  confirmed(round: number, self: ServerId, learners: Iterable<LearnerHandle>, quorum: QuorumVerifier): boolean {
    const echoed = new Set<ServerId>([self]);
    for (const h of learners) if (!h.observer && h.state === 'synced' && h.echoedRound >= round) echoed.add(h.sid);
    return quorum.containsQuorum(echoed);
  }
}

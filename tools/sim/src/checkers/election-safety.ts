/**
 * Election safety as @corral/election can promise it (its README: FLE
 * alone may split, so "one leader" is not promised; ZAB's step-down undoes
 * a split, and is checked by the liveness goal). What every decision must
 * satisfy:
 * 1. Roles: only a voter leads; LEADING exactly when the leader is the
 *    server itself; a voter that does not lead follows, an observer observes.
 * 2. The vote is real: its (peerEpoch, zxid) is a log position the leader
 *    itself proposed at some point.
 * 3. The leader is at least as up to date as a quorum: some quorum of
 *    voters has positions no better than the vote. This is what lets a
 *    ZAB leader hold every txn committed on a quorum. It holds because a
 *    vote is only decided once a quorum proposed it in one round, a voter
 *    never proposes worse than its own position, and positions here never
 *    grow (a torn tail only shrinks them).
 */
import { majorityQuorum } from '@corral/base';
import type { ServerId } from '@corral/base';
import type { LogPosition } from '@corral/election';
import type { ElectionNodeEvent, ElectionNodeView } from '../election-node.js';
import type { CheckContext, Checker } from './checker.js';

const positionKey = (p: LogPosition): string => `${p.currentEpoch}:${p.lastLoggedZxid}`;

/** Position a is no better than b in the vote order (peer epoch, then zxid). */
function noBetter(a: LogPosition, b: { readonly peerEpoch: bigint; readonly zxid: bigint }): boolean {
  return a.currentEpoch < b.peerEpoch || (a.currentEpoch === b.peerEpoch && a.lastLoggedZxid <= b.zxid);
}

/** Checks every decision against the three rules above. */
export class ElectionSafetyChecker implements Checker<ElectionNodeView, ElectionNodeEvent> {
  readonly name = 'election-safety';
  /** Every position each server has proposed, over the run. */
  private readonly proposed = new Map<ServerId, Set<string>>();
  /** Each server's latest position. */
  private readonly current = new Map<ServerId, LogPosition>();

  onEvent(event: ElectionNodeEvent, context: CheckContext<ElectionNodeView>): string | null {
    if (event.kind === 'looking') {
      const seen = this.proposed.get(event.sid) ?? new Set<string>();
      seen.add(positionKey(event.position));
      this.proposed.set(event.sid, seen);
      this.current.set(event.sid, event.position);
      return null;
    }
    const { sid, result } = event;
    const isVoter = context.voters.includes(sid);
    if (!context.voters.includes(result.leader)) return `${sid} decided leader ${result.leader}, which is not a voter`;
    const wantState = result.leader === sid ? 'LEADING' : isVoter ? 'FOLLOWING' : 'OBSERVING';
    if (result.state !== wantState) return `${sid} decided ${result.state} for leader ${result.leader}; want ${wantState}`;
    const leaderPosition = positionKey({ currentEpoch: result.peerEpoch, lastLoggedZxid: result.zxid });
    if (!(this.proposed.get(result.leader)?.has(leaderPosition) ?? false)) {
      return `${sid} decided leader ${result.leader} at peerEpoch=${result.peerEpoch} zxid=0x${result.zxid.toString(16)}, a position that server never had`;
    }
    const verifier = majorityQuorum({ voters: context.voters, observers: context.observers });
    const behind = new Set<ServerId>();
    for (const voter of context.voters) {
      const position = this.current.get(voter);
      if (position !== undefined && noBetter(position, result)) behind.add(voter);
    }
    if (!verifier.containsQuorum(behind)) {
      return `${sid} decided leader ${result.leader} (peerEpoch=${result.peerEpoch} zxid=0x${result.zxid.toString(16)}) but only ${[...behind].join(',') || 'nobody'} are no further ahead: not a quorum`;
    }
    return null;
  }
}

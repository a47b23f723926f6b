/**
 * Quorum verifiers (ZooKeeper's QuorumVerifier): who votes and which sets
 * of voters are a quorum. Broadcast needs only these two questions; the
 * election package may supply a hierarchical (groups and weights) verifier
 * through the same interface.
 */
import { assert } from '@corral/base';
import type { ServerId } from './types.js';

/** Decides quorums. Implementations must be pure and deterministic. */
export interface QuorumVerifier {
  /** True for participants (followers and the leader); false for observers and strangers. */
  isVoter(sid: ServerId): boolean;
  /** True when the voters among `sids` form a quorum. Non-voters in `sids` are ignored. */
  containsQuorum(sids: ReadonlySet<ServerId>): boolean;
}

/** The default: more than half of the voters (QuorumMaj). */
export class MajorityQuorum implements QuorumVerifier {
  private readonly voters: ReadonlySet<ServerId>;

  constructor(voters: readonly ServerId[]) {
    assert(voters.length > 0, 'a quorum needs at least one voter');
    for (const sid of voters) assert(Number.isSafeInteger(sid) && sid > 0, `voter sid ${sid} is a positive integer`);
    this.voters = new Set(voters);
    assert(this.voters.size === voters.length, 'voter sids are distinct');
  }

  isVoter(sid: ServerId): boolean {
    return this.voters.has(sid);
  }

  containsQuorum(sids: ReadonlySet<ServerId>): boolean {
    let count = 0;
    for (const sid of sids) if (this.voters.has(sid)) count++;
    return count * 2 > this.voters.size;
  }
}

/**
 * Quorum verifiers: which sets of servers form a quorum. Election counts
 * votes with them and broadcast counts ACKs with them, and the two packages
 * may not import each other (STYLE §1), so the verifier lives here.
 *
 * Semantics follow ZooKeeper's `QuorumVerifier`, `QuorumMaj` and
 * `QuorumHierarchical`: observers are members that never count towards a
 * quorum and have weight 0. Reconfiguration (a "next" verifier checked
 * alongside the current one) is not modelled yet; `version` is carried so
 * notifications can report it.
 */
import { assert } from './assert.js';

/** A server's id (ZooKeeper's myid / sid). A small non-negative integer. */
export type ServerId = number;

/** Decides whether a set of servers is a quorum of one configuration. */
export interface QuorumVerifier {
  /** Configuration version (ZooKeeper's `version=` line of the dynamic config). */
  readonly version: bigint;
  /** Servers that vote, ascending. */
  readonly votingMembers: readonly ServerId[];
  /** Observers: members that learn from the leader but never vote, ascending. */
  readonly observingMembers: readonly ServerId[];
  /** True for a participant (ZooKeeper's voting member), even one of weight 0. */
  isVoter(sid: ServerId): boolean;
  /** True for a voter or an observer. */
  isMember(sid: ServerId): boolean;
  /** A voter's weight; 0 for observers and strangers, so they never win a vote. */
  weight(sid: ServerId): number;
  /** True when the servers in `ackSet` form a quorum; members outside the voting set are ignored. */
  containsQuorum(ackSet: ReadonlySet<ServerId>): boolean;
}

function sortedUnique(name: string, sids: readonly ServerId[]): ServerId[] {
  for (const sid of sids) assert(Number.isSafeInteger(sid) && sid >= 0, `${name}: bad server id ${sid}`);
  const sorted = [...sids].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) assert(sorted[i] !== sorted[i - 1], `${name}: duplicate server id ${sorted[i]}`);
  return sorted;
}

function assertDisjoint(voters: readonly ServerId[], observers: readonly ServerId[]): void {
  const voterSet = new Set(voters);
  for (const sid of observers) assert(!voterSet.has(sid), `server ${sid} is both voter and observer`);
}

/** Options of {@link majorityQuorum}. */
export interface MajorityQuorumOptions {
  readonly voters: readonly ServerId[];
  readonly observers?: readonly ServerId[];
  readonly version?: bigint;
}

/**
 * ZooKeeper's `QuorumMaj`: a quorum is more than half of the voters.
 * With 4 voters a quorum is 3, as in ZooKeeper (even ensembles gain nothing).
 */
export function majorityQuorum(options: MajorityQuorumOptions): QuorumVerifier {
  const votingMembers = sortedUnique('voters', options.voters);
  const observingMembers = sortedUnique('observers', options.observers ?? []);
  assert(votingMembers.length > 0, 'a quorum needs at least one voter');
  assertDisjoint(votingMembers, observingMembers);
  const voters = new Set(votingMembers);
  const observers = new Set(observingMembers);
  const half = Math.floor(votingMembers.length / 2);
  return {
    version: options.version ?? 0n,
    votingMembers,
    observingMembers,
    isVoter: (sid) => voters.has(sid),
    isMember: (sid) => voters.has(sid) || observers.has(sid),
    weight: (sid) => (voters.has(sid) ? 1 : 0),
    containsQuorum(ackSet) {
      let count = 0;
      for (const sid of ackSet) if (voters.has(sid)) count++;
      return count > half;
    },
  };
}

/** Options of {@link hierarchicalQuorum}. */
export interface HierarchicalQuorumOptions {
  /** Group id to its voters; every voter is in exactly one group. */
  readonly groups: ReadonlyMap<number, readonly ServerId[]>;
  /** Voter weights; a voter missing here weighs 1. Weight 0: takes part, never counts, never leads. */
  readonly weights?: ReadonlyMap<ServerId, number>;
  readonly observers?: readonly ServerId[];
  readonly version?: bigint;
}

/**
 * ZooKeeper's `QuorumHierarchical`: a quorum is a majority (by weight) in
 * more than half of the groups that have any weight. Groups of zero weight
 * (e.g. a data centre of weight-0 servers) are left out of the count, as in
 * ZooKeeper.
 */
export function hierarchicalQuorum(options: HierarchicalQuorumOptions): QuorumVerifier {
  const groupOf = new Map<ServerId, number>();
  const weightOf = new Map<ServerId, number>();
  const groupWeight = new Map<number, number>();
  for (const [group, members] of options.groups) {
    let total = 0;
    for (const sid of sortedUnique(`group ${group}`, members)) {
      assert(!groupOf.has(sid), `server ${sid} is in two groups`);
      const weight = options.weights?.get(sid) ?? 1;
      assert(Number.isSafeInteger(weight) && weight >= 0, `server ${sid}: bad weight ${weight}`);
      groupOf.set(sid, group);
      weightOf.set(sid, weight);
      total += weight;
    }
    groupWeight.set(group, total);
  }
  const votingMembers = sortedUnique('voters', [...groupOf.keys()]);
  const observingMembers = sortedUnique('observers', options.observers ?? []);
  assertDisjoint(votingMembers, observingMembers);
  const observers = new Set(observingMembers);
  let weightedGroupCount = 0;
  for (const total of groupWeight.values()) if (total > 0) weightedGroupCount++;
  assert(weightedGroupCount > 0, 'a hierarchical quorum needs a group with weight');
  return {
    version: options.version ?? 0n,
    votingMembers,
    observingMembers,
    isVoter: (sid) => groupOf.has(sid),
    isMember: (sid) => groupOf.has(sid) || observers.has(sid),
    weight: (sid) => weightOf.get(sid) ?? 0,
    containsQuorum(ackSet) {
      const ackedWeight = new Map<number, number>();
      for (const sid of ackSet) {
        const group = groupOf.get(sid);
        if (group === undefined) continue;
        ackedWeight.set(group, (ackedWeight.get(group) ?? 0) + (weightOf.get(sid) ?? 0));
      }
      let majorityGroupCount = 0;
      for (const [group, acked] of ackedWeight) {
        const total = groupWeight.get(group) ?? 0;
        if (total > 0 && acked * 2 > total) majorityGroupCount++;
      }
      return majorityGroupCount * 2 > weightedGroupCount;
    },
  };
}

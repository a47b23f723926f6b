/**
 * Coverage of the crash points (issue 8 item 5: "a server crashes at every
 * persistence point of synchronisation, each (point × role × DIFF/TRUNC/SNAP)
 * covered by seeds"). A combination is `point/when/role/sync`:
 *
 * - point: the write or message a server crashes at (`crashPoints`). The
 *   epochs are two points, as ZooKeeper's two files: `accepted-epoch` is
 *   written on LEADERINFO (a learner, before its ACKEPOCH) or when a leader
 *   announces its epoch, `current-epoch` on NEWLEADER (a learner, with the
 *   sync's log, before its NEWLEADER ack) or when the leader's discovery
 *   ends. broadcast hands both in one HardState, but each write changes
 *   one of them, so the point is the field the write changes;
 * - when: before the write is durable, or after (NEWLEADER's ack only after
 *   it is sent; UPTODATE only on receipt, before the learner acts on it);
 * - role: leading, following or observing;
 * - sync: for a learner, how its current role synchronised (DIFF, TRUNC or
 *   SNAP; `none` before the leader chose, i.e. at LEADERINFO's acceptedEpoch
 *   write); `leader` for the leader. A learner writes acceptedEpoch after
 *   its sync only at an epoch rollover (broadcast README, "Epoch rollover").
 *
 * `reachableCombinations` lists every combination the protocol can reach
 * (a leader only appends and writes epochs; a snapshot is installed only
 * after SNAP, a truncation only after TRUNC), so a test can ask a fixed set
 * of seeds for all of them, and the swarm can steer each seed at one
 * (`drawCrashTarget`). TigerBeetle's marks (src/testing/marks.zig) and
 * FoundationDB's code probes serve the same purpose.
 */
import type { Xoshiro128 } from './prng.js';

/** The persistence points of synchronisation where a seed may crash a server. */
export const crashPoints = ['append', 'snapshot', 'truncate', 'accepted-epoch', 'current-epoch', 'newleader-ack', 'uptodate'] as const;
export type CrashPoint = (typeof crashPoints)[number];

/** A server's role when it reaches a crash point. */
export type CrashRole = 'leading' | 'following' | 'observing';

/** How the learner's current role synchronised; `leader` for a leader. */
export type CrashSync = 'DIFF' | 'TRUNC' | 'SNAP' | 'none' | 'leader';

/** One crash combination. */
export interface CrashTarget {
  readonly point: CrashPoint;
  readonly when: 'before' | 'after';
  readonly role: CrashRole;
  readonly sync: CrashSync;
}

/** The key of a combination in tables and SeedResult.crashPoints. */
export function crashKey(target: CrashTarget): string {
  return `${target.point}/${target.when}/${target.role}/${target.sync}`;
}

function combinations(): readonly CrashTarget[] {
  const list: CrashTarget[] = [];
  const both = ['before', 'after'] as const;
  for (const when of both) {
    list.push({ point: 'append', when, role: 'leading', sync: 'leader' });
    list.push({ point: 'accepted-epoch', when, role: 'leading', sync: 'leader' });
    list.push({ point: 'current-epoch', when, role: 'leading', sync: 'leader' });
  }
  for (const role of ['following', 'observing'] as const) {
    for (const when of both) list.push({ point: 'accepted-epoch', when, role, sync: 'none' });
    for (const sync of ['DIFF', 'TRUNC', 'SNAP'] as const) {
      for (const when of both) {
        list.push({ point: 'append', when, role, sync });
        list.push({ point: 'accepted-epoch', when, role, sync });
        list.push({ point: 'current-epoch', when, role, sync });
      }
      list.push({ point: 'newleader-ack', when: 'after', role, sync });
      list.push({ point: 'uptodate', when: 'before', role, sync });
    }
    for (const when of both) {
      list.push({ point: 'snapshot', when, role, sync: 'SNAP' });
      list.push({ point: 'truncate', when, role, sync: 'TRUNC' });
    }
  }
  return list;
}

/** Every combination synchronisation can reach (66). */
export const reachableCombinations: readonly CrashTarget[] = combinations();

/**
 * The seed's crash target: one reachable combination, uniformly, so rare ones (an observer
 * truncating) get as many seeds as common ones (a leader appending). Null in `noneShare` of seeds.
 */
export function drawCrashTarget(prng: Xoshiro128, noneShare = 0.3): CrashTarget | null {
  if (prng.chance(noneShare)) return null;
  return prng.pick(reachableCombinations);
}

/** Counts, over many seeds, the combinations reached and the crashes that fired at them. */
export class CrashCoverage {
  readonly fired = new Map<string, number>();
  readonly reached = new Map<string, number>();
  /** The first seed each combination fired in (to pin a covering set of seeds in a test). */
  readonly firstSeed = new Map<string, number>();

  add(result: { readonly seed: number; readonly crashPoints?: readonly string[]; readonly crashPointsReached?: ReadonlyMap<string, number> }): void {
    for (const key of result.crashPoints ?? []) {
      this.fired.set(key, (this.fired.get(key) ?? 0) + 1);
      if (!this.firstSeed.has(key)) this.firstSeed.set(key, result.seed);
    }
    for (const [key, count] of result.crashPointsReached ?? []) this.reached.set(key, (this.reached.get(key) ?? 0) + count);
  }

  /** Reachable combinations no crash fired at. */
  missing(): string[] {
    return reachableCombinations.map(crashKey).filter((key) => !this.fired.has(key));
  }

  /** The table `npm run sim` prints: one row per point/when/role, a column per sync. */
  table(): string[] {
    const syncs: readonly CrashSync[] = ['leader', 'none', 'DIFF', 'TRUNC', 'SNAP'];
    const rows = new Map<string, Map<CrashSync, string>>();
    for (const target of reachableCombinations) {
      const row = `${target.point}/${target.when}/${target.role}`;
      const key = crashKey(target);
      const cells = rows.get(row) ?? new Map<CrashSync, string>();
      cells.set(target.sync, `${this.fired.get(key) ?? 0}/${this.reached.get(key) ?? 0}`);
      rows.set(row, cells);
    }
    const width = 28;
    const lines = [`${'crash point (fired/reached)'.padEnd(width)}${syncs.map((s) => s.padStart(14)).join('')}`];
    for (const [row, cells] of rows) lines.push(`${row.padEnd(width)}${syncs.map((s) => (cells.get(s) ?? '-').padStart(14)).join('')}`);
    const seeds = [...new Set(this.firstSeed.values())].sort((a, b) => a - b);
    lines.push(`seeds that fire every combination above: ${seeds.join(' ')}`);
    const missing = this.missing();
    lines.push(`${reachableCombinations.length - missing.length} of ${reachableCombinations.length} combinations fired${missing.length === 0 ? '' : `; missing: ${missing.join(' ')}`}`);
    return lines;
  }
}

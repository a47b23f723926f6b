/**
 * Reads what each member holds, one client per member (pinned to that
 * member's address only), after a `sync` so a follower has caught up with
 * the leader's commits: the tests compare members with each other and with
 * the writes that were acknowledged.
 */
import assert from 'node:assert/strict';
import { ZkClient } from '@corral/client';
import type { TestEnsemble } from './test-ensemble.js';

/** Limits of a tree read. */
export const memberReadLimits = {
  /** A test tree never holds more; a bigger one is a bug in the test. */
  znodesMax: 50_000,
  sessionTimeoutMs: 8_000,
} as const;

/** path → data (utf-8) of `root` and everything below it, as one member sees it. */
export async function readSubtree(client: ZkClient, root: string): Promise<Map<string, string>> {
  await client.sync(root);
  const tree = new Map<string, string>();
  const pending = [root];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (tree.size >= memberReadLimits.znodesMax) throw new Error(`${root} holds more than ${memberReadLimits.znodesMax} znodes`);
    const { data } = await client.getData(path);
    tree.set(path, data === null ? '' : Buffer.from(data).toString('utf8'));
    const children = await client.getChildren(path);
    for (const child of children) pending.push(path === '/' ? `/${child}` : `${path}/${child}`);
  }
  return tree;
}

/** Each member's copy of `root` (only members in `sids`, default all). */
export async function readFromEachMember(ensemble: TestEnsemble, root: string, sids: readonly number[] = ensemble.sids): Promise<Map<number, Map<string, string>>> {
  const copies = new Map<number, Map<string, string>>();
  for (const sid of sids) {
    const client = await ZkClient.connect(ensemble.connectStringOf([sid]), { sessionTimeoutMs: memberReadLimits.sessionTimeoutMs });
    try {
      copies.set(sid, await readSubtree(client, root));
    } finally {
      await client.close();
    }
  }
  return copies;
}

/** Differences between members' copies (empty when all agree), at most a few lines per pair. */
export function differencesBetween(copies: ReadonlyMap<number, ReadonlyMap<string, string>>): string[] {
  const entries = [...copies];
  const first = entries[0];
  if (first === undefined) return [];
  const [baseSid, base] = first;
  const differences: string[] = [];
  for (const [sid, copy] of entries.slice(1)) {
    const missing = [...base.keys()].filter((path) => !copy.has(path));
    const extra = [...copy.keys()].filter((path) => !base.has(path));
    const changed = [...base].filter(([path, data]) => copy.has(path) && copy.get(path) !== data).map(([path]) => path);
    if (missing.length + extra.length + changed.length === 0) continue;
    differences.push(
      `server ${sid} vs ${baseSid}: ${missing.length} missing (${missing.slice(0, 3).join(' ')}), ${extra.length} extra (${extra.slice(0, 3).join(' ')}), ${changed.length} changed (${changed.slice(0, 3).join(' ')})`,
    );
  }
  return differences;
}

/** Acknowledged paths missing from some member's copy. */
export function missingAcked(copies: ReadonlyMap<number, ReadonlyMap<string, string>>, ackedPaths: readonly string[]): string[] {
  const missing: string[] = [];
  for (const [sid, copy] of copies) {
    const lost = ackedPaths.filter((path) => !copy.has(path));
    if (lost.length > 0) missing.push(`server ${sid} lost ${lost.length} acknowledged writes: ${lost.slice(0, 5).join(' ')}`);
  }
  return missing;
}

/** Asserts that every member holds every path in `ackedPaths` under `root`, and that all members' copies are equal. */
export async function assertMembersHold(ensemble: TestEnsemble, root: string, ackedPaths: readonly string[]): Promise<void> {
  const copies = await readFromEachMember(ensemble, root);
  assert.deepEqual(missingAcked(copies, ackedPaths), [], ensemble.describe());
  assert.deepEqual(differencesBetween(copies), [], `members disagree on ${root}`);
}

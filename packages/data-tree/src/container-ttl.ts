/**
 * ContainerManager.getCandidates as a pure function: which containers and
 * TTL nodes the server should delete now (it then submits deleteContainer
 * requests, which prep re-checks).
 */
import type { DataTree } from './data-tree.js';
import { ephemeralKind, ttlOf } from './stat.js';

/** Options of containerAndTtlCandidates. */
export interface CandidateOptions {
  /** znode.container.maxNeverUsedIntervalMs: 0 (default) keeps never-used containers forever. */
  readonly maxNeverUsedIntervalMs?: number;
}

/**
 * Containers with no children that once had one (persisted cversion > 0),
 * or never-used ones older than maxNeverUsedIntervalMs (by mtime); TTL nodes
 * with no children whose `now - mtime > ttl`. Sorted for determinism.
 */
export function containerAndTtlCandidates(tree: DataTree, nowMs: number, options: CandidateOptions = {}): string[] {
  const maxNeverUsed = options.maxNeverUsedIntervalMs ?? 0;
  const candidates: string[] = [];
  for (const path of tree.containers()) {
    const node = tree.getNode(path);
    if (node === undefined || node.childCount !== 0) continue;
    if (node.cversion > 0 || (maxNeverUsed !== 0 && nowMs - node.mtime > maxNeverUsed)) candidates.push(path);
  }
  for (const path of tree.ttlNodes()) {
    const node = tree.getNode(path);
    if (node === undefined || node.childCount !== 0 || ephemeralKind(node.ephemeralOwner) !== 'ttl') continue;
    const ttl = ttlOf(node.ephemeralOwner);
    if (ttl !== 0n && nowMs - node.mtime > Number(ttl)) candidates.push(path);
  }
  return candidates.sort();
}

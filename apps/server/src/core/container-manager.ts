/**
 * Container and TTL cleanup (ZooKeeper's ContainerManager): periodically
 * finds empty containers and expired TTL nodes and removes each through the
 * core as an ordinary deleteContainer txn, never as a local mutation,
 * so every replica removes the same node at the same zxid.
 */
import { containerAndTtlCandidates, type DataTree } from '@corral/data-tree';
import type { ClientCore } from './client-core.js';

/** Candidates removed per check, so a huge backlog does not stall the server. */
export const containerDeletesPerCheckMax = 10_000;

/** Runs the periodic container/TTL check. */
export class ContainerManager {
  /** The applied tree now (an ensemble member's is replaced by a SNAP). */
  private readonly tree: () => DataTree;
  private readonly core: ClientCore;
  private readonly clock: () => number;

  constructor(options: { tree: () => DataTree; core: ClientCore; clock: () => number }) {
    this.tree = options.tree;
    this.core = options.core;
    this.clock = options.clock;
  }

  check(): void {
    const candidates = containerAndTtlCandidates(this.tree(), this.clock());
    for (const path of candidates.slice(0, containerDeletesPerCheckMax)) this.core.proposeDeleteContainer(path);
  }
}

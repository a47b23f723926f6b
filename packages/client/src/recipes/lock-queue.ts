/**
 * The queue of sequential ephemeral nodes under which ZooKeeper's lock,
 * read-write lock and leader election all wait: a contender creates a
 * protected sequential node, lists its siblings, and either holds (nothing
 * that blocks it sorts before it) or waits for the deletion of exactly the
 * one node it must outlast — its predecessor for a mutex — so a release
 * wakes one waiter, not all (no herd effect; ZooKeeper recipes, "Locks").
 */
import { ZkCode, ZkError } from '@corral/base';
import { CreateMode } from '@corral/wire';
import type { CallOptions, ZkClient } from '../client.js';
import { deleteQuietly, deleteStrays, protectedCreate, retryOnLoss, sortBySequence, unprotectedName, waitForDeletion } from './common.js';
import { Lease } from './lease.js';

/**
 * Decides for the contender at `index` of the sorted contenders: null when it
 * holds, else the name of the node whose deletion it waits for.
 */
export type BlockerOf = (sorted: readonly string[], index: number) => string | null;

/** Options of one acquisition. */
export interface EnqueueOptions extends CallOptions {
  /** Directory of the contender nodes. */
  dir: string;
  /** Name prefix (e.g. `lock-`, `read-`); the sequence follows it. */
  prefix: string;
  /** Only nodes whose unprotected name has one of these prefixes take part. */
  prefixes: readonly string[];
  blockerOf: BlockerOf;
  data?: Uint8Array | string;
}

/** Waits until the contender holds; on failure or abort its node is deleted. */
export async function acquireInQueue(client: ZkClient, options: EnqueueOptions): Promise<Lease> {
  const signalOption = options.signal === undefined ? {} : { signal: options.signal };
  const node = await protectedCreate(client, {
    parent: options.dir,
    name: options.prefix,
    mode: CreateMode.EPHEMERAL_SEQUENTIAL,
    ...(options.data === undefined ? {} : { data: options.data }),
    ...signalOption,
  });
  try {
    for (;;) {
      const children = await retryOnLoss(client, () => client.getChildren(options.dir, signalOption), signalOption);
      await deleteStrays(client, options.dir, node, children);
      const sorted = contenders(children, options.prefixes).filter((name) => name === node.name || !name.startsWith(node.guidPrefix));
      const index = sorted.indexOf(node.name);
      // Our ephemeral is gone while the session lives only if someone deleted it: never hold then.
      if (index < 0) throw new ZkError(ZkCode.NONODE, { path: node.path, message: 'lock node deleted by someone else' });
      const blocker = options.blockerOf(sorted, index);
      if (blocker === null) return new Lease(client, node.path, node.stat.czxid, () => deleteStrays(client, options.dir, node));
      await waitForDeletion(client, `${options.dir}/${blocker}`, options.signal);
    }
  } catch (error) {
    await deleteQuietly(client, node.path);
    throw error;
  }
}

/** Contender names, in queue order. */
export function contenders(children: readonly string[], prefixes: readonly string[]): string[] {
  return sortBySequence(children.filter((name) => prefixes.some((prefix) => unprotectedName(name).startsWith(prefix))));
}

/** Mutex rule: hold when first, else wait for the predecessor. */
export const predecessor: BlockerOf = (sorted, index) => (index === 0 ? null : sorted[index - 1]!);

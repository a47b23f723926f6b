/**
 * Counting semaphore: at most `permits` holders. Contenders queue as
 * protected sequential ephemerals; the first `permits` in queue order hold.
 * A waiter cannot watch one node (any release ahead of it may admit it), so
 * it watches the directory's children; the queue order keeps admission fair.
 */
import { ZkCode, ZkError } from '@corral/base';
import { CreateMode } from '@corral/wire';
import type { CallOptions, ZkClient } from '../client.js';
import { isZkError } from '../errors.js';
import { deleteQuietly, deleteStrays, protectedCreate, wakeUp } from './common.js';
import { contenders } from './lock-queue.js';
import { Lease } from './lease.js';

const prefix = 'lease-';

/** A distributed counting semaphore on `dir`. */
export class Semaphore {
  constructor(
    private readonly client: ZkClient,
    readonly dir: string,
    readonly permits: number,
  ) {
    if (!Number.isSafeInteger(permits) || permits < 1) throw new RangeError(`permits must be a positive integer, got ${permits}`);
  }

  /** Waits for a permit. */
  async acquire(options: CallOptions = {}): Promise<Lease> {
    const client = this.client;
    const node = await protectedCreate(client, { parent: this.dir, name: prefix, mode: CreateMode.EPHEMERAL_SEQUENTIAL, ...options });
    try {
      for (;;) {
        const wake = wakeUp(client, options.signal);
        let children: string[];
        try {
          children = await client.getChildren(this.dir, { ...options, watch: wake.watcher });
        } catch (error) {
          wake.dispose();
          if (!isZkError(error, ZkCode.CONNECTIONLOSS)) throw error;
          await client.waitConnected(options);
          continue;
        }
        await deleteStrays(client, this.dir, node, children);
        const index = contenders(children, [prefix]).filter((name) => name === node.name || !name.startsWith(node.guidPrefix)).indexOf(node.name);
        if (index < 0) throw new ZkError(ZkCode.NONODE, { path: node.path, message: 'semaphore node deleted by someone else' });
        if (index < this.permits) {
          wake.dispose();
          return new Lease(client, node.path, node.stat.czxid, () => deleteStrays(client, this.dir, node));
        }
        await wake.wait;
      }
    } catch (error) {
      await deleteQuietly(client, node.path);
      throw error;
    }
  }
}

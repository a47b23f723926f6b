/**
 * Mutex (Curator's InterProcessMutex without reentrance): one holder at a
 * time; waiters queue in creation order, each watching only its predecessor.
 * The lease carries a fencing token, the lock node's czxid.
 */
import type { CallOptions, ZkClient } from '../client.js';
import { acquireInQueue, contenders, predecessor } from './lock-queue.js';
import type { Lease } from './lease.js';

const prefix = 'lock-';

/** A distributed mutex on `dir`. */
export class Mutex {
  constructor(
    private readonly client: ZkClient,
    readonly dir: string,
  ) {}

  /** Waits for the lock. Release it with `lease.release()`; stop using the resource when `lease.signal` aborts. */
  acquire(options: CallOptions = {}): Promise<Lease> {
    return acquireInQueue(this.client, { ...options, dir: this.dir, prefix, prefixes: [prefix], blockerOf: predecessor });
  }

  /** Names of the contenders in queue order (the first holds). */
  async participants(options: CallOptions = {}): Promise<string[]> {
    return contenders(await this.client.getChildren(this.dir, options), [prefix]);
  }
}

/**
 * Barrier (ZooKeeper recipes, "Barriers"): while the barrier node exists,
 * waiters block; removing it releases them all. Every step is idempotent, so
 * connection loss is handled by retrying after the reconnect.
 */
import { ZkCode } from '@corral/base';
import type { CallOptions, ZkClient } from '../client.js';
import { isZkError } from '../errors.js';
import { deleteQuietly, ensurePath, retryOnLoss, waitForDeletion } from './common.js';

/** A barrier at `path`. */
export class Barrier {
  constructor(
    private readonly client: ZkClient,
    readonly path: string,
  ) {}

  /** Raises the barrier (creates its node; already raised is fine). */
  async set(options: CallOptions = {}): Promise<void> {
    const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
    await ensurePath(this.client, parent, options);
    await retryOnLoss(this.client, () => this.client.create(this.path, '', options).catch((error: unknown) => {
      if (!isZkError(error, ZkCode.NODEEXISTS)) throw error;
      return this.path;
    }), options);
  }

  /** Lowers the barrier, releasing every waiter. */
  async remove(): Promise<void> {
    await deleteQuietly(this.client, this.path);
  }

  /** Waits until the barrier is lowered (returns at once if it is not raised). */
  async wait(options: CallOptions = {}): Promise<void> {
    await waitForDeletion(this.client, this.path, options.signal);
  }
}

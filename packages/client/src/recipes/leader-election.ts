/**
 * Leader election (ZooKeeper recipes, "Leader Election"; etcd's v3election
 * API shape): candidates queue as protected sequential ephemerals holding
 * their id; the first is the leader; each other candidate watches only its
 * predecessor. Leadership is a Lease: its fencing token orders leaders, its
 * signal aborts when the session is lost.
 */
import type { Watcher } from '../watch-registry.js';
import type { CallOptions, ZkClient } from '../client.js';
import { ZkCode } from '@corral/base';
import { isZkError } from '../errors.js';
import { ensurePath, retryOnLoss, wakeUp } from './common.js';
import { acquireInQueue, contenders, predecessor } from './lock-queue.js';
import type { Lease } from './lease.js';

const prefix = 'candidate-';

/** An election among the candidates under `dir`. */
export class LeaderElection {
  constructor(
    private readonly client: ZkClient,
    readonly dir: string,
  ) {}

  /** Becomes a candidate and resolves once leader. `id` is what `leader()` reports. Resign with `lease.release()`. */
  campaign(id: string, options: CallOptions = {}): Promise<Lease> {
    return acquireInQueue(this.client, { ...options, dir: this.dir, prefix, prefixes: [prefix], blockerOf: predecessor, data: id });
  }

  /** The current leader's id, or null if there is none. */
  async leader(options: CallOptions = {}): Promise<string | null> {
    return (await this.leaderWithWatch(options)).id;
  }

  /** Leader ids as they change (null when there is none), starting with the current one. */
  async *observe(options: CallOptions = {}): AsyncGenerator<string | null> {
    let last: string | null | undefined;
    for (;;) {
      const wake = wakeUp(this.client, options.signal);
      try {
        const { id } = await this.leaderWithWatch(options, wake.watcher);
        if (id !== last) {
          last = id;
          yield id;
        }
        await wake.wait;
      } finally {
        wake.dispose();
      }
    }
  }

  private async leaderWithWatch(options: CallOptions, watcher?: Watcher): Promise<{ id: string | null }> {
    return retryOnLoss(this.client, async () => {
      for (;;) {
        let children: string[];
        try {
          children = await this.client.getChildren(this.dir, { ...options, ...(watcher === undefined ? {} : { watch: watcher }) });
        } catch (error) {
          if (!isZkError(error, ZkCode.NONODE)) throw error;
          // No candidate ever ran: create the directory so the child watch can be set.
          await ensurePath(this.client, this.dir, options);
          continue;
        }
        const first = contenders(children, [prefix])[0];
        if (first === undefined) return { id: null };
        try {
          return { id: Buffer.from((await this.client.getData(`${this.dir}/${first}`, options)).data ?? []).toString() };
        } catch (error) {
          // The leader resigned between the two reads: look again.
          if (!isZkError(error, ZkCode.NONODE)) throw error;
        }
      }
    }, options);
  }
}

/**
 * Double barrier (ZooKeeper recipes, "Double Barriers"; Curator's
 * DistributedDoubleBarrier): `enter` blocks until `count` members have
 * entered, `leave` until all have left. Members are ephemerals with unique
 * names, so a create retried after connection loss finds its own node
 * (NODEEXISTS owned by this session) instead of duplicating it. Leaving
 * waits on one node at a time: the lowest member waits for the highest to
 * go, the others delete themselves and wait for the lowest.
 */
import { randomUUID } from 'node:crypto';
import { ZkCode } from '@corral/base';
import { CreateMode } from '@corral/wire';
import type { CallOptions, ZkClient } from '../client.js';
import { isZkError } from '../errors.js';
import { deleteQuietly, ensurePath, retryOnLoss, waitForDeletion, wakeUp } from './common.js';

const readyName = 'ready';

/** A double barrier at `dir` for `count` members. */
export class DoubleBarrier {
  private readonly name = randomUUID();

  constructor(
    private readonly client: ZkClient,
    readonly dir: string,
    readonly count: number,
  ) {}

  private get ownPath(): string {
    return `${this.dir}/${this.name}`;
  }

  /** Joins and waits until `count` members have joined. */
  async enter(options: CallOptions = {}): Promise<void> {
    const client = this.client;
    await ensurePath(client, this.dir, options);
    const readyPath = `${this.dir}/${readyName}`;
    for (;;) {
      const wake = wakeUp(client, options.signal);
      try {
        const ready = await retryOnLoss(client, () => client.exists(readyPath, { ...options, watch: wake.watcher }), options);
        await this.createOwn(options);
        if (ready !== null) return;
        const members = await retryOnLoss(client, () => this.members(options), options);
        if (members.length >= this.count) {
          await retryOnLoss(client, () => client.create(readyPath, '', options).catch((error: unknown) => {
            if (!isZkError(error, ZkCode.NODEEXISTS)) throw error;
            return readyPath;
          }), options);
          return;
        }
        const event = await wake.wait;
        if (event !== null) return;
      } finally {
        wake.dispose();
      }
    }
  }

  /** Leaves and waits until every member has left. */
  async leave(options: CallOptions = {}): Promise<void> {
    const client = this.client;
    for (;;) {
      const members = (await retryOnLoss(client, () => this.members(options), options)).sort();
      if (members.length === 0) {
        await deleteQuietly(client, `${this.dir}/${readyName}`);
        return;
      }
      const mine = members.includes(this.name);
      if (members.length === 1 && mine) {
        await deleteQuietly(client, this.ownPath);
        continue;
      }
      const lowest = members[0]!;
      const highest = members[members.length - 1]!;
      if (mine && lowest === this.name) {
        await waitForDeletion(client, `${this.dir}/${highest}`, options.signal);
        continue;
      }
      if (mine) await deleteQuietly(client, this.ownPath);
      await waitForDeletion(client, `${this.dir}/${lowest}`, options.signal);
    }
  }

  private async members(options: CallOptions): Promise<string[]> {
    return (await this.client.getChildren(this.dir, options)).filter((name) => name !== readyName);
  }

  private async createOwn(options: CallOptions): Promise<void> {
    await retryOnLoss(this.client, async () => {
      try {
        await this.client.create(this.ownPath, '', { ...options, mode: CreateMode.EPHEMERAL });
      } catch (error) {
        if (!isZkError(error, ZkCode.NODEEXISTS)) throw error;
      }
    }, options);
  }
}

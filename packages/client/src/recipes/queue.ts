/**
 * FIFO and priority queue (ZooKeeper recipes, "Queues"), with exactly-once
 * hand-off under connection loss:
 * - offer: a protected persistent-sequential create, so a lost reply is
 *   resolved by finding the guid instead of offering the item twice;
 * - take: one multi that deletes the item and creates a claim node named by
 *   this consumer and attempt, holding the item's data. Exactly one consumer's
 *   multi can delete an item; after a lost reply, the claim node says
 *   whether ours did (per-session FIFO orders our check after the multi).
 * Items sort by (priority, sequence); a FIFO queue has priority 0 for all.
 */
import { randomUUID } from 'node:crypto';
import { ZkCode } from '@corral/base';
import { CreateMode } from '@corral/wire';
import type { Watcher } from '../watch-registry.js';
import type { CallOptions, ZkClient } from '../client.js';
import { isZkError } from '../errors.js';
import { MultiError } from '../multi-results.js';
import { deleteQuietly, ensurePath, protectedCreate, retryOnLoss, sequenceOf, unprotectedName, wakeUp } from './common.js';

const itemPrefix = 'qn-';
/** Priorities are written as fixed-width decimal after an offset so names sort as numbers would. */
const priorityOffset = 1_000_000_000;
const priorityDigits = 10;

/** Items and claims live in two directories under the queue's path. */
const itemsDir = 'items';
const claimsDir = 'claims';

/** A distributed queue at `dir` (FIFO; with priorities, lower first). */
export class DistributedQueue {
  private readonly consumerId = randomUUID();
  private attemptCount = 0;
  /** Both directories exist (checked once per instance; a take that finds one gone recreates it). */
  private prepared = false;

  constructor(
    private readonly client: ZkClient,
    readonly dir: string,
  ) {}

  /** Adds an item. `priority` (default 0, range ±10^9): lower is taken first; equal priorities in offer order. */
  async offer(data: Uint8Array | string, options: CallOptions & { priority?: number } = {}): Promise<void> {
    const priority = options.priority ?? 0;
    if (!Number.isSafeInteger(priority) || Math.abs(priority) >= priorityOffset) throw new RangeError(`priority ${priority} out of range`);
    const name = `${itemPrefix}${String(priority + priorityOffset).padStart(priorityDigits, '0')}-`;
    await protectedCreate(this.client, { parent: `${this.dir}/${itemsDir}`, name, data, mode: CreateMode.PERSISTENT_SEQUENTIAL, ...options });
  }

  /** Takes the first item, or null when the queue is empty. */
  async poll(options: CallOptions = {}): Promise<Uint8Array | null> {
    return this.takeFrom(await retryOnLoss(this.client, () => this.items(options), options), options);
  }

  /** Takes the first item, waiting for one if the queue is empty. */
  async take(options: CallOptions = {}): Promise<Uint8Array> {
    for (;;) {
      const wake = wakeUp(this.client, options.signal);
      try {
        const names = await retryOnLoss(this.client, () => this.items({ ...options, watch: wake.watcher }), options);
        const data = await this.takeFrom(names, options);
        if (data !== null) return data;
        await wake.wait;
      } finally {
        wake.dispose();
      }
    }
  }

  /** Item count. */
  async size(options: CallOptions = {}): Promise<number> {
    return (await this.items(options)).length;
  }

  private async items(options: CallOptions & { watch?: Watcher }): Promise<string[]> {
    const path = `${this.dir}/${itemsDir}`;
    if (!this.prepared) {
      await ensurePath(this.client, path, options);
      await ensurePath(this.client, `${this.dir}/${claimsDir}`, options);
      this.prepared = true;
    }
    return sortItems(await this.client.getChildren(path, options));
  }

  private async takeFrom(names: readonly string[], options: CallOptions): Promise<Uint8Array | null> {
    for (const name of names) {
      const data = await this.claim(name, options);
      if (data !== null) return data;
    }
    return null;
  }

  /** Tries to take one item; null if another consumer took it first. */
  private async claim(name: string, options: CallOptions): Promise<Uint8Array | null> {
    const client = this.client;
    const itemPath = `${this.dir}/${itemsDir}/${name}`;
    const claimPath = `${this.dir}/${claimsDir}/${this.consumerId}-${this.attemptCount++}`;
    let data: Uint8Array;
    try {
      // An item written as null data by another client reads as empty.
      data = (await retryOnLoss(client, () => client.getData(itemPath, options), options)).data ?? new Uint8Array(0);
    } catch (error) {
      if (isZkError(error, ZkCode.NONODE)) return null;
      throw error;
    }
    try {
      await client.transaction().delete(itemPath).create(claimPath, data).commit(options);
    } catch (error) {
      if (error instanceof MultiError) {
        if (error.failedIndex === 0 && error.code === ZkCode.NONODE) return null;
        if (error.failedIndex === 1 && error.code === ZkCode.NONODE) {
          await ensurePath(client, `${this.dir}/${claimsDir}`, options);
          return this.claim(name, options);
        }
        throw error;
      }
      if (!isZkError(error, ZkCode.CONNECTIONLOSS)) throw error;
      const claimed = await retryOnLoss(client, () => client.exists(claimPath, options), options);
      if (claimed === null) return null;
    }
    await deleteQuietly(client, claimPath);
    return data;
  }
}

function sortItems(children: readonly string[]): string[] {
  const items = children.filter((name) => unprotectedName(name).startsWith(itemPrefix));
  const priority = (name: string): number => Number(unprotectedName(name).slice(itemPrefix.length, itemPrefix.length + priorityDigits));
  return items.sort((a, b) => priority(a) - priority(b) || sequenceOf(a) - sequenceOf(b));
}

/**
 * Shared counter by compare-and-set (Curator's SharedCount): read value and
 * version, write value+delta at that version, retry on BADVERSION. A write
 * whose reply was lost is resolved without guessing: the write is a multi
 * that also creates an ephemeral marker child named by a unique tag, so after
 * the reconnect the marker says whether the write was applied, whatever
 * other writers did since. The marker is then deleted (or goes with the
 * session). Retrying a lost-but-applied write blindly would count twice.
 */
import { randomUUID } from 'node:crypto';
import { ZkCode } from '@corral/base';
import type { CallOptions, ZkClient } from '../client.js';
import { CreateMode } from '@corral/wire';
import { isZkError } from '../errors.js';
import { MultiError } from '../multi-results.js';
import { deleteQuietly, ensurePath, retryOnLoss } from './common.js';

/** A counter at `path`, shared by every client. */
export class SharedCounter {
  /** Names this writer's markers; with writeCount, unique per write. */
  private readonly writerId = randomUUID();
  private writeCount = 0;

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
  ) {}

  /** The current value (0 if the counter was never written). */
  async get(options: CallOptions = {}): Promise<number> {
    return (await this.read(options)).value;
  }

  /** Adds `delta` atomically and returns the new value. */
  async add(delta: number, options: CallOptions = {}): Promise<number> {
    for (;;) {
      const { value, version } = await this.read(options);
      const next = value + delta;
      const marker = `${this.path}/w-${this.writerId}-${this.writeCount++}`;
      let applied: boolean;
      try {
        await this.client.transaction().setData(this.path, String(next), version).create(marker, '', { mode: CreateMode.EPHEMERAL }).commit(options);
        applied = true;
      } catch (error) {
        if (error instanceof MultiError && error.code === ZkCode.BADVERSION) continue;
        if (!isZkError(error, ZkCode.CONNECTIONLOSS)) throw error;
        applied = (await retryOnLoss(this.client, () => this.client.exists(marker, options), options)) !== null;
      }
      if (!applied) continue;
      await deleteQuietly(this.client, marker);
      return next;
    }
  }

  private async read(options: CallOptions): Promise<{ value: number; version: number }> {
    return retryOnLoss(this.client, async () => {
      try {
        const { data, stat } = await this.client.getData(this.path, options);
        return { value: parse(data ?? new Uint8Array(0)), version: stat.version };
      } catch (error) {
        if (!isZkError(error, ZkCode.NONODE)) throw error;
        const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
        await ensurePath(this.client, parent, options);
        await this.client.create(this.path, '0', options).catch((createError: unknown) => {
          if (!isZkError(createError, ZkCode.NODEEXISTS)) throw createError;
          return this.path;
        });
        const { data, stat } = await this.client.getData(this.path, options);
        return { value: parse(data ?? new Uint8Array(0)), version: stat.version };
      }
    }, options);
  }
}

function parse(data: Uint8Array): number {
  const value = Number(Buffer.from(data).toString());
  return Number.isFinite(value) ? value : 0;
}

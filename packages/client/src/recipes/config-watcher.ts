/**
 * Configuration watcher: keeps the latest data of one node and reports each
 * change. One-shot data/exists watches, re-armed by every read; after a
 * reconnect the node is read again (a change in the gap would otherwise be
 * reported only if the server replays it). Changes are reported in zxid
 * order and never twice for the same mzxid.
 */
import { EventEmitter } from 'node:events';
import { ZkCode } from '@corral/base';
import type { Watcher } from '../watch-registry.js';
import type { ZkClient } from '../client.js';
import { isZkError } from '../errors.js';
import { wakeUp } from './common.js';

/** A node's data as the watcher last saw it; null when the node does not exist. */
export interface ConfigValue {
  data: Uint8Array | null;
  /** The mzxid of that data (0 when absent). */
  mzxid: bigint;
}

/** Events: 'change' (ConfigValue), 'failed' (error: the session ended). */
export class ConfigWatcher extends EventEmitter {
  private valueNow: ConfigValue | null = null;
  private readonly controller = new AbortController();
  private loop: Promise<void> | null = null;
  private firstValue: Promise<ConfigValue> | null = null;

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
  ) {
    super();
  }

  /** Starts watching; resolves with the first value. */
  start(): Promise<ConfigValue> {
    this.firstValue ??= new Promise<ConfigValue>((resolve, reject) => {
      this.once('change', resolve);
      this.once('failed', reject);
      this.loop = this.run();
    });
    return this.firstValue;
  }

  /** The latest value (null before start() resolved). */
  get value(): ConfigValue | null {
    return this.valueNow;
  }

  /** Stops watching and removes listeners. Idempotent. */
  async close(): Promise<void> {
    this.controller.abort();
    await this.loop;
    this.removeAllListeners();
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      const wake = wakeUp(this.client, signal);
      try {
        const value = await this.read(wake.watcher);
        if (value !== null && (this.valueNow === null || value.mzxid !== this.valueNow.mzxid)) {
          this.valueNow = value;
          this.emit('change', value);
        }
        await wake.wait;
      } catch (error) {
        if (signal.aborted) return;
        if (isZkError(error, ZkCode.CONNECTIONLOSS)) continue;
        this.emit('failed', error);
        return;
      } finally {
        wake.dispose();
      }
    }
  }

  /** Reads with a watch; null on connection loss (the loop waits for the reconnect). */
  private async read(watch: Watcher): Promise<ConfigValue | null> {
    const signal = this.controller.signal;
    try {
      const { data, stat } = await this.client.getData(this.path, { watch, signal });
      return { data, mzxid: stat.mzxid };
    } catch (error) {
      if (isZkError(error, ZkCode.CONNECTIONLOSS)) return null;
      if (!isZkError(error, ZkCode.NONODE)) throw error;
      // Absent: watch for its creation instead (and catch a create that raced the getData).
      const stat = await this.client.exists(this.path, { watch, signal });
      return stat === null ? { data: null, mzxid: 0n } : null;
    }
  }
}

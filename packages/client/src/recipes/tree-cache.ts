/**
 * Tree cache (Curator's CuratorCache): a local copy of a subtree, kept with
 * one persistent recursive watch. Every event re-reads the node it names;
 * replies and events share one ordered connection, so a re-read issued after
 * an event sees at least that event's state and results are applied in
 * order. Persistent watches get no catch-up events on reconnect, so after a
 * reconnect the whole subtree is loaded again and compared.
 */
import { EventEmitter } from 'node:events';
import { ZkCode } from '@corral/base';
import { EventType, type Stat } from '@corral/wire';
import type { ZkClient } from '../client.js';
import { isZkError } from '../errors.js';
import type { WatchEvent } from '../watch-registry.js';

/** One cached node. */
export interface CachedNode {
  /** Null when the node's data is null (distinct from empty, as ZooKeeper). */
  data: Uint8Array | null;
  stat: Stat;
}

/** Events: 'added'|'updated' (path, node), 'removed' (path), 'initialized', 'failed' (error). */
export class TreeCache extends EventEmitter {
  private readonly nodes = new Map<string, CachedNode>();
  private readonly watcher = (event: WatchEvent): void => this.onEvent(event);
  private readonly onReconnected = (): void => {
    void this.load().catch((error: unknown) => this.fail(error));
  };
  private started = false;
  private closed = false;

  constructor(
    private readonly client: ZkClient,
    readonly root: string,
  ) {
    super();
  }

  /** Adds the watch, loads the subtree, and resolves once the cache is complete. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.client.addWatch(this.root, this.watcher, { recursive: true });
    this.client.on('reconnected', this.onReconnected);
    await this.load();
    this.emit('initialized');
  }

  /** The cached node at `path`, if any. */
  get(path: string): CachedNode | undefined {
    return this.nodes.get(path);
  }

  /** Every cached path. */
  paths(): string[] {
    return [...this.nodes.keys()];
  }

  /** Removes the watch and listeners. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.off('reconnected', this.onReconnected);
    if (this.started && this.client.state !== 'closed' && this.client.state !== 'expired') {
      await this.client.removeWatches(this.root, { watcher: this.watcher }).catch(() => undefined);
    }
    this.removeAllListeners();
  }

  /** Reads the whole subtree, then drops cached nodes that no longer exist. */
  private async load(): Promise<void> {
    const seen = new Set<string>();
    const pending = [this.root];
    while (pending.length > 0 && !this.closed) {
      const path = pending.pop()!;
      const node = await this.refresh(path);
      if (node === null) continue;
      seen.add(path);
      const children = await this.client.getChildren(path).catch((error: unknown) => {
        if (isZkError(error, ZkCode.NONODE)) return [];
        throw error;
      });
      for (const child of children) pending.push(path === '/' ? `/${child}` : `${path}/${child}`);
    }
    for (const path of [...this.nodes.keys()]) {
      if (!seen.has(path)) this.removeTree(path);
    }
  }

  private onEvent(event: WatchEvent): void {
    if (this.closed) return;
    if (event.type === EventType.NodeDeleted) {
      this.removeTree(event.path);
      return;
    }
    void this.refresh(event.path).catch((error: unknown) => {
      // A refresh cut by connection loss is redone by the reload after the reconnect.
      if (!isZkError(error, ZkCode.CONNECTIONLOSS)) this.fail(error);
    });
  }

  /** Reads one node into the cache; null if it does not exist. */
  private async refresh(path: string): Promise<CachedNode | null> {
    let node: CachedNode;
    try {
      node = await this.client.getData(path);
    } catch (error) {
      if (!isZkError(error, ZkCode.NONODE)) throw error;
      this.removeTree(path);
      return null;
    }
    const old = this.nodes.get(path);
    if (old !== undefined && old.stat.mzxid === node.stat.mzxid && old.stat.czxid === node.stat.czxid) return old;
    this.nodes.set(path, node);
    this.emit(old === undefined ? 'added' : 'updated', path, node);
    return node;
  }

  private removeTree(path: string): void {
    for (const cached of [...this.nodes.keys()]) {
      if (cached === path || cached.startsWith(path === '/' ? '/' : `${path}/`)) {
        this.nodes.delete(cached);
        this.emit('removed', cached);
      }
    }
  }

  private fail(error: unknown): void {
    if (!this.closed) this.emit('failed', error);
  }
}

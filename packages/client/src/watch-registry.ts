/**
 * The client's watch table (ZooKeeper's ZKWatchManager): which callbacks
 * wait for which path, by kind. The server keeps one watch per (path, kind)
 * per session; the client fans an event out to every callback registered
 * for it, removes one-shot callbacks as they fire, and lists what is left so
 * a new connection can re-register it (setWatches2).
 */
import { EventType } from '@corral/wire';

/** The five kinds of server-side watch a session can hold. */
export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

/** A watch notification as the client sees it (path relative to the chroot). */
export interface WatchEvent {
  /** EventType: NodeCreated 1, NodeDeleted 2, NodeDataChanged 3, NodeChildrenChanged 4. */
  type: number;
  path: string;
  /** The zxid the server sent with the notification (-1 from servers before 3.9). */
  zxid: bigint;
}

/** A watch callback. */
export type Watcher = (event: WatchEvent) => void;

const kinds: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];

/** Every path per kind, as setWatches2 wants them. */
export type WatchPaths = Record<WatchKind, string[]>;

/** Callback table per kind and path. */
export class WatchRegistry {
  private readonly tables = new Map<WatchKind, Map<string, Set<Watcher>>>(kinds.map((kind) => [kind, new Map()]));

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const table = this.tables.get(kind)!;
    let set = table.get(path);
    if (set === undefined) table.set(path, (set = new Set()));
    set.add(watcher);
  }

  /** Removes one callback, or all of the path's callbacks of `kind` when `watcher` is undefined. True if any was removed. */
  remove(kind: WatchKind, path: string, watcher?: Watcher): boolean {
    const table = this.tables.get(kind)!;
    const set = table.get(path);
    if (set === undefined) return false;
    if (watcher === undefined) return table.delete(path);
    const removed = set.delete(watcher);
    if (set.size === 0) table.delete(path);
    return removed;
  }

  has(kind: WatchKind, path: string): boolean {
    return this.tables.get(kind)!.has(path);
  }

  /** The callbacks an event reaches; one-shot ones are removed (they fire once, as in ZooKeeper). */
  take(event: WatchEvent): Watcher[] {
    const out: Watcher[] = [];
    const { type, path } = event;
    if (type === EventType.NodeCreated || type === EventType.NodeDataChanged || type === EventType.NodeDeleted) {
      this.drain('data', path, out);
      this.drain('exist', path, out);
    }
    if (type === EventType.NodeChildrenChanged || type === EventType.NodeDeleted) this.drain('child', path, out);
    for (const watcher of this.tables.get('persistent')!.get(path) ?? []) out.push(watcher);
    // Recursive watches never see NodeChildrenChanged (ZooKeeper's AddWatchMode docs).
    if (type !== EventType.NodeChildrenChanged) {
      const recursive = this.tables.get('persistentRecursive')!;
      for (let at: string | null = path; at !== null; at = parentOf(at)) {
        for (const watcher of recursive.get(at) ?? []) out.push(watcher);
      }
    }
    return out;
  }

  /** Paths per kind, for setWatches2 after a reconnect. */
  paths(): WatchPaths {
    const out = {} as WatchPaths;
    for (const kind of kinds) out[kind] = [...this.tables.get(kind)!.keys()];
    return out;
  }

  clear(): void {
    for (const table of this.tables.values()) table.clear();
  }

  private drain(kind: WatchKind, path: string, out: Watcher[]): void {
    const table = this.tables.get(kind)!;
    const set = table.get(path);
    if (set === undefined) return;
    table.delete(path);
    for (const watcher of set) out.push(watcher);
  }
}

function parentOf(path: string): string | null {
  if (path === '/') return null;
  const slash = path.lastIndexOf('/');
  return slash === 0 ? '/' : path.slice(0, slash);
}

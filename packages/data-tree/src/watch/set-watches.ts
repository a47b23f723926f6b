/**
 * Re-registering a client's watches after it reconnects (setWatches, opcode
 * 101, and setWatches2, opcode 105), as DataTree.setWatches does. The client
 * sends the last zxid it saw; a watch whose trigger happened while it was
 * away fires at once instead of being registered, so no event is lost:
 * - data watch: NodeDeleted if the node is gone, NodeDataChanged if
 *   mzxid > relativeZxid, else registered;
 * - exist watch: NodeCreated if the node now exists, else registered (as a
 *   data watch);
 * - child watch: NodeDeleted if the node is gone, NodeChildrenChanged if
 *   pzxid > relativeZxid, else registered;
 * - persistent and persistent-recursive watches: registered, never fired
 *   (ZooKeeper cannot tell what they missed).
 * Events come out in ZooKeeper's order: the lists in the order above, each
 * in request order, with no deduplication (one event per list entry).
 * setWatches (101) is the same call with empty persistent lists.
 */
import { EventType } from '@corral/base';
import type { WatchDelivery, WatchManager } from './watch-manager.js';
import { WatchKind } from './watch-kind.js';

/** The node fields setWatches compares (czxid is unused by ZooKeeper but harmless to pass). */
export interface WatchedNodeZxids {
  mzxid: bigint;
  pzxid: bigint;
}

/** The body of a SetWatches / SetWatches2 request. */
export interface SetWatchesRequest {
  relativeZxid: bigint;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
  persistentWatches?: readonly string[];
  persistentRecursiveWatches?: readonly string[];
}

/** Events to send now, and how many watches a limit refused. */
export interface SetWatchesResult {
  events: WatchDelivery[];
  refusedCount: number;
}

/**
 * Applies a SetWatches/SetWatches2 request for `sessionId`. `lookup` reads
 * the tree (undefined for a missing node) and must not change it.
 */
export function setWatches(
  manager: WatchManager,
  sessionId: bigint,
  request: SetWatchesRequest,
  lookup: (path: string) => WatchedNodeZxids | undefined,
): SetWatchesResult {
  const events: WatchDelivery[] = [];
  let refusedCount = 0;
  const fire = (type: EventType, path: string): void => {
    events.push({ sessionId, type, path });
  };
  const register = (path: string, kind: number): void => {
    if (!manager.add(path, sessionId, kind)) refusedCount++;
  };
  const { relativeZxid } = request;
  for (const path of request.dataWatches) {
    const node = lookup(path);
    if (node === undefined) fire(EventType.NodeDeleted, path);
    else if (node.mzxid > relativeZxid) fire(EventType.NodeDataChanged, path);
    else register(path, WatchKind.data);
  }
  for (const path of request.existWatches) {
    if (lookup(path) !== undefined) fire(EventType.NodeCreated, path);
    else register(path, WatchKind.data);
  }
  for (const path of request.childWatches) {
    const node = lookup(path);
    if (node === undefined) fire(EventType.NodeDeleted, path);
    else if (node.pzxid > relativeZxid) fire(EventType.NodeChildrenChanged, path);
    else register(path, WatchKind.child);
  }
  for (const path of request.persistentWatches ?? []) register(path, WatchKind.persistent);
  for (const path of request.persistentRecursiveWatches ?? []) register(path, WatchKind.persistentRecursive);
  return { events, refusedCount };
}

/**
 * What the tree tells the watch index when it changes. DataTree fires events
 * exactly where ZooKeeper's DataTree.java calls triggerWatch, and knows
 * nothing else about watches, so the watch manager can change freely.
 */

import { EventType } from '@corral/base';
import type { ACL } from './acl.js';

/** Watcher.Event.EventType numbers, defined once in @corral/base. */
export { EventType };

/**
 * Receives node events in apply order.
 * - create: triggerData(path, NodeCreated), then triggerChild(parent, NodeChildrenChanged).
 * - delete: triggerDeleted(path), then triggerChild(parent, NodeChildrenChanged).
 * - setData: triggerData(path, NodeDataChanged). setACL fires nothing.
 */
export interface WatchSink {
  /**
   * Data watches (getData/exists) and persistent watches on `path`. `acl` is
   * the node's: a session that may not READ it gets no event
   * (CVE-2024-23944, NIOServerCnxn.process(event, znodeAcl)).
   */
  triggerData(path: string, eventType: EventType, acl: readonly ACL[]): void;
  /** Child watches on `path`; `acl` is that (parent) node's. */
  triggerChild(path: string, eventType: EventType, acl: readonly ACL[]): void;
  /**
   * NodeDeleted on `path`: data watches first, then child watches on the same
   * path, a watcher already notified by the data set being skipped (ZooKeeper
   * passes the first trigger's result as `suppress` to the second).
   */
  triggerDeleted(path: string, acl: readonly ACL[]): void;
}

/** A sink that drops every event (snapshot loading, tests). */
export const noopWatchSink: WatchSink = {
  triggerData: () => undefined,
  triggerChild: () => undefined,
  triggerDeleted: () => undefined,
};

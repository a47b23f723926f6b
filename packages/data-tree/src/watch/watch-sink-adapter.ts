/**
 * Connects the tree's WatchSink to a WatchManager: each event the manager
 * fires goes to `deliver` together with the ACL of the node it is about, so
 * the server can drop events a session may not READ, as ZooKeeper does.
 */
import type { EventType } from '@corral/base';
import type { ACL } from '../acl.js';
import type { WatchSink } from '../watch-sink.js';
import type { WatchManager } from './watch-manager.js';

/** Receives one fired watch event and the ACL of its node. */
export type AclWatchDeliver = (sessionId: bigint, type: EventType, path: string, acl: readonly ACL[]) => void;

/** A WatchSink that fires `manager`'s watches into `deliver`. */
export function watchSinkFor(manager: WatchManager, deliver: AclWatchDeliver): WatchSink {
  return {
    triggerData: (path, eventType, acl) => manager.triggerData(path, eventType, (s, t, p) => deliver(s, t, p, acl)),
    triggerChild: (path, eventType, acl) => manager.triggerChild(path, eventType, (s, t, p) => deliver(s, t, p, acl)),
    triggerDeleted: (path, acl) => manager.triggerDeleted(path, (s, t, p) => deliver(s, t, p, acl)),
  };
}

/**
 * A tiny script language for watch tests, so each firing rule reads as the
 * ZooKeeper scenario it checks. One command per line:
 *   add PATH SESSION KIND[+KIND]   kinds: data child persistent recursive
 *   created PATH | changed PATH | deleted PATH | children PATH
 * `deleted` is DataTree.deleteNode's data+child NodeDeleted pair only; a
 * script adds `children PARENT` itself when it wants the parent's event.
 * Returns the events as "SESSION TYPE PATH" lines in delivery order.
 */
import { EventType } from '@corral/base';
import { WatchKind } from './watch-kind.js';
import type { WatchManager } from './watch-manager.js';

const kindNames: Record<string, number> = {
  data: WatchKind.data,
  child: WatchKind.child,
  persistent: WatchKind.persistent,
  recursive: WatchKind.persistentRecursive,
};

/** Parses "data+persistent" into kind bits. */
export function parseKinds(text: string): number {
  let bits = 0;
  for (const name of text.split('+')) {
    const bit = kindNames[name];
    if (bit === undefined) throw new Error(`unknown kind ${name}`);
    bits |= bit;
  }
  return bits;
}

/** Runs `script` against `manager`; returns the delivered events. */
export function runWatchScript(manager: WatchManager, script: string): string[] {
  const events: string[] = [];
  const deliver = (sessionId: bigint, type: number, path: string): void => {
    events.push(`${sessionId} ${type} ${path}`);
  };
  for (const line of script.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    const [command, path = '', session = '', kinds = ''] = line.split(/\s+/);
    switch (command) {
      case 'add':
        if (!manager.add(path, BigInt(session), parseKinds(kinds))) events.push(`refused ${path} ${session}`);
        break;
      case 'created':
        manager.triggerData(path, EventType.NodeCreated, deliver);
        break;
      case 'changed':
        manager.triggerData(path, EventType.NodeDataChanged, deliver);
        break;
      case 'deleted':
        manager.triggerDeleted(path, deliver);
        break;
      case 'children':
        manager.triggerChild(path, EventType.NodeChildrenChanged, deliver);
        break;
      default:
        throw new Error(`unknown command ${line}`);
    }
  }
  return events;
}

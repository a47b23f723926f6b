// Goal: the watch table fans an event out the way ZooKeeper's
// ZKWatchManager does: one-shot watches by event type and removed once
// fired, persistent watches kept, recursive watches on every ancestor but
// never for NodeChildrenChanged. Method: a table of registrations and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType } from '@corral/wire';
import { WatchRegistry, type WatchKind } from './watch-registry.js';

const cases: { name: string; watches: [WatchKind, string][]; event: { type: number; path: string }; want: string[]; left: string[] }[] = [
  { name: 'data change fires data and exist watches', watches: [['data', '/a'], ['exist', '/a'], ['child', '/a']], event: { type: EventType.NodeDataChanged, path: '/a' }, want: ['data /a', 'exist /a'], left: ['child /a'] },
  { name: 'deletion fires every one-shot kind', watches: [['data', '/a'], ['child', '/a']], event: { type: EventType.NodeDeleted, path: '/a' }, want: ['data /a', 'child /a'], left: [] },
  { name: 'children change fires child watches only', watches: [['data', '/a'], ['child', '/a']], event: { type: EventType.NodeChildrenChanged, path: '/a' }, want: ['child /a'], left: ['data /a'] },
  { name: 'persistent watches stay', watches: [['persistent', '/a']], event: { type: EventType.NodeDataChanged, path: '/a' }, want: ['persistent /a'], left: ['persistent /a'] },
  { name: 'recursive watches see descendants', watches: [['persistentRecursive', '/'], ['persistentRecursive', '/a'], ['persistentRecursive', '/b']], event: { type: EventType.NodeCreated, path: '/a/x' }, want: ['persistentRecursive /a', 'persistentRecursive /'], left: ['persistentRecursive /', 'persistentRecursive /a', 'persistentRecursive /b'] },
  { name: 'recursive watches ignore children changes', watches: [['persistentRecursive', '/a']], event: { type: EventType.NodeChildrenChanged, path: '/a' }, want: [], left: ['persistentRecursive /a'] },
];

for (const { name, watches, event, want, left } of cases) {
  test(name, () => {
    const registry = new WatchRegistry();
    const fired: string[] = [];
    for (const [kind, path] of watches) registry.add(kind, path, () => fired.push(`${kind} ${path}`));
    for (const watcher of registry.take({ ...event, zxid: 0n })) watcher({ ...event, zxid: 0n });
    assert.deepEqual(fired, want);
    const paths = registry.paths();
    const remaining = (Object.keys(paths) as WatchKind[]).flatMap((kind) => paths[kind].map((path) => `${kind} ${path}`));
    assert.deepEqual(remaining.sort(), [...left].sort());
  });
}

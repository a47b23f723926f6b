/**
 * Reconnect rules of DataTree.setWatches (SetWatches 101 / SetWatches2 105).
 * Method: a fixed tree of (mzxid, pzxid) per path, relativeZxid 10; each row
 * sends one request and checks the immediate events ("type path", in order)
 * and which kinds got registered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setWatches, type SetWatchesRequest, type WatchedNodeZxids } from './set-watches.js';
import { WatchManager } from './watch-manager.js';
import { WatchKind } from './watch-kind.js';

const tree = new Map<string, WatchedNodeZxids & { czxid: bigint }>([
  ['/old', { czxid: 1n, mzxid: 5n, pzxid: 5n }],
  ['/changed', { czxid: 1n, mzxid: 11n, pzxid: 5n }],
  ['/kids', { czxid: 1n, mzxid: 5n, pzxid: 12n }],
  ['/same', { czxid: 1n, mzxid: 10n, pzxid: 10n }],
]);
const lookup = (path: string): WatchedNodeZxids | undefined => tree.get(path);

interface Case {
  name: string;
  request: Partial<SetWatchesRequest>;
  want: string[];
  registered: [string, number][];
}

const cases: Case[] = [
  { name: 'data watch on a deleted node fires NodeDeleted', request: { dataWatches: ['/gone'] }, want: ['2 /gone'], registered: [['/gone', 0]] },
  { name: 'data watch with mzxid > relativeZxid fires NodeDataChanged', request: { dataWatches: ['/changed'] }, want: ['3 /changed'], registered: [['/changed', 0]] },
  { name: 'data watch with mzxid == relativeZxid is registered', request: { dataWatches: ['/same', '/old'] }, want: [], registered: [['/same', WatchKind.data], ['/old', WatchKind.data]] },
  { name: 'exist watch on a node that now exists fires NodeCreated', request: { existWatches: ['/old'] }, want: ['1 /old'], registered: [['/old', 0]] },
  { name: 'exist watch on a missing node is registered as a data watch', request: { existWatches: ['/gone'] }, want: [], registered: [['/gone', WatchKind.data]] },
  { name: 'child watch on a deleted node fires NodeDeleted', request: { childWatches: ['/gone'] }, want: ['2 /gone'], registered: [['/gone', 0]] },
  { name: 'child watch with pzxid > relativeZxid fires NodeChildrenChanged', request: { childWatches: ['/kids'] }, want: ['4 /kids'], registered: [['/kids', 0]] },
  { name: 'child watch is registered otherwise (mzxid does not matter)', request: { childWatches: ['/changed'] }, want: [], registered: [['/changed', WatchKind.child]] },
  {
    name: 'persistent and recursive watches are re-added without events, even on missing nodes',
    request: { persistentWatches: ['/gone', '/changed'], persistentRecursiveWatches: ['/kids'] },
    want: [],
    registered: [['/gone', WatchKind.persistent], ['/changed', WatchKind.persistent], ['/kids', WatchKind.persistentRecursive]],
  },
  {
    name: 'lists are processed data, exist, child, each in request order, without deduplication',
    request: { childWatches: ['/gone', '/kids'], existWatches: ['/same'], dataWatches: ['/gone', '/changed'] },
    want: ['2 /gone', '3 /changed', '1 /same', '2 /gone', '4 /kids'],
    registered: [],
  },
];

for (const c of cases) {
  test(`setWatches: ${c.name}`, () => {
    const manager = new WatchManager();
    const request: SetWatchesRequest = { relativeZxid: 10n, dataWatches: [], existWatches: [], childWatches: [], ...c.request };
    const result = setWatches(manager, 7n, request, lookup);
    assert.deepEqual(result.events.map((e) => `${e.type} ${e.path}`), c.want);
    assert.ok(result.events.every((e) => e.sessionId === 7n));
    assert.equal(result.refusedCount, 0);
    for (const [path, kinds] of c.registered) assert.equal(manager.kindsOf(path, 7n), kinds, path);
  });
}

test('setWatches counts watches a limit refused', () => {
  const manager = new WatchManager({ watchesPerSessionMax: 1 });
  const result = setWatches(manager, 7n, { relativeZxid: 10n, dataWatches: ['/old', '/same'], existWatches: [], childWatches: [] }, lookup);
  assert.deepEqual(result, { events: [], refusedCount: 1 });
});

test('setWatches without persistent lists (opcode 101) registers only one-shot watches', () => {
  const manager = new WatchManager();
  setWatches(manager, 7n, { relativeZxid: 10n, dataWatches: ['/old'], existWatches: ['/x'], childWatches: ['/same'] }, lookup);
  assert.equal(manager.count, 3);
  assert.equal(manager.recursiveWatchCount, 0);
});

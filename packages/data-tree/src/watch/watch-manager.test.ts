/**
 * Firing rules of the watch index, one table row per ZooKeeper rule
 * (DataTree.java's triggerWatch call sites over 3.9's WatchManager with
 * WatchStats). Method: run a script of adds and node events, compare the
 * delivered events ("session type path"; 1 created, 2 deleted, 3 data
 * changed, 4 children changed) and the kinds left on each path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchManager } from './watch-manager.js';
import { WatchKind, WatcherType } from './watch-kind.js';
import { parseKinds, runWatchScript } from './watch-test-script.js';
import { EventType, type WatchSink } from '../watch-sink.js';
import { watchSinkFor } from './watch-sink-adapter.js';

interface FiringCase {
  name: string;
  script: string;
  want: string[];
  /** "PATH SESSION KINDS" that must hold afterwards; KINDS "none" for 0. */
  left?: string[];
}

const firingCases: FiringCase[] = [
  {
    name: 'one-shot data watch fires NodeDataChanged once, then is gone',
    script: 'add /a 1 data\nchanged /a\nchanged /a',
    want: ['1 3 /a'],
    left: ['/a 1 none'],
  },
  {
    name: 'exist watch on a missing node is a data watch: NodeCreated',
    script: 'add /a 1 data\ncreated /a\ncreated /a',
    want: ['1 1 /a'],
  },
  {
    name: 'data watch gets NodeDeleted',
    script: 'add /a 1 data\ndeleted /a',
    want: ['1 2 /a'],
    left: ['/a 1 none'],
  },
  {
    name: 'child watch fires NodeChildrenChanged once',
    script: 'add /a 1 child\nchildren /a\nchildren /a',
    want: ['1 4 /a'],
  },
  {
    name: 'child watch gets NodeDeleted of its own path',
    script: 'add /a 1 child\ndeleted /a\nchildren /a',
    want: ['1 2 /a'],
  },
  {
    name: 'data and child watch of one session on a deleted node: one NodeDeleted, both consumed',
    script: 'add /a 1 data+child\ndeleted /a\nchildren /a\nchanged /a',
    want: ['1 2 /a'],
    left: ['/a 1 none'],
  },
  {
    name: 'delete: data watchers are notified before child watchers',
    script: 'add /a 2 child\nadd /a 1 data\ndeleted /a',
    want: ['1 2 /a', '2 2 /a'],
  },
  {
    name: 'data watch ignores NodeChildrenChanged; child watch ignores data events',
    script: 'add /a 1 data\nadd /a 2 child\nchildren /a\nchanged /a\ncreated /a',
    want: ['2 4 /a', '1 3 /a'],
  },
  {
    name: 'one-shot watches do not fire for descendants',
    script: 'add /a 1 data+child\nchanged /a/b\ncreated /a/b\ndeleted /a/b',
    want: [],
    left: ['/a 1 data+child'],
  },
  {
    name: 'persistent watch fires every data and child event on its path and stays',
    script: 'add /a 1 persistent\ncreated /a\nchanged /a\nchildren /a\nchanged /a\nchildren /a',
    want: ['1 1 /a', '1 3 /a', '1 4 /a', '1 3 /a', '1 4 /a'],
    left: ['/a 1 persistent'],
  },
  {
    name: 'persistent watch gets one NodeDeleted and survives deletion',
    script: 'add /a 1 persistent\ndeleted /a\ncreated /a',
    want: ['1 2 /a', '1 1 /a'],
    left: ['/a 1 persistent'],
  },
  {
    name: 'persistent watch ignores descendants',
    script: 'add /a 1 persistent\nchanged /a/b\ncreated /a/b\ndeleted /a/b',
    want: [],
  },
  {
    name: 'recursive watch fires for its path and every descendant, data side only',
    script: 'add /a 1 recursive\nchanged /a\ncreated /a/b\nchanged /a/b/c\ndeleted /a/b\nchildren /a\nchildren /a/b',
    want: ['1 3 /a', '1 1 /a/b', '1 3 /a/b/c', '1 2 /a/b'],
    left: ['/a 1 recursive'],
  },
  {
    name: 'recursive watch on / sees the whole tree',
    script: 'add / 1 recursive\ncreated /x\nchanged /\ndeleted /x/y/z\nchildren /',
    want: ['1 1 /x', '1 3 /', '1 2 /x/y/z'],
  },
  {
    name: 'recursive watch does not match a sibling with the same prefix',
    script: 'add /a 1 recursive\nchanged /ab\ncreated /ab/c',
    want: [],
  },
  {
    name: 'recursive watch on a deleted node: one NodeDeleted',
    script: 'add /a 1 recursive\ndeleted /a',
    want: ['1 2 /a'],
    left: ['/a 1 recursive'],
  },
  {
    name: 'recursive on ancestor and one-shot on leaf, same session: one event, one-shot consumed',
    script: 'add /a 1 recursive\nadd /a/b 1 data\nchanged /a/b\nchanged /a/b',
    want: ['1 3 /a/b', '1 3 /a/b'],
    left: ['/a/b 1 none', '/a 1 recursive'],
  },
  {
    name: 'recursive on two ancestors of one session: one event',
    script: 'add / 1 recursive\nadd /a 1 recursive\nadd /a/b 1 recursive\nchanged /a/b/c',
    want: ['1 3 /a/b/c'],
  },
  {
    name: 'one-shot data and persistent on one path (3.9 WatchStats): one event, persistent stays',
    script: 'add /a 1 data+persistent\nchanged /a\nchanged /a',
    want: ['1 3 /a', '1 3 /a'],
    left: ['/a 1 persistent'],
  },
  {
    name: 'one-shot child and persistent on one path: one NodeChildrenChanged, child consumed',
    script: 'add /a 1 child\nadd /a 1 persistent\nchildren /a',
    want: ['1 4 /a'],
    left: ['/a 1 persistent'],
  },
  {
    name: 'recursive and one-shot child on one path: child fires on NodeChildrenChanged, recursive does not',
    script: 'add /a 1 recursive+child\nchildren /a\nchildren /a',
    want: ['1 4 /a'],
    left: ['/a 1 recursive'],
  },
  {
    name: 'recursive plus child on a deleted node: one NodeDeleted, child consumed',
    script: 'add /a 1 recursive+child\ndeleted /a',
    want: ['1 2 /a'],
    left: ['/a 1 recursive'],
  },
  {
    name: 'delete with recursive on the parent and a child watch on the parent: NodeDeleted then NodeChildrenChanged',
    script: 'add /a 1 recursive+child\ndeleted /a/b\nchildren /a',
    want: ['1 2 /a/b', '1 4 /a'],
  },
  {
    name: 'several sessions on one path each get the event once',
    script: 'add /a 1 data\nadd /a 2 data\nadd /a 3 persistent\nadd / 4 recursive\nchanged /a',
    want: ['1 3 /a', '2 3 /a', '3 3 /a', '4 3 /a'],
  },
  {
    name: 'a path never watched fires nothing',
    script: 'add /a 1 data\nchanged /b\ndeleted /b\nchildren /b',
    want: [],
    left: ['/a 1 data'],
  },
];

function kindsText(bits: number): string {
  if (bits === 0) return 'none';
  const names: string[] = [];
  for (const [name, bit] of [['data', 1], ['child', 2], ['persistent', 4], ['recursive', 8]] as const) {
    if ((bits & bit) !== 0) names.push(name);
  }
  return names.join('+');
}

for (const c of firingCases) {
  test(`firing: ${c.name}`, () => {
    const manager = new WatchManager();
    assert.deepEqual(runWatchScript(manager, c.script), c.want);
    for (const left of c.left ?? []) {
      const [path = '', session = '', kinds = ''] = left.split(' ');
      const want = kinds === 'none' ? 0 : parseKinds(kinds);
      assert.equal(kindsText(manager.kindsOf(path, BigInt(session))), kindsText(want), left);
    }
  });
}

interface RemoveCase {
  name: string;
  kinds: string;
  type: WatcherType;
  want: boolean;
  left: string;
}

// DataTree.removeWatch / containsWatcher of 3.9: Children and Data match only
// one-shot watches, Persistent/PersistentRecursive only their mode, Any all.
const removeCases: RemoveCase[] = [
  { name: 'Data removes a one-shot data watch', kinds: 'data', type: WatcherType.Data, want: true, left: 'none' },
  { name: 'Children does not match a data watch (NOWATCHER)', kinds: 'data', type: WatcherType.Children, want: false, left: 'data' },
  { name: 'Children removes a child watch', kinds: 'child', type: WatcherType.Children, want: true, left: 'none' },
  { name: 'Data does not match a child watch (NOWATCHER)', kinds: 'child', type: WatcherType.Data, want: false, left: 'child' },
  { name: 'Any removes data and child', kinds: 'data+child', type: WatcherType.Any, want: true, left: 'none' },
  { name: 'Data leaves the child watch', kinds: 'data+child', type: WatcherType.Data, want: true, left: 'child' },
  { name: 'Data does not match a persistent watch (ZOOKEEPER-4471)', kinds: 'persistent', type: WatcherType.Data, want: false, left: 'persistent' },
  { name: 'Children does not match a persistent watch', kinds: 'persistent', type: WatcherType.Children, want: false, left: 'persistent' },
  { name: 'Persistent removes a persistent watch', kinds: 'persistent', type: WatcherType.Persistent, want: true, left: 'none' },
  { name: 'Any removes a persistent watch', kinds: 'persistent', type: WatcherType.Any, want: true, left: 'none' },
  { name: 'Persistent does not match a recursive watch', kinds: 'recursive', type: WatcherType.Persistent, want: false, left: 'recursive' },
  { name: 'PersistentRecursive removes a recursive watch', kinds: 'recursive', type: WatcherType.PersistentRecursive, want: true, left: 'none' },
  { name: 'Any removes a recursive watch', kinds: 'recursive', type: WatcherType.Any, want: true, left: 'none' },
  { name: 'Data removes only the one-shot half of data+persistent', kinds: 'data+persistent', type: WatcherType.Data, want: true, left: 'persistent' },
  { name: 'Persistent leaves one-shot watches', kinds: 'data+child+persistent', type: WatcherType.Persistent, want: true, left: 'data+child' },
  { name: 'Any on a path without watches is NOWATCHER', kinds: 'none', type: WatcherType.Any, want: false, left: 'none' },
];

for (const c of removeCases) {
  test(`removeWatches/checkWatches: ${c.name}`, () => {
    const manager = new WatchManager();
    if (c.kinds !== 'none') manager.add('/a', 1n, parseKinds(c.kinds));
    manager.add('/a', 2n, parseKinds('data+child+persistent+recursive'));
    assert.equal(manager.contains('/a', 1n, c.type), c.want, 'checkWatches');
    assert.equal(manager.remove('/a', 1n, c.type), c.want, 'removeWatches');
    assert.equal(kindsText(manager.kindsOf('/a', 1n)), c.left);
    assert.equal(manager.contains('/a', 1n, c.type), false, 'nothing of that type is left');
    assert.equal(manager.kindsOf('/a', 2n), 15, 'another session is untouched');
  });
}

test('checkWatches answers for the asking session only, never for another session or an ancestor', () => {
  const manager = new WatchManager();
  manager.add('/a', 2n, parseKinds('data+child'));
  manager.add('/', 1n, parseKinds('recursive'));
  for (const type of [1, 2, 3, 4, 5] as const) {
    assert.equal(manager.contains('/a', 1n, type), false, `type ${type}`);
    assert.equal(manager.remove('/a', 1n, type), false, `type ${type}`);
  }
});

test('removeSession drops every watch of the session and nothing else', () => {
  const manager = new WatchManager();
  const events = runWatchScript(
    manager,
    'add /a 1 data+child\nadd /a/b 1 recursive\nadd /c 1 persistent\nadd /a 2 data\nadd /c 2 child',
  );
  assert.deepEqual(events, []);
  assert.equal(manager.count, 7);
  manager.removeSession(1n);
  assert.equal(manager.count, 2);
  assert.equal(manager.recursiveWatchCount, 0);
  assert.deepEqual(runWatchScript(manager, 'changed /a\nchildren /c\nchanged /a/b\nchanged /c'), ['2 3 /a', '2 4 /c']);
  assert.equal(manager.count, 0);
  manager.removeSession(1n);
  manager.removeSession(99n);
  assert.equal(manager.entries, 0);
});

test('count is dataWatches.size() + childWatches.size(): persistent counts twice, recursive once', () => {
  const manager = new WatchManager();
  manager.add('/a', 1n, parseKinds('persistent'));
  assert.equal(manager.count, 2);
  manager.add('/b', 1n, parseKinds('recursive'));
  assert.equal(manager.count, 3);
  manager.add('/b', 1n, parseKinds('data'));
  assert.equal(manager.count, 3, 'data and recursive share one dataWatches entry');
  manager.add('/b', 1n, parseKinds('child'));
  assert.equal(manager.count, 4);
  assert.equal(manager.entries, 2);
});

test('wchs/wchc/wchp report dataWatches only, keeping a session whose watches fired', () => {
  const manager = new WatchManager();
  runWatchScript(manager, 'add /a 1 data\nadd /b 2 child\nadd /c 3 persistent\nadd /c 1 recursive');
  assert.deepEqual(manager.summary(), { connectionCount: 2, pathCount: 2, totalWatches: 3 });
  assert.deepEqual([...manager.bySession()], [[1n, ['/a', '/c']], [3n, ['/c']]]);
  assert.deepEqual([...manager.byPath()], [['/a', [1n]], ['/c', [3n, 1n]]]);
  // A fired one-shot leaves session 1's (empty) watch2Paths entry behind;
  // ZooKeeper still counts and lists it until the connection closes.
  manager.remove('/c', 1n, WatcherType.Any);
  runWatchScript(manager, 'changed /a');
  assert.deepEqual(manager.summary(), { connectionCount: 2, pathCount: 1, totalWatches: 1 });
  assert.deepEqual([...manager.bySession()], [[1n, []], [3n, ['/c']]]);
  // An explicit removal that empties it does remove the entry (WatchManager.unwatch).
  manager.remove('/c', 3n, WatcherType.Persistent);
  assert.deepEqual(manager.summary(), { connectionCount: 1, pathCount: 0, totalWatches: 0 });
  manager.removeSession(1n);
  assert.deepEqual(manager.summary(), { connectionCount: 0, pathCount: 0, totalWatches: 0 });
  assert.deepEqual([...manager.bySession()], []);
  assert.equal(manager.count, 1, 'the child watch of session 2 is still counted by mntr');
});

test('limits: per-session and total entries, path length; adding kinds to an entry always succeeds', () => {
  const manager = new WatchManager({ watchesPerSessionMax: 2, watchesTotalMax: 3, watchPathLengthMax: 5 });
  assert.equal(manager.add('/a', 1n, 1), true);
  assert.equal(manager.add('/b', 1n, 1), true);
  assert.equal(manager.add('/c', 1n, 1), false, 'session full');
  assert.equal(manager.add('/a', 1n, 2), true, 'new kind on an existing entry');
  assert.equal(manager.add('/abcd', 2n, 1), true);
  assert.equal(manager.add('/abcde', 2n, 1), false, 'path too long');
  assert.equal(manager.add('/c', 3n, 1), false, 'index full');
  runWatchScript(manager, 'changed /b');
  assert.equal(manager.add('/c', 1n, 1), true, 'a fired watch frees its place');
  assert.equal(manager.entries, 3);
});

test('a deliver callback may not re-enter the index', () => {
  const manager = new WatchManager();
  manager.add('/a', 1n, 1);
  assert.throws(() => manager.triggerData('/a', 3, () => manager.add('/a', 1n, 1)), /re-entered/);
});

test('the constructor deliver receives events of triggers that pass none', () => {
  const events: string[] = [];
  const manager = new WatchManager({ deliver: (s, t, p) => events.push(`${s} ${t} ${p}`) });
  manager.add('/a', 0x7fffffffffffffffn, parseKinds('data+child'));
  manager.triggerDeleted('/a');
  manager.triggerChild('/a', 4);
  assert.deepEqual(events, ['9223372036854775807 2 /a']);
});

test('watchSinkFor turns a WatchManager into the WatchSink DataTree drives, passing each node ACL', () => {
  const events: string[] = [];
  const manager = new WatchManager();
  const sink: WatchSink = watchSinkFor(manager, (s, t, p, acl) => events.push(`${s} ${t} ${p} ${acl[0]?.id.id ?? '-'}`));
  manager.add('/a/b', 1n, parseKinds('data'));
  manager.add('/a', 2n, parseKinds('child'));
  // DataTree.deleteNode's order: triggerDeleted(path), then triggerChild(parent).
  sink.triggerDeleted('/a/b', [{ perms: 1, id: { scheme: 'digest', id: 'child' } }]);
  sink.triggerChild('/a', EventType.NodeChildrenChanged, [{ perms: 1, id: { scheme: 'digest', id: 'parent' } }]);
  assert.deepEqual(events, ['1 2 /a/b child', '2 4 /a parent']);
});

test('watchesOf lists every watch of one session with its kind bits, and nothing of other sessions', () => {
  const manager = new WatchManager();
  manager.add('/a', 1n, WatchKind.data);
  manager.add('/a', 1n, WatchKind.child);
  manager.add('/b', 1n, WatchKind.persistentRecursive);
  manager.add('/a', 2n, WatchKind.data);
  const mine = manager.watchesOf(1n).sort((x, y) => (x.path < y.path ? -1 : 1));
  assert.deepEqual(mine, [{ path: '/a', kinds: WatchKind.data | WatchKind.child }, { path: '/b', kinds: WatchKind.persistentRecursive }]);
  assert.deepEqual(manager.watchesOf(9n), []);
  manager.removeSession(1n);
  assert.deepEqual(manager.watchesOf(1n), []);
});

/**
 * Model test: the compact index against a naive Map<path, Map<session,
 * Set<kind>>> that states ZooKeeper 3.9's rules as plainly as possible
 * (DataTree.triggerWatch call sites, WatchManager.triggerWatch with
 * WatchStats, DataTree.removeWatch/containsWatcher). Method: fast-check runs
 * random sequences of add / node events / removeWatches / removeSession over
 * a few nested paths and compares events, kinds, counters and reports after
 * every step. Two session ranges: few sessions (single and small buckets)
 * and many (hash-table buckets, growth and shrink).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventType } from '@corral/base';
import { WatchManager } from './watch-manager.js';
import { WatcherType } from './watch-kind.js';
import { smallEntriesMax } from './path-bucket.js';

const paths = ['/', '/a', '/a/b', '/a/b/c', '/ab', '/b'];
type Kind = 'data' | 'child' | 'persistent' | 'recursive';
const kindBit: Record<Kind, number> = { data: 1, child: 2, persistent: 4, recursive: 8 };
const kinds = Object.keys(kindBit) as Kind[];

type Op =
  | { op: 'add'; path: string; session: number; kind: Kind }
  | { op: 'event'; path: string; type: 'created' | 'changed' | 'deleted' | 'children' }
  | { op: 'remove'; path: string; session: number; type: WatcherType }
  | { op: 'removeSession'; session: number };

/** The naive model: sets of kinds, one rule per line. */
class Model {
  readonly table = new Map<string, Map<number, Set<Kind>>>();
  /** Sessions ZooKeeper's dataWatches.watch2Paths would list (see session-table.ts). */
  readonly listed = new Set<number>();

  kinds(path: string, session: number): Set<Kind> {
    return this.table.get(path)?.get(session) ?? new Set();
  }

  private set(path: string, session: number, next: Set<Kind>): void {
    const sessions = this.table.get(path) ?? new Map<number, Set<Kind>>();
    if (next.size === 0) sessions.delete(session);
    else sessions.set(session, next);
    if (sessions.size === 0) this.table.delete(path);
    else this.table.set(path, sessions);
  }

  add(path: string, session: number, kind: Kind): void {
    this.set(path, session, new Set([...this.kinds(path, session), kind]));
    if (kind !== 'child') this.listed.add(session);
  }

  /** dataWatches.triggerWatch: any data-side mode on the path, recursive on ancestors. */
  private dataSide(path: string, out: Set<number>): void {
    for (const [session, set] of this.table.get(path) ?? []) {
      if (set.has('data') || set.has('persistent') || set.has('recursive')) {
        out.add(session);
        const next = new Set(set);
        next.delete('data');
        this.set(path, session, next);
      }
    }
    for (const [watched, sessions] of this.table) {
      const isAncestor = watched !== path && (watched === '/' ? true : path.startsWith(`${watched}/`));
      if (!isAncestor) continue;
      for (const [session, set] of sessions) if (set.has('recursive')) out.add(session);
    }
  }

  /** childWatches.triggerWatch: one-shot child or persistent on the path only. */
  private childSide(path: string, out: Set<number>, suppress: Set<number>): void {
    for (const [session, set] of this.table.get(path) ?? []) {
      if (set.has('child') || set.has('persistent')) {
        if (!suppress.has(session)) out.add(session);
        const next = new Set(set);
        next.delete('child');
        this.set(path, session, next);
      }
    }
  }

  event(path: string, type: string): string[] {
    const out: string[] = [];
    const fmt = (ids: Set<number>, t: number): void => {
      for (const id of [...ids].sort((x, y) => x - y)) out.push(`${id} ${t} ${path}`);
    };
    if (type === 'children') {
      const fired = new Set<number>();
      this.childSide(path, fired, new Set());
      fmt(fired, 4);
      return out;
    }
    const dataFired = new Set<number>();
    this.dataSide(path, dataFired);
    fmt(dataFired, type === 'created' ? 1 : type === 'changed' ? 3 : 2);
    if (type === 'deleted') {
      const childFired = new Set<number>();
      this.childSide(path, childFired, dataFired);
      fmt(childFired, 2);
    }
    return out;
  }

  private static matched(type: WatcherType): Kind[] {
    if (type === WatcherType.Any) return kinds;
    if (type === WatcherType.Data) return ['data'];
    if (type === WatcherType.Children) return ['child'];
    if (type === WatcherType.Persistent) return ['persistent'];
    return ['recursive'];
  }

  contains(path: string, session: number, type: WatcherType): boolean {
    const set = this.kinds(path, session);
    return Model.matched(type).some((k) => set.has(k));
  }

  remove(path: string, session: number, type: WatcherType): boolean {
    const set = this.kinds(path, session);
    const matched = Model.matched(type).filter((k) => set.has(k));
    if (matched.length === 0) return false;
    const next = new Set([...set].filter((k) => !matched.includes(k)));
    this.set(path, session, next);
    const dataSide = (s: Set<Kind>): boolean => s.has('data') || s.has('persistent') || s.has('recursive');
    if (dataSide(set) && !dataSide(next) && this.dataPaths(session).length === 0) this.listed.delete(session);
    return true;
  }

  removeSession(session: number): void {
    for (const path of [...this.table.keys()]) this.set(path, session, new Set());
    this.listed.delete(session);
  }

  dataPaths(session: number): string[] {
    const out: string[] = [];
    for (const [path, sessions] of this.table) {
      const set = sessions.get(session);
      if (set && (set.has('data') || set.has('persistent') || set.has('recursive'))) out.push(path);
    }
    return out.sort();
  }

  count(): number {
    let n = 0;
    for (const sessions of this.table.values()) {
      for (const set of sessions.values()) {
        if (set.has('data') || set.has('persistent') || set.has('recursive')) n++;
        if (set.has('child') || set.has('persistent')) n++;
      }
    }
    return n;
  }
}

function opArbitrary(sessionCount: number, addWeight: number): fc.Arbitrary<Op> {
  const path = fc.constantFrom(...paths);
  const session = fc.integer({ min: 1, max: sessionCount });
  return fc.oneof(
    { weight: addWeight, arbitrary: fc.record({ op: fc.constant('add' as const), path, session, kind: fc.constantFrom(...kinds) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('event' as const), path, type: fc.constantFrom('created' as const, 'changed' as const, 'deleted' as const, 'children' as const) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), path, session, type: fc.constantFrom(1, 2, 3, 4, 5) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('removeSession' as const), session }) },
  );
}

function check(manager: WatchManager, model: Model, sessionCount: number): void {
  for (const path of paths) {
    for (let s = 1; s <= sessionCount; s++) {
      const bits = [...model.kinds(path, s)].reduce((acc, k) => acc | kindBit[k], 0);
      assert.equal(manager.kindsOf(path, BigInt(s)), bits, `kinds ${path} ${s}`);
      for (const type of [1, 2, 3, 4, 5] as const) assert.equal(manager.contains(path, BigInt(s), type), model.contains(path, s, type));
    }
  }
  assert.equal(manager.count, model.count(), 'count');
  const bySession = [...manager.bySession()].map(([id, ps]) => `${id}:${[...ps].sort().join(',')}`).sort();
  const wantBySession = [...model.listed].map((s) => `${s}:${model.dataPaths(s).join(',')}`).sort();
  assert.deepEqual(bySession, wantBySession, 'wchc');
  const byPath = [...manager.byPath()].map(([p, ids]) => `${p}:${ids.map(String).sort().join(',')}`).sort();
  const wantByPath: string[] = [];
  for (const path of paths) {
    const ids = [...(model.table.get(path) ?? new Map<number, Set<Kind>>())]
      .filter(([, set]) => set.has('data') || set.has('persistent') || set.has('recursive'))
      .map(([id]) => String(id))
      .sort();
    if (ids.length > 0) wantByPath.push(`${path}:${ids.join(',')}`);
  }
  assert.deepEqual(byPath, wantByPath.sort(), 'wchp');
  const summary = manager.summary();
  assert.equal(summary.connectionCount, model.listed.size, 'wchs connections');
  assert.equal(summary.pathCount, wantByPath.length, 'wchs paths');
}

/** Largest number of sessions seen on one path, to prove tables were reached. */
function fanout(model: Model): number {
  let most = 0;
  for (const sessions of model.table.values()) most = Math.max(most, sessions.size);
  return most;
}

function runModel(sessionCount: number, addWeight: number, numRuns: number): number {
  let most = 0;
  fc.assert(
    fc.property(fc.array(opArbitrary(sessionCount, addWeight), { maxLength: 300, size: 'max' }), (ops) => {
      const manager = new WatchManager();
      const model = new Model();
      for (const op of ops) {
        if (op.op === 'add') {
          assert.equal(manager.add(op.path, BigInt(op.session), kindBit[op.kind]), true);
          model.add(op.path, op.session, op.kind);
        } else if (op.op === 'event') {
          const got: string[] = [];
          const deliver = (s: bigint, t: number, p: string): void => {
            got.push(`${s} ${t} ${p}`);
          };
          if (op.type === 'created') manager.triggerData(op.path, EventType.NodeCreated, deliver);
          else if (op.type === 'changed') manager.triggerData(op.path, EventType.NodeDataChanged, deliver);
          else if (op.type === 'deleted') manager.triggerDeleted(op.path, deliver);
          else manager.triggerChild(op.path, EventType.NodeChildrenChanged, deliver);
          const want = model.event(op.path, op.type);
          // One trigger's order is HashSet order in ZooKeeper: compare as sets,
          // but each session at most once.
          assert.deepEqual([...got].sort(), [...want].sort(), `${op.type} ${op.path}`);
        } else if (op.op === 'remove') {
          assert.equal(manager.remove(op.path, BigInt(op.session), op.type), model.remove(op.path, op.session, op.type));
        } else {
          manager.removeSession(BigInt(op.session));
          model.removeSession(op.session);
        }
        check(manager, model, sessionCount);
        most = Math.max(most, fanout(model));
      }
    }),
    { numRuns, verbose: true },
  );
  return most;
}

test('model: few sessions (single and small buckets)', () => {
  assert.equal(runModel(4, 6, 150), 4);
});

test('model: many sessions (hash-table buckets grow and shrink)', () => {
  assert.ok(runModel(40, 24, 60) > 2 * smallEntriesMax, 'some path held a hash table');
});

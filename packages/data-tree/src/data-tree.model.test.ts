// Goal: DataTree agrees with a naive Map-of-paths model over random command
// sequences (fc.commands), two trees fed the same random txns have equal
// digests, and snapshots round-trip, including a fuzzy snapshot taken while
// txns are applied, repaired by replaying those txns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ZkCode } from '@corral/base';
import { openAclUnsafe } from './acl.js';
import { DataTree } from './data-tree.js';
import { CorruptDataError } from './errors.js';
import { checksum32 } from './hash.js';
import { parentPath } from './path.js';
import { deserializeSnapshot, serializeSnapshot } from './snapshot.js';
import { pathArb, stepArb } from './test-arbitraries.js';
import type { Txn } from './txn.js';

interface ModelNode {
  data: string;
  version: number;
  owner: bigint;
}
interface Model {
  nodes: Map<string, ModelNode>;
}
interface Real {
  tree: DataTree;
  zxid: bigint;
}

function apply(real: Real, sessionId: bigint, txn: Txn): number {
  real.zxid++;
  return real.tree.apply({ sessionId, cxid: 0, zxid: real.zxid, time: Number(real.zxid), type: txn.type }, txn).err;
}
function childCount(model: Model, path: string): number {
  let count = 0;
  for (const key of model.nodes.keys()) if (key !== path && parentPath(key) === path) count++;
  return count;
}
function checkNode(model: Model, real: Real, path: string): void {
  const want = model.nodes.get(path);
  const got = real.tree.getNode(path);
  assert.equal(got === undefined, want === undefined, path);
  if (want === undefined || got === undefined) return;
  assert.equal(new TextDecoder().decode(got.data), want.data);
  assert.equal(got.version, want.version);
  assert.equal(got.stat.numChildren, childCount(model, path));
}
function initialModel(): Model {
  const empty = { data: '', version: 0, owner: 0n };
  return { nodes: new Map(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config'].map((p) => [p, { ...empty }])) };
}

class Create implements fc.Command<Model, Real> {
  constructor(readonly path: string, readonly data: string, readonly owner: bigint) {}
  check(model: Readonly<Model>): boolean {
    return (model.nodes.get(parentPath(this.path))?.owner ?? 0n) === 0n; // prep refuses children of ephemerals
  }
  run(model: Model, real: Real): void {
    const want = !model.nodes.has(parentPath(this.path)) ? ZkCode.NONODE : model.nodes.has(this.path) ? ZkCode.NODEEXISTS : ZkCode.OK;
    const err = apply(real, this.owner === 0n ? 1n : this.owner, {
      type: 1, path: this.path, data: new TextEncoder().encode(this.data), acl: openAclUnsafe, ephemeral: this.owner !== 0n, parentCVersion: -1,
    });
    assert.equal(err, want);
    if (want === ZkCode.OK) model.nodes.set(this.path, { data: this.data, version: 0, owner: this.owner });
    checkNode(model, real, this.path);
  }
  toString(): string {
    return `create(${this.path}, ${this.owner})`;
  }
}
class Delete implements fc.Command<Model, Real> {
  constructor(readonly path: string) {}
  check(model: Readonly<Model>): boolean {
    return childCount(model, this.path) === 0; // prep refuses NOTEMPTY
  }
  run(model: Model, real: Real): void {
    const want = model.nodes.has(this.path) ? ZkCode.OK : ZkCode.NONODE;
    assert.equal(apply(real, 1n, { type: 2, path: this.path }), want);
    model.nodes.delete(this.path);
    checkNode(model, real, this.path);
  }
  toString(): string {
    return `delete(${this.path})`;
  }
}
class SetData implements fc.Command<Model, Real> {
  constructor(readonly path: string, readonly data: string) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const node = model.nodes.get(this.path);
    const err = apply(real, 1n, { type: 5, path: this.path, data: new TextEncoder().encode(this.data), version: (node?.version ?? 0) + 1 });
    assert.equal(err, node === undefined ? ZkCode.NONODE : ZkCode.OK);
    if (node !== undefined) model.nodes.set(this.path, { ...node, data: this.data, version: node.version + 1 });
    checkNode(model, real, this.path);
  }
  toString(): string {
    return `setData(${this.path})`;
  }
}
class CloseSession implements fc.Command<Model, Real> {
  constructor(readonly sessionId: bigint) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    assert.equal(apply(real, this.sessionId, { type: -11 }), ZkCode.OK);
    for (const [path, node] of [...model.nodes]) if (node.owner === this.sessionId) model.nodes.delete(path);
    assert.deepEqual([...real.tree.paths()].sort(), [...model.nodes.keys()].sort());
  }
  toString(): string {
    return `closeSession(${this.sessionId})`;
  }
}

test('DataTree matches a Map-of-paths model (fc.commands)', () => {
  const owner = fc.constantFrom(0n, 0x10n, 0x20n);
  const commands = [
    fc.tuple(pathArb, fc.string({ maxLength: 4 }), owner).map(([p, d, o]) => new Create(p, d, o)),
    pathArb.map((p) => new Delete(p)),
    fc.tuple(pathArb, fc.string({ maxLength: 4 })).map(([p, d]) => new SetData(p, d)),
    fc.constantFrom(0x10n, 0x20n).map((s) => new CloseSession(s)),
  ];
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => {
      fc.modelRun(() => ({ model: initialModel(), real: { tree: new DataTree({ paranoid: true }), zxid: 0n } }), cmds);
    }),
    { numRuns: 200 },
  );
});

interface ReplayStep {
  readonly sessionId: bigint;
  readonly txn: Txn;
}

function replayAll(tree: DataTree, steps: ReplayStep[], from = 0, replay = true): void {
  steps.forEach((step, index) => {
    if (index < from) return;
    const zxid = BigInt(index + 1);
    tree.apply({ sessionId: step.sessionId, cxid: index, zxid, time: 1000 + index, type: step.txn.type }, step.txn, { replay });
  });
}

test('same txns give the same digest; snapshots round-trip', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 80 }), (steps) => {
      const a = new DataTree({ paranoid: true });
      const b = new DataTree();
      replayAll(a, steps);
      replayAll(b, steps);
      assert.equal(a.digest(), b.digest());
      assert.equal(a.digest(), a.computeDigest());
      // Snapshots hold what is reachable from "/": only valid histories
      // (no delete of a non-empty node, which prep refuses) round-trip.
      const valid = new DataTree();
      replayAll(valid, prepare(steps));
      const loaded = deserializeSnapshot(serializeSnapshot(valid));
      assertSameTree(loaded, valid);
    }),
    { numRuns: 200 },
  );
});

function assertSameTree(loaded: DataTree, a: DataTree): void {
  assert.equal(loaded.digest(), a.digest());
  assert.equal(loaded.lastProcessedZxid, a.lastProcessedZxid);
  assert.deepEqual([...loaded.sessions()], [...a.sessions()]);
  assert.equal(loaded.ephemeralsCount, a.ephemeralsCount);
  assert.equal(loaded.approximateDataSize, a.approximateDataSize);
}

/**
 * A minimal prep stage: turns random txns into the valid history a server
 * would log (absolute parentCVersion, new versions, ErrorTxn for requests
 * prep would refuse). Replay idempotency is only claimed for such histories,
 * as in ZooKeeper. Multis are dropped to keep this prep small.
 */
function prepare(steps: { sessionId: bigint; txn: Txn }[]): { sessionId: bigint; txn: Txn }[] {
  const scratch = new DataTree();
  const out: { sessionId: bigint; txn: Txn }[] = [];
  for (const step of steps) {
    // As the server does, a closeSession lists no paths: apply derives them
    // from the ephemeral index. Replaying it over a fuzzy snapshot that no
    // longer holds some of them must still move their parents' pzxid: the
    // snapshot records the ephemerals of its start for that.
    const txn = step.txn.type === -11 ? { type: -11 as const } : prepareOne(scratch, step.txn);
    if (txn === undefined) continue;
    out.push({ sessionId: step.sessionId, txn });
    replayAll(scratch, out, out.length - 1);
  }
  return out;
}
function prepareOne(tree: DataTree, txn: Txn): Txn | undefined {
  const error = { type: -1 as const, err: ZkCode.NONODE };
  switch (txn.type) {
    case 1:
    case 19:
    case 21: {
      const parent = tree.getNode(parentPath(txn.path));
      if (parent === undefined || parent.ephemeralOwner !== 0n || tree.getNode(txn.path) !== undefined) return error;
      return { ...txn, parentCVersion: parent.cversion + 1 };
    }
    case 2:
    case 20: {
      const node = tree.getNode(txn.path);
      return node === undefined || node.childCount > 0 ? error : txn;
    }
    case 5:
    case 7: {
      const node = tree.getNode(txn.path);
      if (node === undefined) return error;
      return { ...txn, version: (txn.type === 5 ? node.version : node.aversion) + 1 };
    }
    case 14:
      return undefined;
    default:
      return txn;
  }
}

test('a fuzzy snapshot plus replay of the txns applied during it equals the live tree', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 60 }), fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.nat(), (rawBefore, rawDuring, seed) => {
      const steps = prepare([...rawBefore, ...rawDuring]);
      const before = steps.slice(0, Math.min(steps.length, rawBefore.length));
      const live = new DataTree();
      replayAll(live, before);
      const chunks: Uint8Array[] = [];
      const iterator = serializeSnapshot(live, { chunkBytes: 1 + (seed % 200) });
      // Interleave: apply the `during` txns one by one between chunk pulls, and
      // force small progress by walking at most one chunk per txn.
      let index = before.length;
      for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
        chunks.push(next.value);
        if (index < steps.length && (seed + index) % 2 === 0) {
          replayAll(live, steps.slice(0, index + 1), index);
          index++;
        }
      }
      replayAll(live, steps, index);
      const restored = deserializeSnapshot(chunks);
      replayAll(restored, steps, before.length);
      assert.equal(restored.digest(), live.digest());
      // The digest leaves child lists out: a child linked to a stale parent object shows only here.
      assert.deepEqual(childLists(restored), childLists(live));
    }),
    { numRuns: 200 },
  );
});

/** Every path with its sorted children. */
function childLists(tree: DataTree): Map<string, string[]> {
  return new Map([...tree.paths()].sort().map((path) => [path, (tree.getChildren(path) ?? []).sort()]));
}

test('a snapshot that lists a parent again (deleted and re-created during the walk) links later children to the new node', () => {
  const tree = new DataTree();
  const create = (path: string): ReplayStep => ({ sessionId: 1n, txn: { type: 1, path, data: new Uint8Array([1]), acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 } });
  const remove = (path: string): ReplayStep => ({ sessionId: 1n, txn: { type: 2, path } });
  const before = [create('/b'), create('/a'), create('/a/x')];
  replayAll(tree, before);
  // One record per chunk: /a/x is walked, then /a goes and comes back, and its new child /a/y
  // is walked after the second /a record (the snapshot lists /a twice).
  const iterator = serializeSnapshot(tree, { chunkBytes: 1 });
  const chunks: Uint8Array[] = [];
  const during = [remove('/a/x'), remove('/a'), create('/a'), create('/a/y')];
  const steps = [...before, ...during];
  for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
    chunks.push(next.value);
    // Chunks 0-6: START with /, the three system nodes, /b, /a, /a/x.
    if (chunks.length === 7) replayAll(tree, steps, before.length);
  }
  const restored = deserializeSnapshot(chunks);
  replayAll(restored, steps, before.length);
  assert.equal(restored.digest(), tree.digest());
  assert.deepEqual(childLists(restored), childLists(tree));
  assert.deepEqual(restored.getChildren('/a'), ['y']);
});

test('corrupt snapshot bytes raise CorruptDataError', () => {
  const tree = new DataTree();
  replayAll(tree, [{ sessionId: 1n, txn: { type: 1, path: '/a', data: new Uint8Array([1, 2, 3]), acl: openAclUnsafe, ephemeral: true, parentCVersion: -1 } }]);
  const chunks = [...serializeSnapshot(tree)];
  assert.equal(deserializeSnapshot(chunks).digest(), tree.digest());
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (position, delta) => {
      const bytes = (chunks[0] ?? new Uint8Array()).slice();
      const at = position % bytes.length;
      bytes[at] = ((bytes[at] ?? 0) + delta) & 0xff;
      assert.throws(() => deserializeSnapshot([bytes]), CorruptDataError);
      assert.throws(() => deserializeSnapshot([bytes.subarray(0, at)]), CorruptDataError);
    }),
  );
  assert.throws(() => deserializeSnapshot([]), CorruptDataError);
  assert.throws(() => deserializeSnapshot([...chunks, ...chunks]), CorruptDataError);
});

test('a closeSession without paths, applied at any point of a fuzzy snapshot walk, replays to the live tree', () => {
  const session = 5n;
  const create = (path: string, parentCVersion: number, ephemeral: boolean): Txn => ({ type: 1, path, data: new Uint8Array(0), acl: openAclUnsafe, ephemeral, parentCVersion });
  const setup: { sessionId: bigint; txn: Txn }[] = [
    { sessionId: 1n, txn: create('/p', 1, false) },
    { sessionId: 1n, txn: create('/q', 2, false) },
    { sessionId: session, txn: { type: -10, timeOut: 30_000 } },
    { sessionId: session, txn: create('/p/e1', 1, true) },
    { sessionId: session, txn: create('/q/e2', 1, true) },
    { sessionId: session, txn: create('/p/e3', 2, true) },
    { sessionId: 1n, txn: { type: 2, path: '/p/e3' } },
  ];
  // During the walk: another client deletes one ephemeral, then the session closes.
  const during = [{ sessionId: 1n, txn: { type: 2 as const, path: '/q/e2' } }, { sessionId: session, txn: { type: -11 as const } }];
  const steps = [...setup, ...during];
  const chunkTotal = [...serializeSnapshot(treeAfter(setup), { chunkBytes: 1 })].length;
  for (let deleteAfter = 0; deleteAfter <= chunkTotal; deleteAfter += 1) {
    for (let closeAfter = deleteAfter; closeAfter <= chunkTotal; closeAfter += 1) {
      const live = treeAfter(setup);
      const chunks: Uint8Array[] = [];
      let applied = setup.length;
      const applyNext = (): void => {
        replayAll(live, steps.slice(0, applied + 1), applied, false);
        applied += 1;
      };
      for (const chunk of serializeSnapshot(live, { chunkBytes: 1 })) {
        if (chunks.length === deleteAfter) applyNext();
        if (chunks.length === closeAfter) applyNext();
        chunks.push(chunk);
      }
      while (applied < steps.length) applyNext();
      const restored = deserializeSnapshot(chunks);
      replayAll(restored, steps, setup.length);
      const where = `delete after chunk ${deleteAfter}, close after chunk ${closeAfter}`;
      assert.equal(restored.digest(), live.digest(), where);
      assert.equal(restored.getNode('/p')?.pzxid, live.getNode('/p')?.pzxid, where);
      assert.equal(restored.getNode('/q')?.pzxid, live.getNode('/q')?.pzxid, where);
      assert.equal(restored.ephemeralsCount, 0, where);
    }
  }
});

test('a format 1 snapshot (no EPHEMERAL records) still loads', () => {
  const tree = new DataTree();
  replayAll(tree, [{ sessionId: 1n, txn: { type: 1, path: '/a', data: new Uint8Array([1]), acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 } }]);
  const chunks = [...serializeSnapshot(tree)].map((chunk) => {
    // Same records, version byte 1 (after the u32 magic), checksum recomputed.
    const old = chunk.slice();
    old[4] = 1;
    new DataView(old.buffer).setUint32(old.length - 4, checksum32(old.subarray(0, old.length - 4)));
    return old;
  });
  assert.equal(deserializeSnapshot(chunks).digest(), tree.digest());
});

function treeAfter(steps: { sessionId: bigint; txn: Txn }[]): DataTree {
  const tree = new DataTree();
  replayAll(tree, steps, 0, false);
  return tree;
}

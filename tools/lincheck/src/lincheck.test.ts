/**
 * Goal: the checker accepts every history a correct (sequential, atomic)
 * znode store can produce, and rejects the classic anomalies: a stale read,
 * a lost write, a duplicate sequence number, a CAS that saw a value never
 * written. Method: hand-written known-bad and known-good histories, plus a
 * fast-check property that builds histories from a reference store executed
 * at random linearization points inside random overlapping intervals (always
 * linearizable), and mutates one answer (usually not).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ZkCode } from '@corral/base';
import { checkLinearizable, znodeModel, HistoryRecorder, type Operation, type ZnodeInput, type ZnodeOutput } from './index.js';

type Op = Operation<ZnodeInput, ZnodeOutput>;
const op = (clientId: number, call: number, ret: number | null, input: ZnodeInput, output: ZnodeOutput | null): Op => ({ clientId, call, ret, input, output });
const OK = ZkCode.OK;

const cases: { name: string; history: Op[]; want: 'linearizable' | 'violation' }[] = [
  {
    name: 'sequential create, set, get is linearizable',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, 3, { kind: 'set', path: '/a', data: 'y', version: 0 }, { code: OK, version: 1 }),
      op(2, 4, 5, { kind: 'get', path: '/a' }, { code: OK, data: 'y', version: 1 }),
    ],
    want: 'linearizable',
  },
  {
    name: 'stale read: a get after an acknowledged set returns the old value',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, 3, { kind: 'set', path: '/a', data: 'y', version: -1 }, { code: OK, version: 1 }),
      op(2, 4, 5, { kind: 'get', path: '/a' }, { code: OK, data: 'x', version: 0 }),
    ],
    want: 'violation',
  },
  {
    name: 'a read concurrent with a set may see either value',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, 6, { kind: 'set', path: '/a', data: 'y', version: -1 }, { code: OK, version: 1 }),
      op(2, 3, 4, { kind: 'get', path: '/a' }, { code: OK, data: 'x', version: 0 }),
      op(3, 3, 5, { kind: 'get', path: '/a' }, { code: OK, data: 'y', version: 1 }),
    ],
    want: 'linearizable',
  },
  {
    name: 'reads may not go back in time: new value then old value, both concurrent with the set',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, 9, { kind: 'set', path: '/a', data: 'y', version: -1 }, { code: OK, version: 1 }),
      op(2, 3, 4, { kind: 'get', path: '/a' }, { code: OK, data: 'y', version: 1 }),
      op(3, 5, 6, { kind: 'get', path: '/a' }, { code: OK, data: 'x', version: 0 }),
    ],
    want: 'violation',
  },
  {
    name: 'lost write: two acknowledged unconditional sets, the version counts only one',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, 3, { kind: 'set', path: '/a', data: 'y', version: -1 }, { code: OK, version: 1 }),
      op(2, 4, 5, { kind: 'set', path: '/a', data: 'z', version: -1 }, { code: OK, version: 1 }),
    ],
    want: 'violation',
  },
  {
    name: 'lost write: an acknowledged create is gone for a later read',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(2, 2, 3, { kind: 'get', path: '/a' }, { code: ZkCode.NONODE }),
    ],
    want: 'violation',
  },
  {
    name: 'duplicate sequence number from one parent',
    history: [
      op(1, 0, 1, { kind: 'createSequential', prefix: '/q/n-', data: '' }, { code: OK, name: '/q/n-0000000003' }),
      op(2, 0, 2, { kind: 'createSequential', prefix: '/q/n-', data: '' }, { code: OK, name: '/q/n-0000000003' }),
    ],
    want: 'violation',
  },
  {
    name: 'sequence numbers that go down after the first create returned',
    history: [
      op(1, 0, 1, { kind: 'createSequential', prefix: '/q/n-', data: '' }, { code: OK, name: '/q/n-0000000005' }),
      op(2, 2, 3, { kind: 'createSequential', prefix: '/q/n-', data: '' }, { code: OK, name: '/q/n-0000000004' }),
    ],
    want: 'violation',
  },
  {
    name: 'concurrent sequential creates in either order, with gaps',
    history: [
      op(1, 0, 3, { kind: 'createSequential', prefix: '/q/n-', data: '' }, { code: OK, name: '/q/n-0000000007' }),
      op(2, 1, 2, { kind: 'createSequential', prefix: '/q/n-', data: '' }, { code: OK, name: '/q/n-0000000002' }),
    ],
    want: 'linearizable',
  },
  {
    name: 'a CAS that saw a value never written (succeeds at a version that never existed)',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(2, 2, 3, { kind: 'set', path: '/a', data: 'y', version: 4 }, { code: OK, version: 5 }),
    ],
    want: 'violation',
  },
  {
    name: 'a read of a value nobody wrote',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(2, 0, 3, { kind: 'set', path: '/a', data: 'y', version: 0 }, { code: OK, version: 1 }),
      op(3, 4, 5, { kind: 'get', path: '/a' }, { code: OK, data: 'w', version: 1 }),
    ],
    want: 'violation',
  },
  {
    name: 'two CAS at the same version both succeed',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(2, 2, 5, { kind: 'set', path: '/a', data: 'y', version: 0 }, { code: OK, version: 1 }),
      op(3, 2, 5, { kind: 'set', path: '/a', data: 'z', version: 0 }, { code: OK, version: 1 }),
    ],
    want: 'violation',
  },
  {
    name: 'an unanswered set may take effect later (seen by a read) or never',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, null, { kind: 'set', path: '/a', data: 'y', version: -1 }, null),
      op(2, 10, 11, { kind: 'get', path: '/a' }, { code: OK, data: 'x', version: 0 }),
      op(2, 12, 13, { kind: 'get', path: '/a' }, { code: OK, data: 'y', version: 1 }),
    ],
    want: 'linearizable',
  },
  {
    name: 'an unanswered set cannot be undone once seen',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, null, { kind: 'set', path: '/a', data: 'y', version: -1 }, null),
      op(2, 10, 11, { kind: 'get', path: '/a' }, { code: OK, data: 'y', version: 1 }),
      op(2, 12, 13, { kind: 'get', path: '/a' }, { code: OK, data: 'x', version: 0 }),
    ],
    want: 'violation',
  },
  {
    // ZOOKEEPER-1675: a paused old leader still answers sync+read with its old state after the
    // new leader acknowledged a write. sync+get is recorded as one get from the sync's call.
    name: 'sync then read from a deposed leader that missed an acknowledged write',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'v0' }, { code: OK }),
      op(1, 2, 3, { kind: 'set', path: '/a', data: 'v1', version: -1 }, { code: OK, version: 1 }),
      op(2, 4, 7, { kind: 'get', path: '/a' }, { code: OK, data: 'v0', version: 0 }),
    ],
    want: 'violation',
  },
  {
    name: 'delete then a stale exists',
    history: [
      op(1, 0, 1, { kind: 'create', path: '/a', data: 'x' }, { code: OK }),
      op(1, 2, 3, { kind: 'delete', path: '/a', version: -1 }, { code: OK }),
      op(2, 4, 5, { kind: 'exists', path: '/a' }, { code: OK, version: 0 }),
    ],
    want: 'violation',
  },
];

for (const { name, history, want } of cases) {
  test(`lincheck: ${name}`, () => {
    const result = checkLinearizable(znodeModel, history);
    assert.equal(result.verdict, want, JSON.stringify(result.failures, null, 1));
  });
}

test('lincheck: a violation names its partition and lists its history', () => {
  const result = checkLinearizable(znodeModel, cases[1]?.history ?? []);
  assert.equal(result.failures.length, 1);
  assert.equal(result.failures[0]?.partition, 'node:/a');
  assert.match(result.failures[0]?.history.join('\n') ?? '', /get \/a -> 0 data="x" v=0/);
});

test('lincheck: the recorder gives each event its own time and counts open calls as unanswered', () => {
  const recorder = new HistoryRecorder<ZnodeInput, ZnodeOutput>();
  const a = recorder.invoke(1, { kind: 'create', path: '/a', data: 'x' });
  const b = recorder.invoke(2, { kind: 'get', path: '/a' });
  recorder.complete(a, { code: OK });
  const ops = recorder.operations();
  assert.deepEqual(ops.map((o) => [o.call, o.ret]), [[0, 2], [1, null]]);
  assert.equal(checkLinearizable(znodeModel, ops).verdict, 'linearizable');
  assert.throws(() => recorder.complete(b + 7, { code: OK }));
});

/** A reference znode store, executed one operation at a time. */
function execute(store: Map<string, { data: string; version: number }>, sequence: Map<string, number>, input: ZnodeInput): ZnodeOutput {
  switch (input.kind) {
    case 'create':
      if (store.has(input.path)) return { code: ZkCode.NODEEXISTS };
      store.set(input.path, { data: input.data, version: 0 });
      return { code: OK };
    case 'createSequential': {
      const next = (sequence.get(input.prefix) ?? 0) + 1;
      sequence.set(input.prefix, next);
      return { code: OK, name: `${input.prefix}${String(next).padStart(10, '0')}` };
    }
    case 'delete': {
      const node = store.get(input.path);
      if (node === undefined) return { code: ZkCode.NONODE };
      if (input.version !== -1 && input.version !== node.version) return { code: ZkCode.BADVERSION };
      store.delete(input.path);
      return { code: OK };
    }
    case 'set': {
      const node = store.get(input.path);
      if (node === undefined) return { code: ZkCode.NONODE };
      if (input.version !== -1 && input.version !== node.version) return { code: ZkCode.BADVERSION };
      store.set(input.path, { data: input.data, version: node.version + 1 });
      return { code: OK, version: node.version + 1 };
    }
    case 'get': {
      const node = store.get(input.path);
      return node === undefined ? { code: ZkCode.NONODE } : { code: OK, data: node.data, version: node.version };
    }
    case 'exists': {
      const node = store.get(input.path);
      return node === undefined ? { code: ZkCode.NONODE } : { code: OK, version: node.version };
    }
  }
}

const inputArb: fc.Arbitrary<ZnodeInput> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), path: fc.constantFrom('/a', '/b'), data: fc.constantFrom('x', 'y', 'z') }),
  fc.record({ kind: fc.constant('createSequential' as const), prefix: fc.constant('/q/n-'), data: fc.constant('') }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom('/a', '/b'), version: fc.integer({ min: -1, max: 3 }) }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom('/a', '/b'), data: fc.constantFrom('x', 'y', 'z'), version: fc.integer({ min: -1, max: 3 }) }),
  fc.record({ kind: fc.constant('get' as const), path: fc.constantFrom('/a', '/b') }),
  fc.record({ kind: fc.constant('exists' as const), path: fc.constantFrom('/a', '/b') }),
);

/** Operations executed at distinct points, each inside a random interval around its point. */
const historyArb = fc.array(fc.tuple(inputArb, fc.nat(6), fc.nat(6), fc.boolean()), { minLength: 1, maxLength: 24 }).map((specs) => {
  const store = new Map<string, { data: string; version: number }>();
  const sequence = new Map<string, number>();
  return specs.map(([input, before, after, lost], index): Op => {
    const point = index * 4 + 2;
    const output = execute(store, sequence, input);
    return lost ? op(index, point - before, null, input, null) : op(index, point - Math.min(before, 2), point + Math.min(after, 2) + (after > 2 ? after * 4 : 0), input, output);
  });
});

test('lincheck: every history of an atomic store is linearizable (property)', () => {
  fc.assert(fc.property(historyArb, (history) => checkLinearizable(znodeModel, history).verdict === 'linearizable'), { numRuns: 300 });
});

test('lincheck: a sequential history with one read answer changed to a value never written is a violation (property)', () => {
  fc.assert(fc.property(fc.array(inputArb, { minLength: 1, maxLength: 24 }), fc.nat(), (inputs, pick) => {
    // Strictly sequential: every operation returns before the next is called.
    const store = new Map<string, { data: string; version: number }>();
    const sequence = new Map<string, number>();
    const history = inputs.map((input, index) => op(index % 3, index * 2, index * 2 + 1, input, execute(store, sequence, input)));
    const reads = history.flatMap((o, index) => (o.input.kind === 'get' && o.output?.code === OK ? [index] : []));
    fc.pre(reads.length > 0);
    const index = reads[pick % reads.length] ?? 0;
    const chosen = history[index];
    if (chosen?.output == null) return false;
    history[index] = { ...chosen, output: { ...chosen.output, data: 'never-written' } };
    return checkLinearizable(znodeModel, history).verdict === 'violation';
  }), { numRuns: 300 });
});

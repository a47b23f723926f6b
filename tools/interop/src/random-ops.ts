/**
 * Seeded random op sequences for the differential test: a small path space so ops collide
 * (NodeExists, NoNode, NotEmpty, BadVersion happen often), two sessions, watches, multis.
 * The PRNG is explicit (mulberry32) so a printed seed replays the same sequence.
 */
import type { DiffOp, DiffSequence } from './diff-normalize.js';

/** A deterministic PRNG over 32-bit state. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, count). */
  below(count: number): number {
    return Math.floor(this.next() * count);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

const paths = ['/r/a', '/r/b', '/r/a/x', '/r/a/y', '/r/b/x', '/r/a/x/z'] as const;
const modes = ['persistent', 'persistent', 'persistent', 'ephemeral', 'sequential', 'ephemeral_sequential'] as const;
const versions = [-1, -1, 0, 1, 2] as const;
/**
 * ACL names understood by diff_driver.py; digest-readable locks writes to sessions with
 * `auth` but lets anyone read, so `exists` never meets Corral's intended NOAUTH on an
 * unreadable node (docs/divergences.md#exists-checks-read; the hand-written scenarios cover it).
 */
const acls = ['open', 'open', 'read', 'digest-readable'] as const;

function writeOp(prng: Prng): DiffOp {
  const path = prng.pick(paths);
  switch (prng.below(3)) {
    case 0:
      return prng.below(10) === 0
        ? { op: 'create', path, mode: 'persistent', acl: prng.pick(acls) }
        : { op: 'create', path, data: `d${prng.below(100)}`, mode: prng.pick(modes) };
    case 1:
      return { op: 'set', path, data: `v${prng.below(100)}`, version: prng.pick(versions) };
    default:
      return { op: 'delete', path, version: prng.pick(versions) };
  }
}

function multiOp(prng: Prng): DiffOp {
  const ops: DiffOp[] = [];
  const count = 1 + prng.below(3);
  for (let index = 0; index < count; index++) {
    const op = prng.below(5) === 0 ? { op: 'check', path: prng.pick(paths), version: prng.pick(versions) } : writeOp(prng);
    // multi takes plain creates; sequential/ephemeral modes are still allowed
    ops.push(op.op === 'create' ? { ...op, mode: prng.pick(['persistent', 'ephemeral', 'sequential'] as const) } : op);
  }
  return { op: 'multi', ops };
}

/** `count` ops over two sessions, starting from an existing /r. */
export function randomSequence(seed: number, count: number): DiffSequence {
  const prng = new Prng(seed);
  const ops: DiffOp[] = [{ op: 'create', path: '/r' }];
  for (let index = 1; index < count; index++) {
    const s = prng.below(2);
    const roll = prng.below(100);
    let op: DiffOp;
    if (roll < 45) op = writeOp(prng);
    else if (roll < 55) op = multiOp(prng);
    else if (roll < 65) op = { op: 'get', path: prng.pick(paths), watch: prng.below(2) === 0 };
    else if (roll < 75) op = { op: 'exists', path: prng.pick(paths), watch: prng.below(2) === 0 };
    else if (roll < 85) op = { op: 'children', path: prng.pick(['/r', ...paths]), watch: prng.below(2) === 0 };
    else if (roll < 92) op = { op: 'events' };
    else if (roll < 94) op = { op: 'sync', path: '/r' };
    else if (roll < 97) op = { op: 'setacl', path: prng.pick(paths), acl: prng.pick(acls), version: prng.pick(versions) };
    else if (roll < 99) op = { op: 'getacl', path: prng.pick(paths) };
    else op = { op: 'auth', cred: 'user:pw' };
    ops.push({ ...op, s });
  }
  ops.push({ op: 'events', s: 0 }, { op: 'events', s: 1 });
  return { sessions: 2, ops };
}

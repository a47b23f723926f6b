/**
 * xoshiro128** (Blackman and Vigna, 2018): 128 bits of state, four 32-bit
 * words, fast in JavaScript because every step is a 32-bit integer
 * operation. The state is filled from the seed by splitmix32 so that
 * neighbouring seeds give unrelated streams. The simulator owns exactly one
 * of these per run: every choice it makes (configuration, faults, delays)
 * comes from it, so a seed replays a run exactly. Math.random is never used.
 */
import { assert } from '@corral/base';
import type { Prng } from '@corral/base';

const twoTo32 = 0x1_0000_0000;

/** The seeded generator; implements `@corral/base`'s Prng interface. */
export class Xoshiro128 implements Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    assert(Number.isSafeInteger(seed) && seed >= 0, `seed must be a non-negative safe integer, got ${seed}`);
    // splitmix32 over both halves of the seed, so seeds above 2^32 differ too.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / twoTo32), 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    // An all-zero state would stay zero forever.
    this.s3 = next() | 1;
  }

  /** A generator with the given state words; for the reference test vectors. */
  static fromState(state: readonly [number, number, number, number]): Xoshiro128 {
    assert(state.some((word) => word !== 0), 'the state must not be all zero');
    const prng = new Xoshiro128(0);
    [prng.s0, prng.s1, prng.s2, prng.s3] = state.map((word) => word >>> 0) as [number, number, number, number];
    return prng;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  below(bound: number): number {
    assert(Number.isSafeInteger(bound) && bound > 0 && bound <= twoTo32, `bad bound ${bound}`);
    return Math.floor((this.nextUint32() / twoTo32) * bound);
  }

  chance(probability: number): boolean {
    return this.nextUint32() / twoTo32 < probability;
  }

  /** An integer in [min, max], both included. */
  intBetween(min: number, max: number): number {
    assert(min <= max, `empty range ${min}..${max}`);
    return min + this.below(max - min + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick from an empty array');
    const item = items[this.below(items.length)];
    assert(item !== undefined, 'pick within bounds');
    return item;
  }

  /** A uniformly shuffled copy (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const a = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = a;
    }
    return copy;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

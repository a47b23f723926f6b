/**
 * The randomness a pure package may use, injected by its caller (STYLE §2,
 * §17: ZooKeeper reaches for ThreadLocalRandom; Corral takes a PRNG). The
 * server passes a generator seeded once at start-up; tools/sim passes one
 * seeded PRNG for the whole run, so every choice replays from the seed.
 */

/** A deterministic source of random numbers. Implementations: tools/sim's `Xoshiro128`. */
export interface Prng {
  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** A uniform integer in [0, bound); `bound` is a positive safe integer ≤ 2^32. */
  below(bound: number): number;
  /** True with probability `probability` (0 never, 1 always). */
  chance(probability: number): boolean;
}

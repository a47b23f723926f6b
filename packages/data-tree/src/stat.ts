/**
 * Stat as clients see it, StatPersisted as the tree stores it, and the
 * ephemeralOwner encodings of EphemeralType.java.
 */

// Stat and StatPersisted are defined once in @corral/base, shared with wire.
export type { Stat, StatPersisted } from '@corral/base';

/**
 * EphemeralType.CONTAINER_EPHEMERAL_OWNER (Long.MIN_VALUE). 64-bit ids are
 * signed bigints here, as Java longs and jute's `long` are.
 */
export const containerEphemeralOwner = -0x8000000000000000n;

const extendedMask = 0xff00000000000000n;
const reservedBitsMask = 0x00ffff0000000000n;

/** EphemeralType.TTL.maxValue(): the largest TTL in ms (~34 years). */
export const ttlMaxMs = 0xffffffffffn;

/** The kind of node an ephemeralOwner denotes. */
export type EphemeralKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

/**
 * EphemeralType.get with extended types enabled: high byte 0xFF and extended
 * feature bits 0 is TTL, MIN_VALUE is a container, 0 persistent, anything
 * else a session id. Server ids above 254 would collide with TTL (ZooKeeper
 * refuses them when extended types are on); Corral assumes the same.
 */
export function ephemeralKind(ephemeralOwner: bigint): EphemeralKind {
  if (ephemeralOwner === 0n) return 'persistent';
  if (ephemeralOwner === containerEphemeralOwner) return 'container';
  const unsigned = BigInt.asUintN(64, ephemeralOwner);
  if ((unsigned & extendedMask) === extendedMask && (unsigned & reservedBitsMask) === 0n) return 'ttl';
  return 'ephemeral';
}

/** EphemeralType.TTL.toEphemeralOwner; undefined when ttl is not in 1..ttlMaxMs. */
export function ttlEphemeralOwner(ttl: bigint): bigint | undefined {
  if (ttl <= 0n || ttl > ttlMaxMs) return undefined;
  return BigInt.asIntN(64, extendedMask | ttl);
}

/** The TTL in ms of a TTL node's ephemeralOwner (EphemeralType.TTL.getValue). */
export function ttlOf(ephemeralOwner: bigint): bigint {
  return BigInt.asUintN(64, ephemeralOwner) & ttlMaxMs;
}

/**
 * Session ids as ZooKeeper makes them (SessionTrackerImpl.initializeNextSessionId):
 * the start time shifted left 24 bits with the server id in the top byte, so
 * servers of one ensemble never hand out the same id. Pure: the start time is
 * passed in.
 */

/** First session id of a server started at `nowMs` with id `serverId`. */
export function initialSessionId(nowMs: number, serverId: number): bigint {
  const shifted = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  return BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
}

/** Constant-time-ish comparison of two passwords. */
export function passwordsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let index = 0; index < a.length; index += 1) diff |= (a[index] ?? 0) ^ (b[index] ?? 0);
  return diff === 0;
}

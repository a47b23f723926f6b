/**
 * Session ids and passwords as ZooKeeper makes them: the id is the start
 * time shifted left 24 bits with the server id in the top byte
 * (SessionTrackerImpl.initializeNextSessionId); the password is derived from
 * the id and a server secret so a restarted server can re-derive it.
 */
import { createHash } from 'node:crypto';

const passwordSecret = 'corral-session-secret-b3415c00';

/** First session id of a server started at `nowMs` with id `serverId`. */
export function initialSessionId(nowMs: number, serverId: number): bigint {
  const shifted = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  return BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
}

/** The 16-byte password of a session. */
export function sessionPassword(sessionId: bigint): Uint8Array {
  return createHash('sha256').update(passwordSecret).update(sessionId.toString(16)).digest().subarray(0, 16);
}

/** Constant-time-ish comparison of two passwords. */
export function passwordsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let index = 0; index < a.length; index += 1) diff |= (a[index] ?? 0) ^ (b[index] ?? 0);
  return diff === 0;
}

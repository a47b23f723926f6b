/**
 * `acknowledged-writes`, checked once the liveness phase converged: every
 * write a client saw acknowledged OK (its zxid) is at or below the zxid the
 * healed core's leader stands at. With `agreement` (one txn per zxid) that
 * means the leader's tree holds it: an acknowledged write was never lost.
 */
import type { ServerId, Zxid } from '@corral/base';

/** The violation message, or null when every acknowledged write is in the leader's history. */
export function lostAcknowledgedWrite(acknowledged: readonly Zxid[], leader: { readonly sid: ServerId; readonly appliedZxid: Zxid }): string | null {
  const lost = acknowledged.find((zxid) => zxid > leader.appliedZxid);
  if (lost === undefined) return null;
  return `write acknowledged at 0x${lost.toString(16)} is above leader ${leader.sid}'s 0x${leader.appliedZxid.toString(16)}`;
}

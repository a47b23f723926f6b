/** The auth ids a session may hold (connection state, checked by both cores). */
import { aclStringBytesMax, type Id } from '@corral/data-tree';
import { authIdsPerSessionMax } from '../net/limits.js';
import { authenticate } from './digest-auth.js';

/**
 * Whether a session may add `ids`: each must fit an ACL entry (a longer one
 * could never match one), and the session keeps at most
 * authIdsPerSessionMax of them, since "auth" ACLs copy every one.
 */
export function authIdsFit(known: readonly Id[], ids: readonly Id[]): boolean {
  const encoder = new TextEncoder();
  let count = known.filter((id) => id.scheme !== 'ip').length;
  for (const id of ids) {
    if (encoder.encode(id.id).length > aclStringBytesMax) return false;
    if (id.scheme === 'ip' || known.some((other) => other.scheme === id.scheme && other.id === id.id)) continue;
    count += 1;
  }
  return count <= authIdsPerSessionMax;
}

/**
 * An `auth` packet (ZooKeeperServer.processPacket): adds the ids it proves
 * to the session's connection-state auth ids. False when it proves nothing
 * or the ids do not fit: the caller answers AUTHFAILED and closes.
 */
export function addAuth(authIds: Id[], request: { scheme: string; auth: Uint8Array; superDigest: string | null; remoteAddress: string }): boolean {
  const ids = authenticate(request);
  if (ids === null || !authIdsFit(authIds, ids)) return false;
  for (const id of ids) {
    if (!authIds.some((known) => known.scheme === id.scheme && known.id === id.id)) authIds.push(id);
  }
  return true;
}

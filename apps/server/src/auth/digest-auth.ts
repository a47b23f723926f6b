/**
 * The digest auth scheme (DigestAuthenticationProvider): "user:password"
 * authenticates as the id "user:base64(sha1(user:password))". A configured
 * superDigest makes the matching user a super user who passes every ACL.
 */
import { createHash } from 'node:crypto';
import type { Id } from '@corral/data-tree';

/** ZooKeeper's digest of "user:password". */
export function generateDigest(userAndPassword: string): string {
  const colon = userAndPassword.indexOf(':');
  const user = colon < 0 ? userAndPassword : userAndPassword.slice(0, colon);
  const digest = createHash('sha1').update(userAndPassword, 'utf8').digest('base64');
  return `${user}:${digest}`;
}

/** The ids an `auth` packet adds to a session, or null when the scheme or credentials are refused. */
export function authenticate(scheme: string, auth: Uint8Array, superDigest: string | null): Id[] | null {
  if (scheme !== 'digest') return null;
  const id = generateDigest(new TextDecoder().decode(auth));
  // As DigestAuthenticationProvider: the super id is added before the digest id.
  return superDigest !== null && id === superDigest ? [{ scheme: 'super', id: '' }, { scheme: 'digest', id }] : [{ scheme: 'digest', id }];
}

/**
 * The auth schemes a client may use in an `auth` packet, as Apache's default
 * ProviderRegistry has them: `digest` ("user:password" authenticates as
 * "user:base64(sha1(user:password))"; a configured superDigest makes the
 * matching user a super user who passes every ACL) and `ip` (the connection's
 * own address, whatever the packet says). Any other scheme is refused.
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

/** One `auth` packet and what the server knows of its connection. */
export interface AuthAttempt {
  readonly scheme: string;
  readonly auth: Uint8Array;
  readonly superDigest: string | null;
  /** The connection's address as Java prints it (getHostAddress). */
  readonly remoteAddress: string;
}

/** The ids an `auth` packet adds to a session, or null when the scheme or credentials are refused. */
export function authenticate(attempt: AuthAttempt): Id[] | null {
  const { scheme, auth, superDigest } = attempt;
  // IPAuthenticationProvider.handleAuthentication ignores the auth bytes and
  // adds the address the connection already has as its ip id: OK, no change.
  if (scheme === 'ip') return [{ scheme: 'ip', id: attempt.remoteAddress }];
  if (scheme !== 'digest') return null;
  const id = generateDigest(new TextDecoder().decode(auth));
  // As DigestAuthenticationProvider: the super id is added before the digest id.
  return superDigest !== null && id === superDigest ? [{ scheme: 'super', id: '' }, { scheme: 'digest', id }] : [{ scheme: 'digest', id }];
}

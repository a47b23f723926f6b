/**
 * ACL types and the two ACL rules of ZooKeeper's server: checkACL
 * (ZooKeeperServer.checkACL) and fixupACL (PrepRequestProcessor.fixupACL),
 * with the default auth providers of ProviderRegistry: "ip" and "digest".
 * Other schemes (sasl, x509) are unregistered, as in a default Apache server.
 */
import { Perms, ZkCode, type ACL, type Id } from '@corral/base';

/** jute's Id and ACL, defined once in @corral/base. */
export type { ACL, Id };

/** ZooDefs.Perms bits, defined once in @corral/base. */
export { Perms };

/** world:anyone, the id every client has. */
export const anyoneId: Id = Object.freeze({ scheme: 'world', id: 'anyone' });

/** ZooDefs.Ids.OPEN_ACL_UNSAFE: ALL to world:anyone. */
export const openAclUnsafe: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.ALL, id: anyoneId })]);

/** ZooDefs.Ids.READ_ACL_UNSAFE: READ to world:anyone (the ACL of /zookeeper/config). */
export const readAclUnsafe: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.READ, id: anyoneId })]);

/** ZooDefs.Ids.CREATOR_ALL_ACL: ALL to the creator's authenticated ids (scheme "auth"). */
export const creatorAllAcl: readonly ACL[] = Object.freeze([Object.freeze({ perms: Perms.ALL, id: Object.freeze({ scheme: 'auth', id: '' }) })]);

/**
 * ZooKeeperServer.checkACL as a predicate: true when `authIds` may do `perm`.
 * An empty ACL allows everything. ZooKeeper's super user is an auth id with
 * scheme "super" (DigestAuthenticationProvider adds `super:` when the
 * password matches zookeeper.DigestAuthenticationProvider.superDigest), and
 * any such id passes every check: callers add `{scheme:'super', id:''}` to
 * the session's ids on a super login, exactly as ZooKeeper does.
 */
export function checkAcl(acl: readonly ACL[], perm: number, authIds: readonly Id[]): boolean {
  if (acl.length === 0) return true;
  for (const authId of authIds) if (authId.scheme === 'super') return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') return true;
    const matches = providerMatch(scheme);
    if (matches === undefined) continue;
    for (const authId of authIds) {
      if (authId.scheme === scheme && matches(authId.id, id)) return true;
    }
  }
  return false;
}

/** Result of fixupAcl: OK with the ACL to store, or INVALIDACL. */
export interface FixupAclResult {
  readonly code: ZkCode;
  readonly acl: readonly ACL[];
}

/**
 * PrepRequestProcessor.fixupACL: drops duplicate entries, rejects an empty
 * list, expands "auth" to every authenticated id of the session (digest ids;
 * ip ids are not "authenticated" and "super" has no provider), and rejects
 * unknown schemes or ids their provider calls invalid, all as INVALIDACL.
 */
export function fixupAcl(acl: readonly ACL[], authIds: readonly Id[]): FixupAclResult {
  const unique = removeDuplicates(acl);
  if (unique.length === 0) return invalid;
  const out: ACL[] = [];
  for (const entry of unique) {
    const { scheme, id } = entry.id;
    if (scheme === 'world' && id === 'anyone') {
      out.push(entry);
    } else if (scheme === 'auth') {
      let expanded = false;
      for (const authId of authIds) {
        if (authId.scheme === 'digest') {
          expanded = true;
          out.push({ perms: entry.perms, id: authId });
        }
      }
      if (!expanded) return invalid;
    } else {
      const valid = providerValid(scheme);
      if (valid === undefined || !valid(id)) return invalid;
      out.push(entry);
    }
  }
  return { code: ZkCode.OK, acl: out };
}

const invalid: FixupAclResult = Object.freeze({ code: ZkCode.INVALIDACL, acl: Object.freeze([]) });

function sameAcl(a: ACL, b: ACL): boolean {
  return a.perms === b.perms && a.id.scheme === b.id.scheme && a.id.id === b.id.id;
}

function removeDuplicates(acl: readonly ACL[]): ACL[] {
  const out: ACL[] = [];
  for (const entry of acl) if (!out.some((kept) => sameAcl(kept, entry))) out.push(entry);
  return out;
}

function providerMatch(scheme: string): ((authId: string, aclId: string) => boolean) | undefined {
  if (scheme === 'digest') return (authId, aclId) => authId === aclId;
  if (scheme === 'ip') return ipMatches;
  return undefined;
}

function providerValid(scheme: string): ((id: string) => boolean) | undefined {
  if (scheme === 'digest') return (id) => javaSplit(id, ':').length === 2;
  if (scheme === 'ip') return ipValid;
  return undefined;
}

/** Java's String.split(regex) for a literal one-char separator: trailing empty strings removed. */
function javaSplit(value: string, separator: string): string[] {
  if (value.length === 0) return [''];
  const parts = value.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Java's Integer.parseInt for ASCII input: optional sign, digits, int range; NaN on failure. */
function javaParseInt(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text) || text.length > 12) return Number.NaN;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : Number.NaN;
}

/** IPAuthenticationProvider.v4addr2Bytes: four parseInt parts in 0..255, else undefined. */
function ipv4Bytes(address: string): number[] | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    const value = javaParseInt(part);
    if (!(value >= 0 && value <= 255)) return undefined;
    bytes.push(value);
  }
  return bytes;
}

/** Splits "a.b.c.d/bits" as Java's split("/", 2) and checks the bit count. */
function ipExpression(expression: string): { bytes: number[]; bits: number } | undefined {
  const slash = expression.indexOf('/');
  const bytes = ipv4Bytes(slash < 0 ? expression : expression.slice(0, slash));
  if (bytes === undefined) return undefined;
  if (slash < 0) return { bytes, bits: 32 };
  const bits = javaParseInt(expression.slice(slash + 1));
  if (!(bits >= 0 && bits <= 32)) return undefined;
  return { bytes, bits };
}

function ipValid(id: string): boolean {
  return ipExpression(id) !== undefined;
}

function maskByte(value: number, index: number, bits: number): number {
  const keep = Math.max(0, Math.min(8, bits - index * 8));
  return value & ((0xff << (8 - keep)) & 0xff);
}

/** IPAuthenticationProvider.matches: CIDR compare of IPv4 addresses (no IPv6, as ZooKeeper). */
function ipMatches(authId: string, aclId: string): boolean {
  const expression = ipExpression(aclId);
  if (expression === undefined) return false;
  const remote = ipv4Bytes(authId);
  if (remote === undefined) return false;
  for (let i = 0; i < 4; i++) {
    if (maskByte(remote[i] ?? 0, i, expression.bits) !== maskByte(expression.bytes[i] ?? 0, i, expression.bits)) return false;
  }
  return true;
}

/**
 * What a txn must satisfy before it may be logged: every field `DataTree.apply`
 * asserts on or relies on, and every limit `decodeTxn` enforces when the log is
 * read back. A logged txn is replayed on every start, so a txn that fails
 * here and is logged anyway is a permanent outage (ZooKeeper 3.8 dies for good
 * on one createTTL with a negative TTL) or a log that no longer decodes.
 * Conditions on the tree's state (the parent exists, the node has no
 * children) are prep's, checked against its outstanding changes; these are
 * the conditions on the txn alone.
 */
import type { ACL } from './acl.js';
import { aclEntriesMax, aclStringBytesMax, dataBytesMax, multiOpsMax, pathBytesMax } from './limits.js';
import { validatePath } from './path.js';
import { ttlEphemeralOwner } from './stat.js';
import type { MultiSubTxn, Txn } from './txn.js';
import { TxnType, isMultiSubTxnType } from './txn.js';

const encoder = new TextEncoder();

/** True when `text` encodes to at most `bytesMax` UTF-8 bytes (encodes only when the length alone cannot tell). */
export function utf8Fits(text: string, bytesMax: number): boolean {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes.
  if (text.length * 3 <= bytesMax) return true;
  if (text.length > bytesMax) return false;
  return encoder.encode(text).length <= bytesMax;
}

/** Why a znode path cannot be logged, or null: PathUtils' rules and the log's length limit. */
export function pathProblem(path: string): string | null {
  if (!utf8Fits(path, pathBytesMax)) return `path longer than ${pathBytesMax} bytes`;
  return validatePath(path, false);
}

/** pathProblem, and the root, which is never created or deleted (apply would unlink it from itself). */
function nonRootPathProblem(path: string): string | null {
  return path === '/' ? 'the root is never created or deleted' : pathProblem(path);
}

/** Why an ACL list cannot be logged, or null: non-empty, within the entry and string limits. */
export function aclProblem(acl: readonly ACL[]): string | null {
  if (acl.length === 0) return 'empty ACL';
  if (acl.length > aclEntriesMax) return `more than ${aclEntriesMax} ACL entries`;
  for (const entry of acl) {
    if (!Number.isInteger(entry.perms) || (entry.perms | 0) !== entry.perms) return 'ACL perms not an int';
    if (!utf8Fits(entry.id.scheme, aclStringBytesMax) || !utf8Fits(entry.id.id, aclStringBytesMax)) {
      return `ACL scheme or id longer than ${aclStringBytesMax} bytes`;
    }
  }
  return null;
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && (value | 0) === value;
}

function dataProblem(data: Uint8Array | null): string | null {
  return data !== null && data.length > dataBytesMax ? `data longer than ${dataBytesMax} bytes` : null;
}

function createProblem(txn: { path: string; data: Uint8Array | null; acl: readonly ACL[]; parentCVersion: number }): string | null {
  if (!isInt32(txn.parentCVersion) || txn.parentCVersion < -1) return `parentCVersion ${txn.parentCVersion} out of range`;
  return nonRootPathProblem(txn.path) ?? dataProblem(txn.data) ?? aclProblem(txn.acl);
}

/**
 * Why `txn` (as prep emits it for a client request) cannot be logged, or
 * null when it can. Session txns are the server's own, built from its
 * session table, and not checked here.
 */
export function txnProblem(txn: Txn): string | null {
  switch (txn.type) {
    case TxnType.multi:
      if (txn.txns.length > multiOpsMax) return `more than ${multiOpsMax} ops in a multi`;
      for (const op of txn.txns) {
        const problem = multiSubTxnProblem(op);
        if (problem !== null) return problem;
      }
      return null;
    case TxnType.setACL:
      if (!isInt32(txn.version)) return `version ${txn.version} not an int`;
      return pathProblem(txn.path) ?? aclProblem(txn.acl);
    case TxnType.createSession:
    case TxnType.closeSession:
      return null;
    default:
      return multiSubTxnProblem(txn);
  }
}

function multiSubTxnProblem(txn: MultiSubTxn): string | null {
  if (!isMultiSubTxnType(txn.type)) return `txn type ${txn.type} not allowed inside a multi`;
  switch (txn.type) {
    case TxnType.create:
    case TxnType.createContainer:
      return createProblem(txn);
    case TxnType.createTTL:
      // apply asserts on this: EphemeralType.TTL.toEphemeralOwner throws in ZooKeeper.
      if (ttlEphemeralOwner(txn.ttl) === undefined) return `TTL ${txn.ttl} out of range`;
      return createProblem(txn);
    case TxnType.delete:
    case TxnType.deleteContainer:
      return nonRootPathProblem(txn.path);
    case TxnType.setData:
      if (!isInt32(txn.version)) return `version ${txn.version} not an int`;
      return pathProblem(txn.path) ?? dataProblem(txn.data);
    case TxnType.check:
      if (!isInt32(txn.version)) return `version ${txn.version} not an int`;
      return pathProblem(txn.path);
    case TxnType.error:
      return isInt32(txn.err) ? null : `err ${txn.err} not an int`;
  }
}

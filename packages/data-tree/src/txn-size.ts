/**
 * The size encodeTxn would give a txn, computed without encoding it. The
 * server checks it before a txn goes to the log (whose records have a
 * maximum size): an "auth" ACL expanded over many identities, repeated over
 * the ops of a multi, can make a txn far larger than the request, too large
 * to build safely. Counting stops as soon as the total passes `stopAbove`,
 * so the cost is bounded by the limit, not by the txn. Must follow
 * txn-codec.ts exactly; a property test compares the two.
 */
import type { ACL } from './acl.js';
import type { Txn, TxnHeader } from './txn.js';
import { TxnType } from './txn.js';
import { unreachable } from '@corral/base';

/** Format byte + sessionId + cxid + zxid + time + type. */
const headerBytes = 1 + 8 + 4 + 8 + 8 + 4;

/**
 * Bytes of encodeTxn(header, txn), or some number above `stopAbove` as soon
 * as the size is known to exceed it.
 */
export function encodedTxnBytes(header: TxnHeader, txn: Txn, stopAbove = Number.POSITIVE_INFINITY): number {
  void header; // Fixed size: every header encodes to headerBytes.
  return bodyBytes(txn, headerBytes, stopAbove);
}

function bodyBytes(txn: Txn, sizeBefore: number, stopAbove: number): number {
  switch (txn.type) {
    case TxnType.create:
      return aclBytes(txn.acl, sizeBefore + stringBytes(txn.path) + 4 + (txn.data?.length ?? 0) + 1 + 4, stopAbove);
    case TxnType.createContainer:
      return aclBytes(txn.acl, sizeBefore + stringBytes(txn.path) + 4 + (txn.data?.length ?? 0) + 4, stopAbove);
    case TxnType.createTTL:
      return aclBytes(txn.acl, sizeBefore + stringBytes(txn.path) + 4 + (txn.data?.length ?? 0) + 4 + 8, stopAbove);
    case TxnType.delete:
    case TxnType.deleteContainer:
      return sizeBefore + stringBytes(txn.path);
    case TxnType.setData:
      return sizeBefore + stringBytes(txn.path) + 4 + (txn.data?.length ?? 0) + 4;
    case TxnType.setACL:
      return aclBytes(txn.acl, sizeBefore + stringBytes(txn.path) + 4, stopAbove);
    case TxnType.check:
      return sizeBefore + stringBytes(txn.path) + 4;
    case TxnType.createSession:
    case TxnType.error:
      return sizeBefore + 4;
    case TxnType.closeSession: {
      let size = sizeBefore + 1;
      if (txn.paths2Delete === undefined) return size;
      size += 4;
      for (const path of txn.paths2Delete) {
        if (size > stopAbove) return size;
        size += stringBytes(path);
      }
      return size;
    }
    case TxnType.multi: {
      let size = sizeBefore + 4;
      for (const op of txn.txns) {
        if (size > stopAbove) return size;
        size = bodyBytes(op, size + 4, stopAbove);
      }
      return size;
    }
    default:
      return unreachable(txn, 'txn type');
  }
}

function aclBytes(acl: readonly ACL[], sizeBefore: number, stopAbove: number): number {
  let size = sizeBefore + 4;
  for (const entry of acl) {
    if (size > stopAbove) return size;
    size += 4 + stringBytes(entry.id.scheme) + stringBytes(entry.id.id);
  }
  return size;
}

/** u32 length + UTF-8 bytes as TextEncoder writes them (a lone surrogate becomes U+FFFD, 3 bytes). */
function stringBytes(value: string): number {
  let bytes = value.length;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(value.charCodeAt(index + 1))) {
      bytes += 2; // Two units, four bytes.
      index += 1;
    } else {
      bytes += 2;
    }
  }
  return 4 + bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

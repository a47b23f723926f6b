/**
 * Keeps every txn a client can cause under the log's record limit. A txn
 * over it would make the log fail, and a log failure stops the server (and,
 * logged or not, the client would retry it); so a request whose txn would
 * not fit is answered BADARGUMENTS instead, through a small ErrorTxn that
 * keeps the zxid sequence and the session's reply order. Apache 3.8 has no
 * such check (ZOOKEEPER-2101, -3496, -4306: its servers then fail to read
 * the txn back); see docs/divergences.md.
 */
import { ZkCode, type Zxid } from '@corral/base';
import type { ACL, Id, MultiSubTxn, Txn, TxnHeader } from '@corral/data-tree';
import { OpCode, type ClientRequest } from '@corral/wire';
import type { PreparedTxn } from './prep.js';

/** Fixed part of one encoded ACL entry: perms, two string lengths. */
const aclEntryOverheadBytes = 12;

/**
 * A lower bound of the bytes the "auth" entries of `request`'s ACLs add
 * when prep expands them over the session's digest identities; stops once
 * over `stopAbove`. Checked before prep, so that a request that can only be
 * refused never makes prep build its (possibly huge) expanded ACL lists.
 */
export function aclExpansionBytes(request: ClientRequest, authIds: readonly Id[], stopAbove: number): number {
  let perExpansion = 0;
  for (const id of authIds) if (id.scheme === 'digest') perExpansion += aclEntryOverheadBytes + id.scheme.length + id.id.length;
  if (perExpansion === 0) return 0;
  let total = 0;
  const ops = request.type === OpCode.multi ? request.ops : [request];
  for (const op of ops) {
    if (total > stopAbove) return total;
    const acl = 'acl' in op ? op.acl : undefined;
    if (acl !== undefined) total += distinctAuthEntries(acl) * perExpansion;
  }
  return total;
}

/** fixupAcl drops duplicate entries before expanding: count each "auth" entry once. */
function distinctAuthEntries(acl: readonly ACL[]): number {
  const seen = new Set<string>();
  for (const entry of acl) if (entry.id.scheme === 'auth') seen.add(`${entry.perms}:${entry.id.id}`);
  return seen.size;
}

/** The txn of a request refused because its txn would not fit the log: BADARGUMENTS, as ErrorTxn(s). */
export function tooLargeTxn(request: ClientRequest, options: { sessionId: bigint; cxid: number; zxid: Zxid; timeMs: number }): PreparedTxn {
  const header = (type: number): TxnHeader => ({ sessionId: options.sessionId, cxid: options.cxid, zxid: options.zxid, time: options.timeMs, type });
  if (request.type !== OpCode.multi) return { header: header(OpCode.error), txn: { type: OpCode.error, err: ZkCode.BADARGUMENTS } };
  // A failed multi answers every op: the first with the reason, the rest RUNTIMEINCONSISTENCY (as prep's rollback).
  const txns: MultiSubTxn[] = request.ops.map((_, index) => ({ type: OpCode.error, err: index === 0 ? ZkCode.BADARGUMENTS : ZkCode.RUNTIMEINCONSISTENCY }));
  const txn: Txn = { type: OpCode.multi, txns };
  return { header: header(OpCode.multi), txn };
}

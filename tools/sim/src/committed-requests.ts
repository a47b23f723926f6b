/**
 * Which client requests the ensemble committed, learned from the servers'
 * applied txns (each txn's header names its session and cxid), and which
 * sessions were closed (closeSession: a close or an expiry). An abandoned
 * write whose session was closed and which is not among the committed
 * requests never took effect and never will: the leader orders a session's
 * requests before its close, and a request prepped after the close fails.
 * Dropping such writes from the history (as Jepsen resolves indeterminate
 * operations from the final state) leaves the linearizability search far
 * fewer operations that may or may not have happened.
 *
 * Every txn at or below an applied zxid was applied one by one on some server
 * (a snapshot is a tree some server built by applying), so the union of the
 * applied events holds every request committed before any applied close.
 */
import type { Zxid } from '@corral/base';
import { TxnType, decodeTxn } from '@corral/data-tree';

/** The requests and session closes of every applied txn. */
export class CommittedRequests {
  private readonly decoded = new Set<Zxid>();
  private readonly requests = new Set<string>();
  private readonly closed = new Set<bigint>();

  /** A server applied these txns (each zxid is decoded once, whichever server applies it first). */
  applied(txns: readonly { readonly zxid: Zxid; readonly bytes?: Uint8Array }[]): void {
    for (const txn of txns) {
      if (txn.bytes === undefined || this.decoded.has(txn.zxid)) continue;
      this.decoded.add(txn.zxid);
      const { header } = decodeTxn(txn.bytes);
      if (header.type === TxnType.closeSession) this.closed.add(header.sessionId);
      else this.requests.add(`${header.sessionId}:${header.cxid}`);
    }
  }

  /** The request was not committed and its session is closed: it never takes effect. */
  neverHappens(sessionId: bigint, cxid: number): boolean {
    return this.closed.has(sessionId) && !this.requests.has(`${sessionId}:${cxid}`);
  }
}

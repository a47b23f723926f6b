/** The typed output of prep (STYLE §17: typed stage outputs instead of one mutable request bag). */
import type { Id, Txn, TxnHeader } from '@corral/data-tree';

/** Who is asking: the session and its authenticated ids. */
export interface PrepContext {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly authIds: readonly Id[];
}

/** A write turned into a txn, ready for broadcast's propose. */
export interface PreparedTxn {
  readonly header: TxnHeader;
  readonly txn: Txn;
}

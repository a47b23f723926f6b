/**
 * A leader's proposal sizes, as Apache's Leader.proposalStats (a BufferStats):
 * the last, smallest and largest txn proposed, in bytes, -1 before the first.
 * `srvr`/`stat` print them as `Proposal sizes last/min/max`, `mntr` as
 * zk_last/min/max_proposal_size, and `srst` on a leader resets them.
 */
import { assert } from '@corral/base';
import type { ProposalSizes } from '../admin/ensemble-report.js';

/** BufferStats.INIT_VALUE: what each figure reads until a proposal is recorded. */
export const proposalSizeUnset = -1;

/** Mutable proposal-size figures; the leader records each txn it proposes. */
export class ProposalSizeStats implements ProposalSizes {
  lastBytes = proposalSizeUnset;
  minBytes = proposalSizeUnset;
  maxBytes = proposalSizeUnset;

  /** One txn proposed, `bytes` long. */
  record(bytes: number): void {
    assert(Number.isSafeInteger(bytes) && bytes >= 0, 'a proposal size is a byte count');
    this.lastBytes = bytes;
    if (this.minBytes === proposalSizeUnset || bytes < this.minBytes) this.minBytes = bytes;
    if (bytes > this.maxBytes) this.maxBytes = bytes;
  }

  reset(): void {
    this.lastBytes = proposalSizeUnset;
    this.minBytes = proposalSizeUnset;
    this.maxBytes = proposalSizeUnset;
  }
}

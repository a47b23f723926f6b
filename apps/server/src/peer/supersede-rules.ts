/**
 * Which broadcast messages of one turn a later one makes redundant (LinkBatcher's SupersedeRule).
 * Both rules rely on a message being cumulative and on the reader handling a turn's messages
 * together: the earlier one is dropped, its information arrives with the later one in the same
 * flush. Only messages that do not look at what it said may lie between them.
 */
import type { BroadcastWire } from './batch-codec.js';
import type { SupersedeRule } from './link-batcher.js';

/** The zxid counter's bits: a counter of 0 is a NEWLEADER's zxid (initial sync or rollover). */
const counterMask = 0xffff_ffffn;

/**
 * Leader to learner: a COMMIT vouches for every txn up to its zxid (the learner commits
 * cumulatively), so it supersedes an earlier COMMIT across PROPOSALs. Anything else between them
 * (a PING, a REVALIDATE answer, UPTODATE) keeps both, so nothing is read with less committed.
 */
export const leaderCommitSupersedes: SupersedeRule<BroadcastWire> = {
  supersedes: (wire) => wire.msg === 'commit',
  passes: (wire) => wire.msg === 'proposal',
};

/**
 * Learner to a leader that said `cumulative_acks`: an ACK of a proposal vouches for the older
 * ones, so it supersedes an earlier ACK across forwarded requests, revalidations and PINGs, which
 * do not depend on it. An ACK of a NEWLEADER (counter 0) is neither dropped nor passed.
 */
export const learnerAckSupersedes: SupersedeRule<BroadcastWire> = {
  supersedes: (wire) => wire.msg === 'ack' && 'ack' in wire && wire.ack != null && (BigInt(wire.ack.zxid) & counterMask) !== 0n,
  passes: (wire) => wire.msg === 'request' || wire.msg === 'revalidate' || wire.msg === 'ping',
};

/**
 * Limits of the peer transport (STYLE §6). Every queue and buffer between
 * servers has a named maximum; tests pass tiny values.
 */
import { assertLimit, assertLimitBelow } from '@corral/base';

/** The limits a PeerNetwork and its codecs enforce. */
export interface PeerLimits {
  /**
   * Messages queued on one peer link (written but not yet taken by HTTP/2) before the link is
   * dropped. Writes only drain between event-loop turns, so this must hold everything the Driver
   * sends a peer in one turn: above broadcast's `outboundMessagesPerPeerMax` (50,000) plus the
   * chunks of one SNAP. A peer whose queue still exceeds it is not keeping up.
   */
  readonly outboundMessagesPerLinkMax: number;
  /** Bytes of snapshot carried by one SnapChunk. */
  readonly snapChunkBytesMax: number;
  /** Largest snapshot a learner reassembles; a larger Snap announcement closes the stream. */
  readonly snapshotBytesMax: number;
  /**
   * Largest gRPC message accepted or sent on a peer stream. It must hold the largest txn a
   * PROPOSAL carries (the log's record limit, `2 × jute.maxbuffer + 1 MiB`): the Driver passes
   * that plus overhead; the default covers jute.maxbuffer's maximum of 16 MiB.
   */
  readonly messageBytesMax: number;
  /**
   * Messages one LeaderBatch/LearnerBatch carries: a sender splits above it, a receiver closes
   * the stream on a batch above it.
   */
  readonly batchMessagesMax: number;
  /**
   * Bound of one batch's encoded size (each message counted at its payload plus
   * messageOverheadBytesMax). A sender splits above it; a message that alone exceeds it goes
   * on its own. At most messageBytesMax, which gRPC enforces on every message.
   */
  readonly batchBytesMax: number;
  /**
   * HTTP/2 flow-control window of a learner's connection to its leader (bytes the leader may
   * send ahead of what the learner has read). HTTP/2's default of 64 KiB makes a SNAP move one
   * window per round trip, and none while the learner loads the chunks it has: with a window
   * of the snapshot's order the leader sends on while the learner loads.
   */
  readonly broadcastReceiveWindowBytes: number;
  /** Broadcast streams one server accepts at once (learners, including reconnecting ones). */
  readonly broadcastStreamsMax: number;
  /** First reconnect delay of an election link. */
  readonly reconnectDelayMsMin: number;
  /** Cap of the doubling reconnect delay. */
  readonly reconnectDelayMsMax: number;
  /** A connection that has not finished the auth handshake within this time is closed. */
  readonly handshakeTimeoutMs: number;
}

/** Defaults: 1 MiB snapshot chunks, snapshots up to 4 GiB. */
export const defaultPeerLimits: PeerLimits = {
  outboundMessagesPerLinkMax: 100_000,
  snapChunkBytesMax: 1024 * 1024,
  snapshotBytesMax: 2 ** 32 - 1,
  messageBytesMax: 34 * 1024 * 1024,
  batchMessagesMax: 4096,
  batchBytesMax: 1024 * 1024,
  broadcastReceiveWindowBytes: 32 * 1024 * 1024,
  broadcastStreamsMax: 256,
  reconnectDelayMsMin: 50,
  reconnectDelayMsMax: 2_000,
  handshakeTimeoutMs: 5_000,
};

/**
 * Room a SnapChunk or Txn message needs beyond its payload bytes (tags, lengths, flags), also
 * as one entry of a batch (its LeaderMessage/LearnerMessage wrapper and entry tag), and the
 * room of a batch's own envelope.
 */
export const messageOverheadBytesMax = 64;

/** Checks each limit and the relations between them; throws AssertionError at start-up. */
export function validatePeerLimits(limits: PeerLimits): PeerLimits {
  assertLimit('outboundMessagesPerLinkMax', limits.outboundMessagesPerLinkMax);
  assertLimit('snapChunkBytesMax', limits.snapChunkBytesMax);
  assertLimit('snapshotBytesMax', limits.snapshotBytesMax);
  assertLimit('messageBytesMax', limits.messageBytesMax);
  assertLimit('batchMessagesMax', limits.batchMessagesMax);
  assertLimit('batchBytesMax', limits.batchBytesMax);
  assertLimit('broadcastReceiveWindowBytes', limits.broadcastReceiveWindowBytes);
  // HTTP/2 caps a flow-control window at 2^31 - 1.
  assertLimitBelow('broadcastReceiveWindowBytes', limits.broadcastReceiveWindowBytes, '2^31', 2 ** 31);
  assertLimit('broadcastStreamsMax', limits.broadcastStreamsMax);
  assertLimit('reconnectDelayMsMin', limits.reconnectDelayMsMin);
  assertLimit('reconnectDelayMsMax', limits.reconnectDelayMsMax);
  assertLimit('handshakeTimeoutMs', limits.handshakeTimeoutMs);
  assertLimitBelow('snapChunkBytesMax + overhead', limits.snapChunkBytesMax + messageOverheadBytesMax, 'messageBytesMax', limits.messageBytesMax);
  assertLimitBelow('batchBytesMax', limits.batchBytesMax, 'messageBytesMax + 1', limits.messageBytesMax + 1);
  assertLimitBelow('reconnectDelayMsMin', limits.reconnectDelayMsMin, 'reconnectDelayMsMax', limits.reconnectDelayMsMax);
  return limits;
}

/**
 * ProtocolError: the peer sent bytes that are not a valid frame or record
 * (STYLE §7). The jute port closes the connection on it, like ZooKeeper's
 * "Len error" / "Unreasonable length"; it never reaches data-tree.
 */
import { ZkCode } from '@corral/base';

/** Why a frame or record was refused. Stable strings: tests and logs match on them. */
export type ProtocolErrorReason =
  /** Length prefix above the configured maxFrameBytes. */
  | 'frame-too-large'
  /** Record needs more bytes than the frame holds. */
  | 'truncated'
  /** Negative (other than -1 = null) or oversized length of a buffer / string, or a negative frame length. */
  | 'bad-length'
  /** Negative (other than -1 = null) or impossible vector count. */
  | 'bad-count'
  /** Opcode not valid in this position (e.g. a getData inside a multi, or an unknown reply type). */
  | 'unknown-opcode'
  /** Bytes left after the record ended. */
  | 'trailing-bytes'
  /** A required string was sent as null (-1 length). */
  | 'null-field'
  /** A multi request carried more than multiOpsMax operations. */
  | 'too-many-ops'
  /** The frame's xid does not fit the decoder used (e.g. a notification passed to decodeReply). */
  | 'unexpected-xid';

/** A malformed or oversized frame: close the connection. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** Machine-readable cause; never match on `message`. */
  readonly reason: ProtocolErrorReason;
  /** ZooKeeper answers an undecodable request body with MARSHALLINGERROR. */
  readonly code = ZkCode.MARSHALLINGERROR;

  constructor(reason: ProtocolErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

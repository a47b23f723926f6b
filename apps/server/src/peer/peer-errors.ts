/**
 * Errors of the peer transport (STYLE §7). A peer that sends something we
 * cannot decode, or cannot prove it belongs to the ensemble, loses its
 * connection; neither error ever reaches election or broadcast, and neither
 * is an assertion (the bytes come from the network).
 */
import { ZkCode } from '@corral/base';

/** Why a peer message was refused. Stable strings: tests and logs match on them. */
export type PeerProtocolErrorReason =
  /** A oneof with no member set, or a member not valid in this direction or position. */
  | 'unexpected-message'
  /** A 64-bit value outside the range its TypeScript field holds (sid, epoch, zxid). */
  | 'out-of-range'
  /** An enum value with no meaning (SERVER_STATE_UNSPECIFIED or unknown). */
  | 'bad-enum'
  /** A required sub-message is missing (Proposal without its Txn). */
  | 'missing-field'
  /** A snapshot larger than snapshotBytesMax, or chunks that do not add up to its announced size. */
  | 'snapshot-size'
  /** A message (or snapshot chunk) larger than its limit. */
  | 'too-large';

/** A peer message that does not decode into a valid TypeScript message: close the stream. */
export class PeerProtocolError extends Error {
  override readonly name = 'PeerProtocolError';
  /** Machine-readable cause; never match on `message`. */
  readonly reason: PeerProtocolErrorReason;
  readonly code = ZkCode.MARSHALLINGERROR;

  constructor(reason: PeerProtocolErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

/** Why a peer's handshake failed. Stable strings, documented in docs/errors.md. */
export type PeerAuthErrorReason =
  /** The proof does not match: a wrong secret, or none where one is required. */
  | 'bad-proof'
  /** The claimed sid is not a server of this configuration (CVE-2023-44981). */
  | 'unknown-sid'
  /** The claimed sid is this server's own, or not the sid that was dialed. */
  | 'impostor-sid'
  /** The two sides disagree on whether a secret is used (mechanism mismatch). */
  | 'mechanism-mismatch'
  /** The first message was not the handshake's, or a field is malformed. */
  | 'bad-handshake'
  /** The handshake did not finish within handshakeTimeoutMs. */
  | 'timeout';

/** A peer that failed authentication: its stream is closed before any other message is read. */
export class PeerAuthError extends Error {
  override readonly name = 'PeerAuthError';
  readonly reason: PeerAuthErrorReason;
  readonly code = ZkCode.AUTHFAILED;

  constructor(reason: PeerAuthErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

/**
 * One peer stream (an Election exchange or a Broadcast follow, either end):
 * the auth handshake, bounded writes, and one close that reports once.
 *
 * Nothing but the handshake is read or written until it succeeds, so a peer
 * that fails it never votes, syncs or receives data. The handshake's member
 * names (challenge, auth, accept) are the same in both services' messages,
 * which is what lets this class serve both.
 */
import { status as Status, type ClientDuplexStream, type ServerDuplexStream } from '@grpc/grpc-js';
import { constants as http2Constants } from 'node:http2';
import type { Logger } from '../logger.js';
import { PeerAuthError, PeerProtocolError } from './peer-errors.js';
import {
  newPeerAuthNonce,
  peerAuthMechanism,
  peerAuthNonceBytes,
  peerAuthProof,
  peerAuthProofValid,
  type PeerAuthTranscript,
  type PeerService,
} from './peer-auth.js';
import type { WireAuthAccept, WireAuthChallenge, WireAuthResponse } from './peer-proto.js';
import { readBytes, readSid, writeUint64 } from './wire-values.js';

/** The handshake members every peer message type shares. */
interface HandshakeWire {
  msg?: string;
  challenge?: WireAuthChallenge | null;
  auth?: WireAuthResponse | null;
  accept?: WireAuthAccept | null;
}

/** A grpc-js bidi call from either end. */
export type PeerCall = ClientDuplexStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>;

/** How a stream ended: `hard` resets it at once (a slow peer), otherwise a status is sent after queued data. */
export interface CloseHow {
  readonly status: Status;
  readonly hard: boolean;
}

export interface PeerStreamOptions {
  readonly call: PeerCall;
  readonly side: 'connector' | 'acceptor';
  readonly service: PeerService;
  readonly mySid: number;
  readonly secret: Uint8Array | null;
  /** Connector: the sid it dialed; the challenge must come from it. */
  readonly dialedSid: number | null;
  /** Acceptor: is this sid a server of the configuration? */
  readonly isMember: (sid: number) => boolean;
  readonly outboundMessagesMax: number;
  readonly handshakeTimeoutMs: number;
  readonly logger: Logger;
  /** Acceptor, after a valid proof: a reason to refuse this authenticated peer, or null to admit it. */
  readonly admit?: (sid: number) => string | null;
  readonly onOpen: (peerSid: number) => void;
  /** A message after the handshake; throwing PeerProtocolError closes the stream. */
  readonly onMessage: (wire: unknown) => void;
  readonly onClose: (reason: string) => void;
}

type Phase = 'challenge' | 'accept' | 'open' | 'closed';

/** One authenticated (or authenticating) peer stream. */
export class PeerStream {
  /** The authenticated peer's sid; null until the handshake succeeds. */
  peerSid: number | null = null;
  private phase: Phase;
  private readonly nonce = newPeerAuthNonce();
  private transcript: PeerAuthTranscript | null = null;
  private handshakeTimer: NodeJS.Timeout | null;
  /** Messages written to the call whose write has not completed (HTTP/2 has not taken them). */
  private unsentMessages = 0;

  constructor(private readonly options: PeerStreamOptions) {
    const { call, side } = options;
    this.phase = side === 'acceptor' ? 'accept' : 'challenge';
    call.on('data', (wire: unknown) => this.receive(wire as HandshakeWire));
    call.on('error', (error: { code?: number; details?: string; message?: string }) => this.onStreamError(error));
    call.on('end', () => this.close('peer closed the stream'));
    call.on('close', () => this.close('stream closed'));
    call.on('cancelled', () => this.close('peer cancelled the stream'));
    this.handshakeTimer = setTimeout(() => this.refuse(new PeerAuthError('timeout', `no handshake within ${options.handshakeTimeoutMs} ms`), null), options.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    if (side === 'acceptor') {
      call.write({ challenge: { sid: writeUint64(options.mySid, 'sid'), nonce: this.nonce, mechanism: peerAuthMechanism(options.secret) } });
    }
  }

  /** True once authenticated and until closed. */
  get open(): boolean {
    return this.phase === 'open';
  }

  /** Queues one message; drops the link (and returns false) rather than queue beyond the limit. */
  write(wire: object): boolean {
    return this.writeMany([wire]);
  }

  /** Queues messages that must go together (a SNAP's chunks), under the same limit. */
  writeMany(wires: readonly object[]): boolean {
    if (!this.reserve(wires.length)) return false;
    for (const wire of wires) this.writeCounted(wire, 1);
    return true;
  }

  /**
   * True when `count` more messages fit in this link's outbound queue (outboundMessagesMax, which
   * counts every message a batch carries). Otherwise the peer is not keeping up: the link is
   * dropped and this is false.
   */
  reserve(count: number): boolean {
    if (this.phase !== 'open') return false;
    const { outboundMessagesMax, logger } = this.options;
    if (this.unsentMessages + count > outboundMessagesMax) {
      logger.warn(
        { sid: this.options.mySid, peer: this.peerSid, service: this.options.service, queued: this.unsentMessages, outboundMessagesPerLinkMax: outboundMessagesMax },
        'peer link dropped: outbound queue full (slow peer)',
      );
      this.close('outbound queue full', { status: Status.RESOURCE_EXHAUSTED, hard: true });
      return false;
    }
    return true;
  }

  /** Hands one gRPC message carrying `count` messages to the call (after `reserve`). */
  writeCounted(wire: object, count: number): void {
    if (this.phase !== 'open') return;
    this.unsentMessages += count;
    this.options.call.write(wire, () => {
      this.unsentMessages -= count;
    });
  }

  /** Closes the stream once and reports it; later calls do nothing. */
  close(reason: string, how: CloseHow = { status: Status.UNAVAILABLE, hard: false }): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.clearHandshakeTimer();
    const { call } = this.options;
    if (this.options.side === 'connector') (call as ClientDuplexStream<unknown, unknown>).cancel();
    else if (!how.hard || !resetServerStream(call as ServerDuplexStream<unknown, unknown>)) {
      if (how.hard) this.options.logger.warn({ sid: this.options.mySid, peer: this.peerSid }, 'peer stream could not be reset (grpc-js internals changed); ending it after its queued messages');
      call.emit('error', { code: how.status, details: reason });
    }
    this.options.onClose(reason);
  }

  private receive(wire: HandshakeWire): void {
    try {
      if (this.phase === 'open') this.options.onMessage(wire);
      else if (this.phase === 'challenge') this.onChallenge(wire);
      else if (this.phase === 'accept') {
        if (this.options.side === 'acceptor') this.onResponse(wire);
        else this.onAccept(wire);
      }
    } catch (error) {
      if (error instanceof PeerAuthError) this.refuse(error, null);
      else if (error instanceof PeerProtocolError) this.protocolError(error);
      else throw error;
    }
  }

  private onStreamError(error: { code?: number; details?: string; message?: string }): void {
    const details = error.details ?? error.message ?? 'unknown';
    if (this.phase !== 'open' && this.phase !== 'closed' && error.code === Status.UNAUTHENTICATED) {
      // The other side refused our handshake: say so here too, where the wrong secret usually is.
      const { logger, mySid, service, dialedSid } = this.options;
      logger.warn({ sid: mySid, peer: dialedSid ?? 'unknown', service }, `peer authentication refused by the peer: ${details}`);
    }
    this.close(`stream error: ${details}`);
  }

  /** Connector: the acceptor's challenge. */
  private onChallenge(wire: HandshakeWire): void {
    const { secret, dialedSid, mySid, service } = this.options;
    const challenge = wire.msg === 'challenge' ? wire.challenge : null;
    if (challenge === null || challenge === undefined) throw new PeerAuthError('bad-handshake', `expected a challenge, got ${String(wire.msg)}`);
    if (challenge.mechanism !== peerAuthMechanism(secret)) {
      throw new PeerAuthError('mechanism-mismatch', `peer expects "${challenge.mechanism}", this server uses "${peerAuthMechanism(secret)}"`);
    }
    const acceptorSid = this.readHandshakeSid(challenge.sid);
    if (acceptorSid !== dialedSid) throw new PeerAuthError('impostor-sid', `dialed sid ${String(dialedSid)}, the peer says it is sid ${acceptorSid}`);
    const acceptorNonce = checkNonce(challenge.nonce);
    this.transcript = { service, acceptorSid, acceptorNonce, connectorSid: mySid, connectorNonce: this.nonce };
    this.phase = 'accept';
    this.options.call.write({ auth: { sid: writeUint64(mySid, 'sid'), nonce: this.nonce, proof: peerAuthProof(secret, 'connector', this.transcript) } });
  }

  /** Acceptor: the connector's response. Membership is checked before anything else (CVE-2023-44981). */
  private onResponse(wire: HandshakeWire): void {
    const { secret, mySid, service, isMember } = this.options;
    const auth = wire.msg === 'auth' ? wire.auth : null;
    if (auth === null || auth === undefined) throw new PeerAuthError('bad-handshake', `expected an auth response, got ${String(wire.msg)}`);
    const connectorSid = this.readHandshakeSid(auth.sid);
    if (!isMember(connectorSid)) throw new PeerAuthError('unknown-sid', `sid ${connectorSid} is not a server of this configuration`);
    if (connectorSid === mySid) throw new PeerAuthError('impostor-sid', `the peer claims this server's own sid ${mySid}`);
    const transcript: PeerAuthTranscript = { service, acceptorSid: mySid, acceptorNonce: this.nonce, connectorSid, connectorNonce: checkNonce(auth.nonce) };
    if (!peerAuthProofValid(secret, 'connector', transcript, readBytes(auth.proof))) {
      throw new PeerAuthError('bad-proof', `the proof for sid ${connectorSid} does not match this ensemble's secret`);
    }
    const refusal = this.options.admit?.(connectorSid) ?? null;
    if (refusal !== null) {
      this.options.logger.info({ sid: mySid, peer: connectorSid, service }, `peer connection not kept: ${refusal}`);
      this.close(refusal, { status: Status.ALREADY_EXISTS, hard: false });
      return;
    }
    this.options.call.write({ accept: { proof: peerAuthProof(secret, 'acceptor', transcript) } });
    this.opened(connectorSid);
  }

  /** Connector: the acceptor's proof. */
  private onAccept(wire: HandshakeWire): void {
    const accept = wire.msg === 'accept' ? wire.accept : null;
    const transcript = this.transcript;
    if (accept === null || accept === undefined || transcript === null) throw new PeerAuthError('bad-handshake', `expected an accept, got ${String(wire.msg)}`);
    if (!peerAuthProofValid(this.options.secret, 'acceptor', transcript, readBytes(accept.proof))) {
      throw new PeerAuthError('bad-proof', `sid ${transcript.acceptorSid} could not prove it holds this ensemble's secret`);
    }
    this.opened(transcript.acceptorSid);
  }

  private opened(peerSid: number): void {
    this.clearHandshakeTimer();
    this.peerSid = peerSid;
    this.phase = 'open';
    this.options.onOpen(peerSid);
  }

  private readHandshakeSid(value: string): number {
    try {
      return readSid(value, 'sid');
    } catch (error) {
      if (error instanceof PeerProtocolError) throw new PeerAuthError('bad-handshake', error.message);
      throw error;
    }
  }

  private refuse(error: PeerAuthError, claimedSid: number | null): void {
    const { logger, mySid, service, side, dialedSid, call } = this.options;
    logger.warn(
      { sid: mySid, peer: claimedSid ?? dialedSid ?? 'unknown', service, side, remote: call.getPeer(), reason: error.reason },
      `peer authentication failed, connection refused: ${error.message}`,
    );
    this.close(error.message, { status: Status.UNAUTHENTICATED, hard: false });
  }

  private protocolError(error: PeerProtocolError): void {
    const { logger, mySid, service } = this.options;
    logger.warn({ sid: mySid, peer: this.peerSid, service, reason: error.reason }, `peer stream closed: ${error.message}`);
    this.close(error.message, { status: Status.INVALID_ARGUMENT, hard: false });
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }
}

function checkNonce(nonce: Buffer | null | undefined): Uint8Array {
  const bytes = readBytes(nonce);
  if (bytes.byteLength !== peerAuthNonceBytes) throw new PeerAuthError('bad-handshake', `nonce of ${bytes.byteLength} bytes, expected ${peerAuthNonceBytes}`);
  return bytes;
}

/**
 * Resets a server-side call's HTTP/2 stream at once. grpc-js has no public API for it: ending the
 * call sends its status only after the queued messages, which a peer that stops reading never
 * takes. This reaches the call's Http2Stream through grpc-js internals (1.14: call → nextCall →
 * stream); if they change it returns false and the caller logs that and ends the call normally.
 * The slow-peer test in peer-network.test.ts fails on that log line.
 */
function resetServerStream(call: ServerDuplexStream<unknown, unknown>): boolean {
  let node: unknown = (call as unknown as { call?: unknown }).call;
  for (let depth = 0; depth < 4 && typeof node === 'object' && node !== null; depth++) {
    const stream = (node as { stream?: { close?: (code: number) => void; destroyed?: boolean } }).stream;
    if (stream !== undefined && typeof stream.close === 'function') {
      if (stream.destroyed !== true) stream.close(http2Constants.NGHTTP2_CANCEL);
      return true;
    }
    node = (node as { nextCall?: unknown }).nextCall;
  }
  return false;
}

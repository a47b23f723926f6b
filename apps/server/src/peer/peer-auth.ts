/**
 * Peer authentication (issue 9 item 3): a challenge-response over a shared
 * ensemble secret, in both directions, so the secret never crosses the wire.
 *
 * On every peer stream the accepting server A sends (sidA, nonceA); the
 * connecting server C answers (sidC, nonceC, proofC) and A answers proofA,
 * where proofX = HMAC-SHA256(secret, label | role | service | sidA | sidC |
 * nonceA | nonceC). Both nonces are fresh 32 random bytes, so a recorded proof
 * is useless on another stream; the role and service labels keep a proof from
 * being reflected back or replayed on the other service; both sids are bound,
 * so a proof made for one claimed sid does not vouch for another.
 *
 * Without a configured secret the mechanism is "none": both sides still check
 * sids (a member of the configuration, not our own, the one we dialed), but
 * anyone who can reach the ports can join. The server logs a warning at start.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';

/** The config keys (zoo.cfg) that hold the ensemble secret; at most one may be set. */
export const peerAuthSecretKey = 'quorum.auth.secret';
export const peerAuthSecretFileKey = 'quorum.auth.secretFile';

/** A secret shorter than this is refused at start-up (a guessable secret is no secret). */
export const peerAuthSecretBytesMin = 16;

/** Nonce length in both directions; any other length fails the handshake. */
export const peerAuthNonceBytes = 32;

/** The mechanism names carried in PeerAuthChallenge.mechanism. */
export type PeerAuthMechanism = 'hmac-sha256' | 'none';

/** Which peer service a stream belongs to (bound into the proof). */
export type PeerService = 'election' | 'broadcast';

/** Reads the ensemble secret from zoo.cfg properties; null when neither key is set. Throws ConfigError. */
export function peerAuthSecretFromProperties(props: ReadonlyMap<string, string>, readFile: (path: string) => Buffer = readFileSync): Buffer | null {
  const inline = props.get(peerAuthSecretKey);
  const file = props.get(peerAuthSecretFileKey);
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError(peerAuthSecretFileKey, `set either ${peerAuthSecretKey} or ${peerAuthSecretFileKey}, not both`);
  }
  let secret: Buffer;
  let key: string;
  if (inline !== undefined) {
    secret = Buffer.from(inline, 'utf8');
    key = peerAuthSecretKey;
  } else if (file !== undefined) {
    key = peerAuthSecretFileKey;
    try {
      secret = readFile(file);
    } catch (error) {
      throw new ConfigError(key, `cannot read "${file}": ${(error as Error).message}`);
    }
    // A trailing newline is an artefact of `echo secret > file`, not part of the secret.
    secret = Buffer.from(secret.toString('utf8').replace(/\r?\n$/, ''), 'utf8');
  } else {
    return null;
  }
  if (secret.length < peerAuthSecretBytesMin) {
    throw new ConfigError(key, `the secret must be at least ${peerAuthSecretBytesMin} bytes, got ${secret.length}`);
  }
  return secret;
}

/** The mechanism a server with this secret speaks. */
export function peerAuthMechanism(secret: Uint8Array | null): PeerAuthMechanism {
  return secret === null ? 'none' : 'hmac-sha256';
}

/** A fresh nonce. */
export function newPeerAuthNonce(): Buffer {
  return randomBytes(peerAuthNonceBytes);
}

/** What one proof is computed over. */
export interface PeerAuthTranscript {
  readonly service: PeerService;
  readonly acceptorSid: number;
  readonly acceptorNonce: Uint8Array;
  readonly connectorSid: number;
  readonly connectorNonce: Uint8Array;
}

function u64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  return out;
}

/** The proof `role` sends: the connector's (in PeerAuthResponse) or the acceptor's (in PeerAuthAccept). Empty without a secret. */
export function peerAuthProof(secret: Uint8Array | null, role: 'connector' | 'acceptor', t: PeerAuthTranscript): Buffer {
  if (secret === null) return Buffer.alloc(0);
  const hmac = createHmac('sha256', secret);
  hmac.update(`corral-peer-auth-v1\0${role}\0${t.service}\0`);
  hmac.update(u64(t.acceptorSid));
  hmac.update(u64(t.connectorSid));
  hmac.update(t.acceptorNonce);
  hmac.update(t.connectorNonce);
  return hmac.digest();
}

/** True when `proof` is the one `role` must send (constant-time; always true without a secret). */
export function peerAuthProofValid(secret: Uint8Array | null, role: 'connector' | 'acceptor', t: PeerAuthTranscript, proof: Uint8Array): boolean {
  if (secret === null) return true;
  const expected = peerAuthProof(secret, role, t);
  return proof.byteLength === expected.byteLength && timingSafeEqual(proof, expected);
}

/**
 * Range-checked conversions between proto-loader's decimal strings and the
 * TypeScript values of the pure packages. Decoding never trusts the peer: a
 * value its field cannot hold raises PeerProtocolError('out-of-range').
 */
import { PeerProtocolError } from './peer-errors.js';
import type { WireLong } from './peer-proto.js';

const uint64Max = (1n << 64n) - 1n;
const int64Max = (1n << 63n) - 1n;
const uint32Max = 0xffff_ffffn;

function parse(value: WireLong | number | undefined | null, field: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value !== 'string' || !/^-?\d{1,20}$/.test(value)) throw new PeerProtocolError('out-of-range', `${field} is not an integer`);
  return BigInt(value);
}

function inRange(value: bigint, min: bigint, max: bigint, field: string): bigint {
  if (value < min || value > max) throw new PeerProtocolError('out-of-range', `${field} ${value} outside ${min}..${max}`);
  return value;
}

/** A uint64 field (zxids, election epochs, config versions). */
export function readUint64(value: WireLong | number | undefined | null, field: string): bigint {
  return inRange(parse(value, field), 0n, uint64Max, field);
}

/** An int64 field that holds -1 (an observer's vote) or a non-negative value. */
export function readInt64OrMinusOne(value: WireLong | number | undefined | null, field: string): bigint {
  return inRange(parse(value, field), -1n, int64Max, field);
}

/** An epoch: the high half of a zxid, so at most 2^32 - 1 (broadcast's `Epoch` is a number). */
export function readEpoch(value: WireLong | number | undefined | null, field: string): number {
  return Number(inRange(parse(value, field), 0n, uint32Max, field));
}

/** A server id: a non-negative safe integer. */
export function readSid(value: WireLong | number | undefined | null, field: string): number {
  return Number(inRange(parse(value, field), 0n, BigInt(Number.MAX_SAFE_INTEGER), field));
}

/** A server id that may be -1 (an observer's own vote names no leader). */
export function readSidOrMinusOne(value: WireLong | number | undefined | null, field: string): number {
  return Number(inRange(parse(value, field), -1n, BigInt(Number.MAX_SAFE_INTEGER), field));
}

/** Encodes a uint64 value; refuses what the field cannot carry (a bug on our side, still typed). */
export function writeUint64(value: bigint | number, field: string): WireLong {
  return inRange(BigInt(value), 0n, uint64Max, field).toString();
}

/** Encodes an int64 value that may be -1. */
export function writeInt64OrMinusOne(value: bigint | number, field: string): WireLong {
  return inRange(BigInt(value), -1n, int64Max, field).toString();
}

/** Encodes an epoch (0 .. 2^32 - 1). */
export function writeEpoch(value: number, field: string): WireLong {
  if (!Number.isSafeInteger(value)) throw new PeerProtocolError('out-of-range', `${field} ${value} is not an integer`);
  return inRange(BigInt(value), 0n, uint32Max, field).toString();
}

/** A bytes field as a Uint8Array view (no copy); absent bytes are empty. */
export function readBytes(value: Buffer | Uint8Array | undefined | null): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** A Uint8Array as the Buffer protobufjs encodes, without copying. */
export function writeBytes(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

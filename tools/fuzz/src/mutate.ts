/**
 * Byte-level mutations of a valid frame: bit flips, 32-bit fields (length
 * prefixes, vector counts, string lengths) set to -1, 0 or INT_MAX,
 * truncation, inserted, deleted and duplicated bytes. Usually the frame's
 * own length prefix is fixed up afterwards so the mutation reaches the
 * record decoder instead of only the framer.
 */
import type { Prng } from './prng.js';

const int32Values = [-1, 0, 0x7fffffff, -0x80000000, 1, 0xfffff, 0x100000, 0x7ffffff0];

function flipBits(prng: Prng, bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const count = prng.between(1, 8);
  for (let i = 0; i < count && out.length > 0; i++) {
    const index = prng.below(out.length);
    out[index] = (out[index] ?? 0) ^ (1 << prng.below(8));
  }
  return out;
}

/** Overwrites a 32-bit big-endian field: the frame prefix, a field just after the header, or anywhere. */
function setInt32(prng: Prng, bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4) return bytes;
  const out = bytes.slice();
  const roll = prng.below(4);
  const offset = roll === 0 ? 0 : roll === 1 && out.length >= 16 ? 12 : prng.below(out.length - 3);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setInt32(offset, prng.pick(int32Values));
  return out;
}

function truncate(prng: Prng, bytes: Uint8Array): Uint8Array {
  return bytes.slice(0, prng.below(bytes.length));
}

function insertBytes(prng: Prng, bytes: Uint8Array): Uint8Array {
  const at = prng.below(bytes.length + 1);
  const added = prng.chance(0.5) ? prng.bytes(prng.between(1, 16)) : new Uint8Array(prng.between(1, 4)).fill(prng.pick([0, 0xff, 0x7f]));
  const out = new Uint8Array(bytes.length + added.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(added, at);
  out.set(bytes.subarray(at), at + added.length);
  return out;
}

function deleteBytes(prng: Prng, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return bytes;
  const at = prng.below(bytes.length);
  const count = prng.between(1, Math.min(16, bytes.length - at));
  const out = new Uint8Array(bytes.length - count);
  out.set(bytes.subarray(0, at), 0);
  out.set(bytes.subarray(at + count), at);
  return out;
}

function duplicateChunk(prng: Prng, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return bytes;
  const from = prng.below(bytes.length);
  const chunk = bytes.subarray(from, from + prng.between(1, 64));
  return insertBytesAt(bytes, prng.below(bytes.length + 1), chunk);
}

function insertBytesAt(bytes: Uint8Array, at: number, added: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + added.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(added, at);
  out.set(bytes.subarray(at), at + added.length);
  return out;
}

const mutators = [flipBits, setInt32, setInt32, truncate, insertBytes, deleteBytes, duplicateChunk];

/** Rewrites the 4-byte length prefix to match the bytes that follow. */
export function fixLengthPrefix(frame: Uint8Array): Uint8Array {
  if (frame.length < 4) return frame;
  const out = frame.slice();
  new DataView(out.buffer, out.byteOffset, out.byteLength).setInt32(0, out.length - 4);
  return out;
}

/** One to three mutations of `frame`; the length prefix is fixed up with probability 0.7. */
export function mutateFrame(prng: Prng, frame: Uint8Array): Uint8Array {
  let out = frame;
  const count = prng.between(1, 3);
  for (let i = 0; i < count; i++) out = prng.pick(mutators)(prng, out);
  return prng.chance(0.7) ? fixLengthPrefix(out) : out;
}

/**
 * A small non-cryptographic 64-bit hash (two independent 32-bit lanes) for
 * tree digests and snapshot chunk checksums. Pure JS with Math.imul: no
 * node:crypto in the pure layer, and no bigint per step.
 */

const maxSafeBigint = BigInt(Number.MAX_SAFE_INTEGER);

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Running two-lane hash state. */
export class Hash64 {
  private lo = 0x811c9dc5;
  private hi = 0x9747b28c;

  /** Mixes one 32-bit integer (any number; only its low 32 bits count). */
  int(value: number): this {
    this.lo = Math.imul(this.lo ^ (value | 0), 0x01000193) >>> 0;
    this.hi = Math.imul((this.hi ^ (value | 0)) + 0x6b43a9b5, 0x5bd1e995) >>> 0;
    this.hi = (this.hi ^ (this.hi >>> 15)) >>> 0;
    return this;
  }

  /** Mixes a signed or unsigned 64-bit bigint. */
  bigint(value: bigint): this {
    // Zxids and most other values are below 2^53: split them as a number,
    // the same two words without allocating three temporary bigints.
    if (value >= 0n && value <= maxSafeBigint) {
      const number = Number(value);
      return this.int(number % 0x100000000).int(Math.floor(number / 0x100000000));
    }
    const unsigned = BigInt.asUintN(64, value);
    return this.int(Number(unsigned & 0xffffffffn)).int(Number(unsigned >> 32n));
  }

  /** Mixes a double exactly (ctime/mtime are ms and may exceed 2^32). */
  time(value: number): this {
    return this.int(value % 0x100000000).int(Math.floor(value / 0x100000000));
  }

  /** Mixes a string's UTF-16 code units and its length. */
  string(value: string): this {
    this.int(value.length);
    for (let i = 0; i < value.length; i++) this.int(value.charCodeAt(i));
    return this;
  }

  /** Mixes bytes and their length, four at a time (little-endian words); null mixes as length -1 alone. */
  bytes(value: Uint8Array | null): this {
    if (value === null) return this.int(-1);
    this.int(value.length);
    let i = 0;
    if (littleEndian && value.byteOffset % 4 === 0 && value.length >= 64) {
      // Same words as the byte loop below, read through an aligned view: 4x fewer loads.
      const words = new Int32Array(value.buffer, value.byteOffset, value.length >>> 2);
      for (let w = 0; w < words.length; w++) this.int(words[w] ?? 0);
      i = words.length * 4;
    }
    for (; i + 4 <= value.length; i += 4) {
      this.int((value[i] ?? 0) | ((value[i + 1] ?? 0) << 8) | ((value[i + 2] ?? 0) << 16) | ((value[i + 3] ?? 0) << 24));
    }
    for (; i < value.length; i++) this.int(value[i] ?? 0);
    return this;
  }

  /** Low lane after a final avalanche. */
  low(): number {
    return fmix(this.lo ^ this.hi);
  }

  /** High lane after a final avalanche. */
  high(): number {
    return fmix(this.hi + 0x27d4eb2f);
  }
}

function fmix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * 32-bit checksum of bytes (snapshot chunk trailer): a Fletcher-style pair
 * of running sums over little-endian words, folded through the hash's
 * avalanche. Catches any single flipped bit and reordered words at about a
 * quarter of Hash64's cost; the storage layer adds CRC-32C per chunk.
 */
export function checksum32(bytes: Uint8Array): number {
  let a = 1;
  let b = bytes.length;
  const words = littleEndian ? alignedWords(bytes) : null;
  let i = 0;
  if (words !== null) {
    for (let w = 0; w < words.length; w++) {
      a = (a + (words[w] ?? 0)) | 0;
      b = (b + a) | 0;
    }
    i = words.length * 4;
  } else {
    for (; i + 4 <= bytes.length; i += 4) {
      a = (a + ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24))) | 0;
      b = (b + a) | 0;
    }
  }
  for (; i < bytes.length; i++) {
    a = (a + (bytes[i] ?? 0)) | 0;
    b = (b + a) | 0;
  }
  return new Hash64().int(a).int(b).low();
}

/** Reused for unaligned input; grows to the largest chunk checked (snapshot chunks are bounded). */
let scratchWords = new Int32Array(0);

/**
 * The whole little-endian words of `bytes` as an Int32Array: a view when
 * they are 4-byte aligned, else a copy in scratch. A learner's chunks sit at
 * any offset of a network buffer, and one memcpy plus word loads is about
 * three times faster than assembling each word from four byte loads.
 */
function alignedWords(bytes: Uint8Array): Int32Array {
  const count = bytes.length >>> 2;
  if (bytes.byteOffset % 4 === 0) return new Int32Array(bytes.buffer, bytes.byteOffset, count);
  if (scratchWords.length < count) scratchWords = new Int32Array(count);
  new Uint8Array(scratchWords.buffer, 0, count * 4).set(bytes.subarray(0, count * 4));
  return scratchWords.subarray(0, count);
}

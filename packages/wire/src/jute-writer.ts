/**
 * JuteWriter: the primitive encoders of jute's BinaryOutputArchive into one
 * growable buffer. Encoding writes straight into the buffer (strings too, via
 * Buffer#write), so a typical reply costs the output copy and nothing per byte.
 * Frames reserve the 4-byte length prefix up front and patch it at the end.
 */
import { Buffer } from 'node:buffer';
import { maxFrameBytesCeiling, writerInitialBytes, writerRetainedBytesMax } from './limits.js';
import { ProtocolError } from './protocol-error.js';

const twoPow32 = 0x1_0000_0000;
/** Strings up to this many code units try the byte-by-byte ASCII path. */
const asciiFastPathMax = 64;

/** Growable big-endian writer of jute primitives. */
export class JuteWriter {
  private buf: Buffer;
  private offset = 0;

  constructor(initialBytes = writerInitialBytes) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.offset;
  }

  /** Forgets everything written (keeps the buffer unless it grew beyond writerRetainedBytesMax). */
  reset(): void {
    this.offset = 0;
    if (this.buf.length > writerRetainedBytesMax) this.buf = Buffer.allocUnsafe(writerInitialBytes);
  }

  private ensure(extra: number): void {
    const needed = this.offset + extra;
    if (needed <= this.buf.length) return;
    if (needed > maxFrameBytesCeiling) {
      throw new ProtocolError('frame-too-large', `encoding needs ${needed} bytes, above ${maxFrameBytesCeiling}`);
    }
    const grown = Buffer.allocUnsafe(Math.min(maxFrameBytesCeiling, Math.max(needed, this.buf.length * 2)));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }

  /** jute int (value is truncated to 32 bits, like a Java int cast). */
  writeInt(value: number): void {
    this.ensure(4);
    this.putInt32(value, this.offset);
    this.offset += 4;
  }

  /** Stores a 32-bit value big-endian by hand: cheaper than Buffer#writeInt32BE's argument checks. */
  private putInt32(value: number, at: number): void {
    const buf = this.buf;
    buf[at] = value >>> 24;
    buf[at + 1] = value >>> 16;
    buf[at + 2] = value >>> 8;
    buf[at + 3] = value;
  }

  /** jute long from a bigint (written modulo 2^64, as a signed Java long). */
  writeLong(value: bigint): void {
    // Most zxids fit a double exactly; converting once avoids the several
    // intermediate bigints Buffer#writeBigInt64BE allocates.
    const approx = Number(value);
    if (Number.isSafeInteger(approx)) {
      this.writeLongFromNumber(approx);
      return;
    }
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt.asIntN(64, value), this.offset);
    this.offset += 8;
  }

  /** jute long from a safe-integer number (ctime/mtime). */
  writeLongFromNumber(value: number): void {
    this.ensure(8);
    const integer = Math.trunc(value);
    const high = Math.floor(integer / twoPow32);
    const low = integer - high * twoPow32;
    this.putInt32(high, this.offset);
    this.putInt32(low, this.offset + 4);
    this.offset += 8;
  }

  /** jute boolean: one byte, 1 or 0. */
  writeBool(value: boolean): void {
    this.ensure(1);
    this.buf[this.offset] = value ? 1 : 0;
    this.offset += 1;
  }

  /** jute buffer: int length (-1 for null) + bytes. */
  writeBuffer(bytes: Uint8Array | null): void {
    if (bytes === null) {
      this.writeInt(-1);
      return;
    }
    this.ensure(4 + bytes.length);
    this.putInt32(bytes.length, this.offset);
    if (bytes.length > 0) this.buf.set(bytes, this.offset + 4);
    this.offset += 4 + bytes.length;
  }

  /** jute ustring: int length (-1 for null) + UTF-8, written in place and the length patched. */
  writeString(value: string | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.ensure(4 + value.length * 3);
    const written = value.length <= asciiFastPathMax ? this.writeShortString(value, this.offset + 4) : this.buf.write(value, this.offset + 4, 'utf8');
    this.putInt32(written, this.offset);
    this.offset += 4 + written;
  }

  /**
   * Copies a short string byte by byte while it is ASCII (typical paths),
   * which beats Buffer#write's call overhead; falls back on the first
   * non-ASCII code unit. Returns the bytes written.
   */
  private writeShortString(value: string, at: number): number {
    const buf = this.buf;
    for (let index = 0; index < value.length; index++) {
      const code = value.charCodeAt(index);
      if (code >= 0x80) return buf.write(value, at, 'utf8');
      buf[at + index] = code;
    }
    return value.length;
  }

  /** jute vector count (-1 for null). */
  writeVectorCount(count: number): void {
    this.writeInt(count);
  }

  /** vector<ustring>. */
  writeStringVector(values: readonly string[]): void {
    this.writeInt(values.length);
    for (const value of values) this.writeString(value);
  }

  /** Raw bytes, no length. */
  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** Starts a frame: reset, then reserve the 4-byte length prefix. */
  beginFrame(): void {
    this.reset();
    this.ensure(4);
    this.offset = 4;
  }

  /**
   * Ends a frame begun with beginFrame: patches the length prefix and returns
   * an exact-size copy (small copies come from Node's pooled slab).
   */
  finishFrame(): Buffer {
    this.putInt32(this.offset - 4, 0);
    return this.toBuffer();
  }

  /** An exact-size copy of everything written. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.offset);
    this.buf.copy(out, 0, 0, this.offset);
    return out;
  }
}

/**
 * The writer shared by the frame encoders. Encoding is synchronous and never
 * re-enters, so one buffer serves every reply of the process.
 */
export const sharedWriter = new JuteWriter();

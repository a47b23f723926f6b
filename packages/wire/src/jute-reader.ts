/**
 * JuteReader: the primitive decoders of jute's BinaryInputArchive over one
 * complete frame. Every read checks the bytes remaining first, and every
 * length or count read from the wire is checked against what is left before
 * anything is allocated for it, so a hostile frame can only ever cause a
 * ProtocolError (never a RangeError or a large allocation).
 */
import { Buffer } from 'node:buffer';
import { vectorCountMax } from './limits.js';
import { ProtocolError } from './protocol-error.js';

/** Sequential reader of jute primitives (big-endian) from one frame. */
export class JuteReader {
  private readonly buf: Buffer;
  private offset: number;
  private readonly end: number;

  /** Reads `bytes` (no copy is made of it). */
  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = 0;
    this.end = this.buf.length;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Current read position, relative to the start of the input. */
  get position(): number {
    return this.offset;
  }

  private need(count: number, what: string): void {
    if (this.end - this.offset < count) {
      throw new ProtocolError('truncated', `${what} needs ${count} bytes, ${this.end - this.offset} left`);
    }
  }

  /** jute int: 4-byte big-endian signed. */
  readInt(): number {
    this.need(4, 'int');
    const value = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** jute long: 8-byte big-endian signed, as bigint. */
  readLong(): bigint {
    this.need(8, 'long');
    const value = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /**
   * jute long as a number, for ctime/mtime (milliseconds). Exact while the
   * value is a safe integer; larger values lose precision (never produced by
   * ZooKeeper, whose times are epoch milliseconds).
   */
  readLongAsNumber(): number {
    this.need(8, 'long');
    const high = this.buf.readInt32BE(this.offset);
    const low = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return high * 0x1_0000_0000 + low;
  }

  /** jute boolean: one byte; like DataInput.readBoolean any non-zero byte is true. */
  readBool(): boolean {
    this.need(1, 'boolean');
    const value = this.buf[this.offset] !== 0;
    this.offset += 1;
    return value;
  }

  /** Reads a length prefix of a buffer/ustring: -1 is null, other negatives or too-long lengths are refused. */
  private readLength(what: string): number {
    const length = this.readInt();
    if (length === -1) return -1;
    if (length < 0) throw new ProtocolError('bad-length', `${what} length ${length}`);
    if (length > this.end - this.offset) {
      throw new ProtocolError('truncated', `${what} length ${length} exceeds ${this.end - this.offset} bytes left`);
    }
    return length;
  }

  /**
   * jute buffer, or null for length -1. The result is a copy: decoded data
   * goes into the data tree, and a view would pin the whole socket chunk.
   */
  readBufferOrNull(): Uint8Array | null {
    const length = this.readLength('buffer');
    if (length === -1) return null;
    const start = this.offset;
    this.offset += length;
    const base = this.buf.byteOffset + start;
    return new Uint8Array(this.buf.buffer.slice(base, base + length));
  }

  /** jute buffer; null (-1) decodes as an empty array. */
  readBuffer(): Uint8Array {
    return this.readBufferOrNull() ?? new Uint8Array(0);
  }

  /** jute ustring, or null for length -1. Invalid UTF-8 becomes U+FFFD, as with Java's new String(bytes, UTF_8). */
  readStringOrNull(): string | null {
    const length = this.readLength('ustring');
    if (length === -1) return null;
    const start = this.offset;
    this.offset += length;
    return this.buf.toString('utf8', start, start + length);
  }

  /** jute ustring that must not be null (paths, schemes): null is ProtocolError('null-field'). */
  readString(what = 'ustring'): string {
    const value = this.readStringOrNull();
    if (value === null) throw new ProtocolError('null-field', `${what} is null`);
    return value;
  }

  /**
   * jute vector count, or -1 for null. `minElementBytes` is the smallest
   * encoding of one element: count × minElementBytes must fit in the bytes
   * left, so the caller can size its array from the count safely.
   */
  readVectorCount(minElementBytes: number, what = 'vector'): number {
    const count = this.readInt();
    if (count === -1) return -1;
    if (count < 0 || count > vectorCountMax) throw new ProtocolError('bad-count', `${what} count ${count}`);
    if (count * minElementBytes > this.end - this.offset) {
      throw new ProtocolError('truncated', `${what} of ${count} needs at least ${count * minElementBytes} bytes, ${this.end - this.offset} left`);
    }
    return count;
  }

  /** vector<ustring>; null decodes as []. Elements must not be null. */
  readStringVector(what = 'vector<ustring>'): string[] {
    const count = this.readVectorCount(4, what);
    const out: string[] = [];
    for (let index = 0; index < count; index++) out.push(this.readString(what));
    return out;
  }

  /** Throws ProtocolError('trailing-bytes') unless the whole input was consumed. */
  expectEnd(what: string): void {
    if (this.offset !== this.end) {
      throw new ProtocolError('trailing-bytes', `${this.end - this.offset} bytes after ${what}`);
    }
  }
}

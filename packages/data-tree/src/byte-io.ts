/**
 * Bounded big-endian byte writer and reader for the txn and snapshot
 * encodings. The reader checks every length against a named limit and the
 * bytes remaining before allocating, and reports problems as
 * CorruptDataError (never RangeError).
 */
import { assert } from '@corral/base';
import type { ACL } from './acl.js';
import { CorruptDataError } from './errors.js';
import { aclEntriesMax, aclStringBytesMax } from './limits.js';

const encoder = new TextEncoder();

/**
 * The u32 length that stands for null data: 0xffffffff, jute's -1 read
 * unsigned. Encodings written before null data was kept (txn and snapshot
 * format 1 alike) never hold it, since every length is bounded far below, so
 * they read unchanged; an older reader refuses it as a length over limit.
 */
const nullBytesLength = 0xffffffff;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Strings up to this many UTF-16 units try the ASCII loop before TextEncoder (paths, ACL ids). */
const asciiFastPathMax = 256;

/**
 * Writes `value` at `at` if it is all ASCII and returns its length, else -1
 * (the caller encodes it as UTF-8 over whatever was written). For a short
 * path this beats encodeInto, which allocates a view and a result per call.
 */
function writeAscii(value: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0x80) return -1;
    out[at + i] = unit;
  }
  return value.length;
}

/** Growable writer with a hard maximum size. */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(
    private readonly bytesMax: number,
    initialBytes = 256,
  ) {
    this.buffer = new Uint8Array(Math.min(initialBytes, bytesMax));
    this.view = new DataView(this.buffer.buffer);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  /**
   * Makes room for `count` bytes and returns where they go. It may replace
   * `buffer` and `view`: callers must read those only after calling it.
   */
  private reserve(count: number): number {
    const at = this.length;
    const needed = at + count;
    // Tested inline, not through assert(…, () => message): this runs a dozen times per znode a snapshot writes.
    if (needed > this.bytesMax) assert(false, `encoded size ${needed} over limit ${this.bytesMax}`);
    if (needed > this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.bytesMax, Math.max(needed, this.buffer.length * 2)));
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = needed;
    return at;
  }

  u8(value: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, value);
  }

  i32(value: number): void {
    const at = this.reserve(4);
    this.view.setInt32(at, value);
  }

  u32(value: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, value);
  }

  i64(value: bigint): void {
    const at = this.reserve(8);
    // setBigInt64 wraps modulo 2^64 itself (ToBigInt64): an unsigned value is written as its signed twin.
    this.view.setBigInt64(at, value);
  }

  /** A non-negative safe integer (times in ms) as a float64, exact below 2^53. */
  f64(value: number): void {
    const at = this.reserve(8);
    this.view.setFloat64(at, value);
  }

  bytes(value: Uint8Array): void {
    this.u32(value.length);
    const at = this.reserve(value.length);
    this.buffer.set(value, at);
  }

  /**
   * Znode data, which may be null (ZooKeeper keeps null apart from empty):
   * null is the length nullBytesLength, which no real length reaches.
   */
  nodeData(value: Uint8Array | null): void {
    if (value === null) this.u32(nullBytesLength);
    else this.bytes(value);
  }

  string(value: string): void {
    // Encode straight into the buffer: reserve the worst case (3 bytes per
    // UTF-16 unit), then give back what was not used.
    const lengthAt = this.reserve(4 + value.length * 3);
    const written = value.length <= asciiFastPathMax ? writeAscii(value, this.buffer, lengthAt + 4) : -1;
    const length = written >= 0 ? written : encoder.encodeInto(value, this.buffer.subarray(lengthAt + 4)).written;
    this.view.setUint32(lengthAt, length);
    this.length = lengthAt + 4 + length;
  }

  acl(acl: readonly ACL[]): void {
    this.u32(acl.length);
    for (const entry of acl) {
      this.i32(entry.perms);
      this.string(entry.id.scheme);
      this.string(entry.id.id);
    }
  }

  /** The written bytes (a copy sized exactly). */
  finish(): Uint8Array {
    // A view, not a copy: a writer is used for one record or one snapshot
    // chunk and then dropped, so the view owns the buffer from here on.
    return this.buffer.subarray(0, this.length);
  }
}

/** Reader over one byte array; every read is bounds-checked. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly source: Uint8Array) {
    this.view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.source.length - this.offset;
  }

  private take(count: number, what: string): number {
    if (count > this.remaining) throw new CorruptDataError(`truncated ${what}: need ${count} bytes, have ${this.remaining}`);
    const at = this.offset;
    this.offset += count;
    return at;
  }

  u8(what: string): number {
    return this.view.getUint8(this.take(1, what));
  }

  i32(what: string): number {
    return this.view.getInt32(this.take(4, what));
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what));
  }

  i64(what: string): bigint {
    return this.view.getBigInt64(this.take(8, what));
  }

  f64(what: string): number {
    const value = this.view.getFloat64(this.take(8, what));
    if (!Number.isSafeInteger(value)) throw new CorruptDataError(`${what} is not an integer: ${value}`);
    return value;
  }

  /** A count of items each at least `minItemBytes` long, checked against `max` and the bytes left. */
  count(what: string, max: number, minItemBytes: number): number {
    const count = this.u32(what);
    if (count > max) throw new CorruptDataError(`${what} ${count} over limit ${max}`);
    if (count * minItemBytes > this.remaining) throw new CorruptDataError(`${what} ${count} exceeds remaining bytes`);
    return count;
  }

  bytes(what: string, max: number): Uint8Array {
    return this.bytesOfLength(this.u32(what), what, max);
  }

  /** Znode data written by ByteWriter.nodeData: null, or bytes up to `max`. */
  nodeData(what: string, max: number): Uint8Array | null {
    const length = this.u32(what);
    return length === nullBytesLength ? null : this.bytesOfLength(length, what, max);
  }

  private bytesOfLength(length: number, what: string, max: number): Uint8Array {
    if (length > max) throw new CorruptDataError(`${what} length ${length} over limit ${max}`);
    const at = this.take(length, what);
    // A view, not a copy: the tree copies data it keeps (ownData), so copying
    // here too only doubled the work of loading a snapshot.
    return this.source.subarray(at, at + length);
  }

  string(what: string, max: number): string {
    const length = this.u32(what);
    if (length > max) throw new CorruptDataError(`${what} length ${length} over limit ${max}`);
    const at = this.take(length, what);
    try {
      return decoder.decode(this.source.subarray(at, at + length));
    } catch (cause) {
      throw new CorruptDataError(`${what} is not valid UTF-8`, cause);
    }
  }

  acl(what: string): ACL[] {
    const count = this.count(`${what} ACL count`, aclEntriesMax, 12);
    const acl: ACL[] = [];
    for (let i = 0; i < count; i++) {
      const perms = this.i32(`${what} perms`);
      const scheme = this.string(`${what} scheme`, aclStringBytesMax);
      const id = this.string(`${what} id`, aclStringBytesMax);
      acl.push({ perms, id: { scheme, id } });
    }
    return acl;
  }

  /** Throws unless every byte was consumed. */
  end(what: string): void {
    if (this.remaining !== 0) throw new CorruptDataError(`${this.remaining} trailing bytes after ${what}`);
  }
}

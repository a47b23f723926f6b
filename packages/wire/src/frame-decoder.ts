/**
 * FrameDecoder: splits a byte stream into jute frames (4-byte big-endian
 * length prefix + body). The length prefix is validated the moment its four
 * bytes are present, before any byte of the body is buffered for it, so an
 * oversized or negative length closes the connection the way
 * NIOServerCnxn.readLength does ("Len error").
 */
import { assert, assertLimit } from '@corral/base';
import { fourLetterWordOf } from './four-letter-words.js';
import { maxFrameBytesCeiling, framePrefixBytes } from './limits.js';
import { ProtocolError } from './protocol-error.js';

/** Options of a FrameDecoder. */
export interface FrameDecoderOptions {
  /** Largest accepted body length (ZooKeeper: jute.maxbuffer, see maxFrameBytesDefault). */
  maxFrameBytes: number;
  /**
   * Server side: treat a four-letter word ("ruok", …) in place of the very
   * first length prefix as such instead of refusing it; see `fourLetterWord`.
   */
  fourLetterWords?: boolean;
}

/**
 * Incremental frame splitter. `push` each chunk read from the socket, then
 * call `next` until it returns null. Frames lying inside one chunk are
 * returned as views of it (no copy); frames spanning chunks are assembled
 * once into an array of exactly their length. Buffered chunks are kept in a
 * list, never concatenated, so feeding many small chunks costs O(bytes).
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private chunks: Uint8Array[] = [];
  /** Index of the first chunk still holding unread bytes. */
  private chunkIndex = 0;
  /** Read position inside chunks[chunkIndex]. */
  private chunkOffset = 0;
  private bufferedBytes = 0;
  /** Body length of the frame being assembled; -1 until its prefix is read. */
  private pendingLength = -1;
  private readonly fourLetterWords: boolean;
  private framesStarted = 0;
  private fourLetterWordFound: string | null = null;

  constructor(options: FrameDecoderOptions) {
    assertLimit('maxFrameBytes', options.maxFrameBytes);
    assert(options.maxFrameBytes <= maxFrameBytesCeiling, `maxFrameBytes ${options.maxFrameBytes} above ${maxFrameBytesCeiling}`);
    this.maxFrameBytes = options.maxFrameBytes;
    this.fourLetterWords = options.fourLetterWords ?? false;
  }

  /**
   * The four-letter word that opened the stream (only with the
   * `fourLetterWords` option), else null. Once set, no frames are returned:
   * the connection is an admin command, answered and closed by the server.
   */
  get fourLetterWord(): string | null {
    return this.fourLetterWordFound;
  }

  /** Bytes received but not yet returned as frames (including a parsed prefix's body so far). */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /**
   * Appends bytes read from the socket. Throws ProtocolError when the next
   * frame's length prefix is complete and invalid. The chunk must not be
   * modified afterwards (frames may be views of it).
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.fourLetterWordFound !== null) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    if (this.pendingLength < 0 && this.bufferedBytes >= framePrefixBytes) this.readPrefix();
  }

  /** The next complete frame body (without the prefix), or null if more bytes are needed. */
  next(): Uint8Array | null {
    if (this.fourLetterWordFound !== null) return null;
    if (this.pendingLength < 0) {
      if (this.bufferedBytes < framePrefixBytes) return null;
      this.readPrefix();
      if (this.fourLetterWordFound !== null) return null;
    }
    const length = this.pendingLength;
    if (this.bufferedBytes < length) return null;
    const frame = this.take(length);
    // The next prefix is checked by the next call, so this frame is never lost to its error.
    this.pendingLength = -1;
    return frame;
  }

  private readPrefix(): void {
    const prefix = this.take(framePrefixBytes);
    const length = ((prefix[0]! << 24) | (prefix[1]! << 16) | (prefix[2]! << 8) | prefix[3]!) | 0;
    if (this.framesStarted++ === 0 && this.fourLetterWords) {
      const word = fourLetterWordOf(length);
      if (word !== null) {
        this.fourLetterWordFound = word;
        return;
      }
    }
    if (length < 0) throw new ProtocolError('bad-length', `frame length ${length}`);
    if (length > this.maxFrameBytes) {
      throw new ProtocolError('frame-too-large', `frame length ${length} above maxFrameBytes ${this.maxFrameBytes}`);
    }
    this.pendingLength = length;
  }

  /** Removes `count` buffered bytes (caller checked they are present). */
  private take(count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const first = this.chunks[this.chunkIndex]!;
    const available = first.length - this.chunkOffset;
    if (count <= available) {
      const view = first.subarray(this.chunkOffset, this.chunkOffset + count);
      this.advance(count, available);
      return view;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[this.chunkIndex]!;
      const left = chunk.length - this.chunkOffset;
      const part = Math.min(left, count - filled);
      out.set(chunk.subarray(this.chunkOffset, this.chunkOffset + part), filled);
      filled += part;
      this.advance(part, left);
    }
    return out;
  }

  /** Consumes `count` bytes of the current chunk, which had `available` left. */
  private advance(count: number, available: number): void {
    this.bufferedBytes -= count;
    if (count < available) {
      this.chunkOffset += count;
      return;
    }
    this.chunks[this.chunkIndex] = emptyChunk; // drop the reference so it can be collected
    this.chunkIndex += 1;
    this.chunkOffset = 0;
    if (this.chunkIndex === this.chunks.length) {
      this.chunks = [];
      this.chunkIndex = 0;
    } else if (this.chunkIndex >= 64 && this.chunkIndex * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.chunkIndex);
      this.chunkIndex = 0;
    }
  }
}

const emptyChunk = new Uint8Array(0);

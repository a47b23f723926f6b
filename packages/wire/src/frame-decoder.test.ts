/**
 * Goal: FrameDecoder yields exactly the frames that were sent, whatever the
 * chunking, and refuses a bad length prefix as soon as its 4 bytes arrive
 * (NIOServerCnxn.readLength: len < 0 || len > jute.maxbuffer). Method: tables
 * for the boundaries, fast-check for random frames split at random points and
 * for random byte streams (which may only yield frames or ProtocolError).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder } from './frame-decoder.js';
import { maxFrameBytesDefault } from './limits.js';
import { ProtocolError } from './protocol-error.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
console.log(`# frame-decoder fast-check seed ${seed} (rerun with FC_SEED=${seed})`);

function prefixed(length: number, fill = 0xab): Uint8Array {
  const out = new Uint8Array(4 + length).fill(fill);
  new DataView(out.buffer).setInt32(0, length);
  return out;
}

function lengthPrefix(length: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, length);
  return out;
}

function drain(decoder: FrameDecoder): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let frame = decoder.next(); frame !== null; frame = decoder.next()) frames.push(frame);
  return frames;
}

const limitCases = [
  { name: 'exactly jute.maxbuffer is accepted', length: maxFrameBytesDefault, reason: null },
  { name: 'jute.maxbuffer + 1 is refused', length: maxFrameBytesDefault + 1, reason: 'frame-too-large' },
  { name: '2^31-1 is refused', length: 0x7fffffff, reason: 'frame-too-large' },
  { name: 'negative length is refused', length: -1, reason: 'bad-length' },
  { name: 'most negative length is refused', length: -0x80000000, reason: 'bad-length' },
  { name: 'zero length is a frame', length: 0, reason: null },
] as const;

for (const { name, length, reason } of limitCases) {
  test(`length prefix: ${name}`, () => {
    const decoder = new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault });
    if (reason === null) {
      decoder.push(lengthPrefix(length));
      assert.equal(decoder.next()?.length ?? null, length === 0 ? 0 : null);
      return;
    }
    // Fed one byte at a time: nothing happens until the 4th byte, which throws.
    const prefix = lengthPrefix(length);
    for (let index = 0; index < 3; index++) decoder.push(prefix.subarray(index, index + 1));
    assert.throws(() => decoder.push(prefix.subarray(3)), (error: unknown) => error instanceof ProtocolError && error.reason === reason);
  });
}

test('zero-length frame is returned as an empty frame', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 16 });
  decoder.push(lengthPrefix(0));
  assert.deepEqual(drain(decoder), [new Uint8Array(0)]);
});

test('a frame inside one chunk is a view of it (no copy)', () => {
  const chunk = new Uint8Array([...prefixed(3, 1), ...prefixed(2, 2)]);
  const decoder = new FrameDecoder({ maxFrameBytes: 16 });
  decoder.push(chunk);
  const [first, second] = drain(decoder);
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(first.buffer, chunk.buffer);
  assert.equal(second.byteOffset, chunk.byteOffset + 11);
  assert.deepEqual([...second], [2, 2]);
});

test('a frame split across many chunks is assembled', () => {
  const frame = prefixed(1000, 9);
  const decoder = new FrameDecoder({ maxFrameBytes: 1000 });
  for (let index = 0; index < frame.length; index += 7) {
    decoder.push(frame.subarray(index, index + 7));
    if (index + 7 < frame.length) assert.equal(decoder.next(), null);
  }
  assert.deepEqual(drain(decoder), [new Uint8Array(1000).fill(9)]);
  assert.equal(decoder.buffered, 0);
});

test('a small limit refuses the next frame after good ones', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 8 });
  decoder.push(new Uint8Array([...prefixed(8), ...prefixed(9)]));
  assert.equal(decoder.next()?.length, 8);
  assert.throws(() => decoder.next(), (error: unknown) => error instanceof ProtocolError && error.reason === 'frame-too-large');
});

test('many tiny chunks cost linear time (no quadratic concatenation)', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault });
  const frame = prefixed(maxFrameBytesDefault - 4);
  const started = process.hrtime.bigint();
  for (let index = 0; index < frame.length; index += 16) decoder.push(frame.subarray(index, index + 16));
  const frames = drain(decoder);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(frames.length, 1);
  assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`);
});

test('property: random frames split at random boundaries come out unchanged', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }),
      (frames, cuts) => {
        const stream = new Uint8Array(frames.reduce((sum, frame) => sum + 4 + frame.length, 0));
        let offset = 0;
        for (const frame of frames) {
          new DataView(stream.buffer).setInt32(offset, frame.length);
          stream.set(frame, offset + 4);
          offset += 4 + frame.length;
        }
        const decoder = new FrameDecoder({ maxFrameBytes: 300 });
        const out: Uint8Array[] = [];
        let cutIndex = 0;
        for (let position = 0; position < stream.length; ) {
          const size = cuts[cutIndex++ % cuts.length]!;
          decoder.push(stream.subarray(position, position + size));
          position += size;
          out.push(...drain(decoder));
        }
        assert.deepEqual(out.map((frame) => [...frame]), frames.map((frame) => [...frame]));
        assert.equal(decoder.buffered, 0);
      },
    ),
    { seed, numRuns: 300 },
  );
});

test('property: random bytes in random chunks yield frames or ProtocolError only', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 20 }), (stream, cuts) => {
      const decoder = new FrameDecoder({ maxFrameBytes: 512 });
      let taken = 0;
      try {
        let cutIndex = 0;
        for (let position = 0; position < stream.length; ) {
          const size = cuts[cutIndex++ % cuts.length]!;
          decoder.push(stream.subarray(position, position + size));
          position += size;
          for (const frame of drain(decoder)) {
            assert.ok(frame.length <= 512);
            taken += 4 + frame.length;
          }
        }
        assert.equal(taken + decoder.buffered, stream.length);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
      }
    }),
    { seed, numRuns: 500 },
  );
});

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

test('four-letter word opening the stream is reported, not refused (option on)', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault, fourLetterWords: true });
  decoder.push(ascii('ru'));
  assert.equal(decoder.fourLetterWord, null);
  decoder.push(ascii('ok\n'));
  assert.equal(decoder.fourLetterWord, 'ruok');
  assert.equal(decoder.next(), null);
});

test('four-letter word is refused as a length without the option, and after the first frame', () => {
  assert.throws(
    () => new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault }).push(ascii('stat')),
    (error: unknown) => error instanceof ProtocolError && error.reason === 'frame-too-large',
  );
  const decoder = new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault, fourLetterWords: true });
  decoder.push(prefixed(1));
  assert.equal(decoder.next()?.length, 1);
  assert.throws(() => decoder.push(ascii('mntr')), (error: unknown) => error instanceof ProtocolError && error.reason === 'frame-too-large');
  assert.equal(decoder.fourLetterWord, null);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checksum32 } from './hash.js';

/** Bytes i*31+7: a fixed input whose checksums pin the format (snapshot chunk trailers on disk). */
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

test('checksum32 keeps the values snapshots on disk were written with', () => {
  assert.equal(checksum32(pattern(1027)), 2079189866);
  assert.equal(checksum32(pattern(0)), 3225409414);
  assert.equal(checksum32(pattern(3)), 3096178413);
});

test('checksum32 does not depend on where the bytes sit in their buffer', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 7 }), (bytes, offset) => {
    const host = new Uint8Array(bytes.length + 8);
    host.set(bytes, offset);
    assert.equal(checksum32(host.subarray(offset, offset + bytes.length)), checksum32(bytes));
  }), { numRuns: 300 });
});

test('an unaligned checksum after a larger one uses only its own bytes', () => {
  const large = new Uint8Array(4099).fill(0xab);
  const small = pattern(1027);
  const host = new Uint8Array(1031);
  host.set(small, 1);
  checksum32(new Uint8Array(large.buffer, 0, 4099).subarray(1));
  assert.equal(checksum32(host.subarray(1, 1028)), 2079189866);
});

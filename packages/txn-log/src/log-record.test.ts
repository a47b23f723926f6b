// Goal: the entry encoding keeps LevelDB byte order equal to zxid order and
// its checksum catches any flipped byte. Method: fast-check over bigints and
// payloads, plus table cases at the u64 edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeLogEntry, encodeLogEntry, logKey, logKeyBytes, zxidMax } from './log-record.js';

const zxidArb = fc.bigInt({ min: 1n, max: zxidMax });

test('log key byte order equals zxid order', () => {
  fc.assert(
    fc.property(zxidArb, zxidArb, (a, b) => {
      const byBytes = Math.sign(Buffer.compare(logKey(a), logKey(b)));
      const byValue = a < b ? -1 : a > b ? 1 : 0;
      assert.equal(byBytes, byValue);
    }),
  );
  const edges = [1n, 0xffn, 0x100n, 0xffffffffn, 0x100000000n, zxidMax - 1n, zxidMax];
  for (let index = 1; index < edges.length; index += 1) {
    assert.ok(Buffer.compare(logKey(edges[index - 1] ?? 0n), logKey(edges[index] ?? 0n)) < 0);
  }
});

test('entry round-trips and any flipped byte fails the checksum', () => {
  fc.assert(
    fc.property(zxidArb, fc.uint8Array({ maxLength: 64 }), fc.nat(), (zxid, bytes, position) => {
      const entry = encodeLogEntry({ zxid, bytes });
      const decoded = decodeLogEntry(entry.subarray(0, logKeyBytes), entry.subarray(logKeyBytes));
      assert.equal(decoded.checksumOk, true);
      assert.equal(decoded.zxid, zxid);
      assert.deepEqual(Buffer.from(decoded.bytes), Buffer.from(bytes));
      const flipped = Buffer.from(entry);
      const index = logKeyBytes + (position % (flipped.byteLength - logKeyBytes));
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      assert.equal(decodeLogEntry(flipped.subarray(0, logKeyBytes), flipped.subarray(logKeyBytes)).checksumOk, false);
    }),
  );
});

test('a value moved under another zxid fails the checksum', () => {
  const entry = encodeLogEntry({ zxid: 5n, bytes: new Uint8Array([1, 2, 3]) });
  assert.equal(decodeLogEntry(logKey(6n), entry.subarray(logKeyBytes)).checksumOk, false);
});

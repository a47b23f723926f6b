/**
 * The packed per-path bucket against a Map<sessionIndex, bits>. Method:
 * fast-check puts random (session, bits) pairs, bits 0 meaning delete, over
 * session ranges that push a bucket through all three shapes (single number,
 * small array, hash table) and back, and checks get/collect/size each step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bucketCollect, bucketGet, bucketPut, bucketSize, entryBits, entrySession, smallEntriesMax, type PathBucket } from './path-bucket.js';

function shape(bucket: PathBucket | undefined): string {
  if (bucket === undefined) return 'empty';
  if (typeof bucket === 'number') return 'single';
  return Array.isArray(bucket) ? 'small' : 'table';
}

test('bucket matches a Map through every shape', () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(
      fc.constantFrom(1, 2, 5, 9, 12, 40, 300),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 4 })), { maxLength: 600, size: 'max' }),
      (range, puts) => {
        const model = new Map<number, number>();
        let bucket: PathBucket | undefined;
        for (const [raw, rawBits, remove] of puts) {
          // Sessions spread over the whole 27-bit range, not only 0..range.
          const session = (raw % range) * 447_001 % ((1 << 27) - 1);
          const bits = remove === 0 ? 0 : rawBits;
          bucket = bucketPut(bucket, session, bits);
          if (bits === 0) model.delete(session);
          else model.set(session, bits);
          seen.add(shape(bucket));
          assert.equal(bucket === undefined ? 0 : bucketSize(bucket), model.size);
          assert.equal(shape(bucket), model.size === 0 ? 'empty' : model.size === 1 ? 'single' : shape(bucket));
          if (model.size > smallEntriesMax) assert.equal(shape(bucket), 'table');
          assert.equal(bucketGet(bucket, session), model.get(session) ?? 0);
        }
        const entries: number[] = [];
        if (bucket !== undefined) bucketCollect(bucket, entries);
        const got = new Map(entries.map((e) => [entrySession(e), entryBits(e)]));
        assert.deepEqual([...got].sort((a, b) => a[0] - b[0]), [...model].sort((a, b) => a[0] - b[0]));
        for (const [session, bits] of model) assert.equal(bucketGet(bucket, session), bits);
      },
    ),
    { numRuns: 200 },
  );
  assert.deepEqual([...seen].sort(), ['empty', 'single', 'small', 'table'], 'every shape was reached');
});

// Goal: LogSizeMarks never claims more bytes in a range than the log holds there (a leader
// would SNAP a learner a DIFF could have served), and finds a large range without reading it.
// Method: random appends, TRUNCs, purges and resets against a model of the log's records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LogSizeMarks } from './log-size-marks.js';

type Step =
  | { readonly kind: 'append'; readonly sizes: readonly number[] }
  | { readonly kind: 'truncate'; readonly back: number }
  | { readonly kind: 'purge'; readonly keep: number }
  | { readonly kind: 'reset' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), sizes: fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), back: fc.nat({ max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const), keep: fc.nat({ max: 12 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
);

test('log size marks: a lower bound on the bytes in any range, through appends, TRUNCs, purges and resets', () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 40 }), fc.array(fc.tuple(fc.nat({ max: 80 }), fc.nat({ max: 80 })), { maxLength: 20 }), (steps, ranges) => {
      const marks = new LogSizeMarks();
      // The log: zxid → bytes; zxids are plain counters here.
      let log = new Map<bigint, number>();
      let next = 1n;
      for (const step of steps) {
        if (step.kind === 'append') {
          const records = step.sizes.map((size) => ({ zxid: next++, bytes: new Uint8Array(size) }));
          for (const record of records) log.set(record.zxid, record.bytes.byteLength);
          marks.appended(records);
        } else if (step.kind === 'truncate') {
          const to = next - 1n - BigInt(step.back) < 0n ? 0n : next - 1n - BigInt(step.back);
          log = new Map([...log].filter(([zxid]) => zxid <= to));
          next = to + 1n;
          marks.truncated(to);
        } else if (step.kind === 'purge') {
          const below = next - BigInt(step.keep) < 1n ? 1n : next - BigInt(step.keep);
          log = new Map([...log].filter(([zxid]) => zxid >= below));
          marks.purgedBelow(below);
        } else {
          log = new Map();
          marks.reset();
        }
        for (const [from, span] of ranges) {
          const fromZxid = BigInt(from);
          const upToZxid = fromZxid + BigInt(span);
          let exact = 0;
          for (const [zxid, bytes] of log) if (zxid >= fromZxid && zxid <= upToZxid) exact += bytes;
          const atLeast = marks.bytesAtLeast(fromZxid, upToZxid);
          assert.ok(atLeast >= 0 && atLeast <= exact, `[${fromZxid}, ${upToZxid}]: ${atLeast} claimed, ${exact} there`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('log size marks: a range covering whole writes is counted exactly, a part of one write not at all', () => {
  const marks = new LogSizeMarks();
  const write = (from: number, count: number): void => {
    marks.appended(Array.from({ length: count }, (_, index) => ({ zxid: BigInt(from + index), bytes: new Uint8Array(10) })));
  };
  write(1, 5); // 1..5
  write(6, 5); // 6..10
  write(11, 5); // 11..15
  assert.equal(marks.bytesAtLeast(6n, 15n), 100);
  assert.equal(marks.bytesAtLeast(1n, 15n), 150);
  assert.equal(marks.bytesAtLeast(2n, 15n), 100, 'the first write is only partly in the range');
  assert.equal(marks.bytesAtLeast(7n, 9n), 0);
  marks.truncated(12n);
  write(13, 3); // 13..15 again
  assert.equal(marks.bytesAtLeast(6n, 15n), 80, '11 and 12 count as none');
});

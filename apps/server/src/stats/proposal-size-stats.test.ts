/**
 * Goal: proposal sizes behave as Apache's BufferStats (-1 until the first
 * record, min and max over all records, reset back to -1). Method: a script.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProposalSizeStats, proposalSizeUnset } from './proposal-size-stats.js';

test('proposal sizes start unset, track last/min/max, and reset', () => {
  const sizes = new ProposalSizeStats();
  assert.deepEqual([sizes.lastBytes, sizes.minBytes, sizes.maxBytes], [proposalSizeUnset, proposalSizeUnset, proposalSizeUnset]);
  for (const bytes of [48, 133, 60]) sizes.record(bytes);
  assert.deepEqual([sizes.lastBytes, sizes.minBytes, sizes.maxBytes], [60, 48, 133]);
  sizes.record(0);
  assert.deepEqual([sizes.lastBytes, sizes.minBytes, sizes.maxBytes], [0, 0, 133]);
  sizes.reset();
  assert.deepEqual([sizes.lastBytes, sizes.minBytes, sizes.maxBytes], [-1, -1, -1]);
});

// Goal: ZAB's contiguity rule (counter +1 in an epoch, counter 1 of a later
// epoch) accepts exactly the successors ZooKeeper's leader produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import { follows, increasingOnly, zabContiguous } from './contiguity.js';

test('zabContiguous table', () => {
  const cases = [
    { name: 'next counter', previous: makeZxid(1, 5), next: makeZxid(1, 6), want: true },
    { name: 'skipped counter', previous: makeZxid(1, 5), next: makeZxid(1, 7), want: false },
    { name: 'same zxid', previous: makeZxid(1, 5), next: makeZxid(1, 5), want: false },
    { name: 'new epoch starts at 1', previous: makeZxid(1, 5), next: makeZxid(2, 1), want: true },
    { name: 'epoch may jump', previous: makeZxid(1, 5), next: makeZxid(4, 1), want: true },
    { name: 'new epoch at counter 2', previous: makeZxid(1, 5), next: makeZxid(2, 2), want: false },
    { name: 'new epoch at counter 0', previous: makeZxid(1, 5), next: makeZxid(2, 0), want: false },
    { name: 'older epoch', previous: makeZxid(2, 5), next: makeZxid(1, 1), want: false },
    { name: 'epoch boundary marker to 1', previous: makeZxid(3, 0), next: makeZxid(3, 1), want: true },
  ];
  for (const c of cases) assert.equal(zabContiguous(c.previous, c.next), c.want, c.name);
});

test('follows: zxid 0 accepts any first zxid; false only needs increase', () => {
  assert.equal(follows(zabContiguous, 0n, makeZxid(7, 42)), true);
  assert.equal(follows(false, makeZxid(1, 1), makeZxid(1, 9)), true);
  assert.equal(follows(false, makeZxid(1, 9), makeZxid(1, 9)), false);
  assert.equal(follows(increasingOnly, makeZxid(1, 1), makeZxid(1, 9)), true);
  assert.equal(follows(zabContiguous, makeZxid(1, 1), makeZxid(1, 9)), false);
});

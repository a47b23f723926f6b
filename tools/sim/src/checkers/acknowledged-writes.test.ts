// Goal: the final acknowledged-writes check fires when a write a client saw
// acknowledged is missing from the converged leader's history, and stays
// quiet otherwise. The full run reaches it only after the earlier checks
// (leader-completeness, current-epoch) pass on a broken history, so it is fed
// forged ones here. Method: a table of acknowledged zxids and leader positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lostAcknowledgedWrite } from './acknowledged-writes.js';

const z = (epoch: number, counter: number): bigint => (BigInt(epoch) << 32n) | BigInt(counter);

const cases: { name: string; acknowledged: bigint[]; leaderAt: bigint; want: RegExp | null }[] = [
  { name: 'nothing acknowledged', acknowledged: [], leaderAt: 0n, want: null },
  { name: 'all at or below the leader', acknowledged: [z(1, 1), z(1, 2), z(2, 1)], leaderAt: z(2, 1), want: null },
  { name: 'one above the leader', acknowledged: [z(1, 1), z(1, 3)], leaderAt: z(1, 2), want: /^write acknowledged at 0x100000003 is above leader 2/ },
  { name: 'a later epoch the leader never saw', acknowledged: [z(3, 1)], leaderAt: z(2, 9), want: /above leader 2/ },
];

test('acknowledged-writes: fires on a write missing from the leader, and only then', () => {
  for (const c of cases) {
    const message = lostAcknowledgedWrite(c.acknowledged, { sid: 2, appliedZxid: c.leaderAt });
    if (c.want === null) assert.equal(message, null, c.name);
    else assert.match(message ?? '', c.want, c.name);
  }
});

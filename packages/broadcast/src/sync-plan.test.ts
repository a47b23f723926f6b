// Goal: the leader picks DIFF, TRUNC, TRUNC+DIFF or SNAP as LearnerHandler.syncFollower does.
// Method: a table of learner last zxids against one window of the leader's history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import { planSync } from './sync-plan.js';
import { TxnWindow } from './txn-window.js';

const z = (epoch: number, counter: number): bigint => makeZxid(epoch, counter);
const txn = (zxid: bigint) => ({ zxid, bytes: new Uint8Array() });
// The leader's log above 1.2: 1.3 1.4 3.1 3.2 (epoch 2 never committed anything).
const window = new TxnWindow(z(1, 2), [txn(z(1, 3)), txn(z(1, 4)), txn(z(3, 1)), txn(z(3, 2))]);

const cases = [
  { name: 'DIFF: learner is up to date', peer: z(3, 2), committed: z(1, 2), want: { kind: 'DIFF', zxid: z(3, 2), fromZxid: z(3, 2) } },
  { name: 'DIFF: learner last zxid inside the window', peer: z(1, 4), committed: z(1, 4), want: { kind: 'DIFF', zxid: z(1, 4), fromZxid: z(1, 4) } },
  { name: 'DIFF: learner at the window base', peer: z(1, 2), committed: z(1, 1), want: { kind: 'DIFF', zxid: z(1, 2), fromZxid: z(1, 2) } },
  { name: 'TRUNC: learner ahead of the leader, to its committed zxid', peer: z(3, 5), committed: z(3, 1), want: { kind: 'TRUNC', zxid: z(3, 1), fromZxid: z(3, 1) } },
  { name: 'TRUNC: learner ahead, committed at the window base', peer: z(3, 5), committed: z(1, 2), want: { kind: 'TRUNC', zxid: z(1, 2), fromZxid: z(1, 2) } },
  { name: 'TRUNC+DIFF: learner holds an uncommitted epoch-2 proposal', peer: z(2, 1), committed: z(1, 4), want: { kind: 'TRUNC', zxid: z(1, 4), fromZxid: z(1, 4) } },
  { name: 'TRUNC+DIFF: learner log forked at 1.3, not at the leader zxid below 2.1', peer: z(2, 1), committed: z(1, 3), want: { kind: 'TRUNC', zxid: z(1, 3), fromZxid: z(1, 3) } },
  { name: 'TRUNC+DIFF: crash-restarted old leader of epoch 1 (tree at 1.1), to the leader zxid of epoch 1 below its last', peer: z(1, 6), committed: z(1, 1), want: { kind: 'TRUNC', zxid: z(1, 4), fromZxid: z(1, 4) } },
  { name: 'TRUNC: crash-restarted learner ahead in the leader\'s epoch, to the leader\'s last zxid', peer: z(3, 5), committed: 0n, want: { kind: 'TRUNC', zxid: z(3, 2), fromZxid: z(3, 2) } },
  { name: 'SNAP: learner behind the window', peer: z(1, 1), committed: z(1, 1), want: { kind: 'SNAP', zxid: z(1, 4), fromZxid: z(1, 4) } },
  { name: 'SNAP: empty learner', peer: 0n, committed: 0n, want: { kind: 'SNAP', zxid: z(1, 4), fromZxid: z(1, 4) } },
  { name: 'SNAP: forked learner committed below the window', peer: z(2, 1), committed: z(1, 1), want: { kind: 'SNAP', zxid: z(1, 4), fromZxid: z(1, 4) } },
];

for (const c of cases) {
  test(`planSync ${c.name}`, () => {
    assert.deepEqual(planSync({ peerLastZxid: c.peer, peerCommittedZxid: c.committed, window, snapshotZxid: z(1, 4) }), c.want);
  });
}

test('planSync with the skip-trunc bug keeps the learner log (DIFF at its own zxid)', () => {
  const plan = planSync({ peerLastZxid: z(2, 1), peerCommittedZxid: z(1, 3), window, snapshotZxid: z(1, 4), skipTrunc: true });
  assert.deepEqual(plan, { kind: 'DIFF', zxid: z(2, 1), fromZxid: z(1, 4) });
});

test('TxnWindow.prune keeps txns above the applied zxid', () => {
  const w = new TxnWindow(0n, [txn(z(1, 1)), txn(z(1, 2)), txn(z(1, 3))]);
  w.prune(1, z(1, 1));
  assert.equal(w.baseZxid, z(1, 1));
  assert.equal(w.size, 2);
  assert.deepEqual(w.after(z(1, 2)).map((t) => t.zxid), [z(1, 3)]);
});

// Goal: each check of ReplicaSafetyChecker fires on the event sequence that
// breaks it, and stays quiet on the sequence that does not. The full
// simulation reaches most of them through broadcast's UnsafeFaults
// (replica-sim.test.ts); two leaders of one epoch and a gap in one server's
// applies need two defects at once there, so they are forged here.
// Method: a table of event sequences; the first message names the check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaNodeEvent, ReplicaNodeView } from '../replica-node.js';
import type { CheckContext } from './checker.js';
import { ReplicaSafetyChecker } from './replica-safety.js';

const context: CheckContext<ReplicaNodeView> = { now: 0, views: new Map(), voters: [1, 2, 3], observers: [] };
const z = (epoch: number, counter: number): bigint => (BigInt(epoch) << 32n) | BigInt(counter);
const applied = (sid: number, txns: [bigint, number][], digest = 'd'): ReplicaNodeEvent => ({
  kind: 'applied', sid, incarnation: 0, txns: txns.map(([zxid, hash]) => ({ zxid, hash })), digest: `${digest}${txns.at(-1)?.[0]}`, text: '',
});
const raises = (sid: number, epoch: number, leaderSid: number): ReplicaNodeEvent => ({ kind: 'current-epoch', sid, epoch, leaderSid, text: '' });
const leads = (sid: number, epoch: number, appliedZxid: bigint): ReplicaNodeEvent => ({ kind: 'established', sid, role: 'leading', epoch, appliedZxid, text: '' });

const cases: { name: string; events: ReplicaNodeEvent[]; want: RegExp | null }[] = [
  { name: 'a clean history', events: [leads(1, 1, 0n), applied(1, [[z(1, 1), 7], [z(1, 2), 8]]), applied(2, [[z(1, 1), 7]]), leads(2, 2, z(1, 2))], want: null },
  { name: 'two leaders of one epoch', events: [leads(1, 1, 0n), leads(2, 1, 0n)], want: /^one-leader-per-epoch/ },
  { name: 'different txns at one zxid', events: [applied(1, [[z(1, 1), 7]]), applied(2, [[z(1, 1), 9]])], want: /^agreement/ },
  { name: 'a gap in one server\'s applies', events: [applied(1, [[z(1, 1), 7], [z(1, 3), 8]])], want: /^apply-order/ },
  { name: 'a new epoch not starting at 1', events: [applied(1, [[z(1, 1), 7], [z(2, 2), 8]])], want: /^apply-order/ },
  { name: 'digests differ at one zxid', events: [applied(1, [[z(1, 1), 7]], 'a'), applied(2, [[z(1, 1), 7]], 'b')], want: /^digest/ },
  { name: 'currentEpoch from one leader', events: [raises(1, 2, 1), raises(2, 2, 1), raises(3, 3, 3)], want: null },
  { name: 'currentEpoch of one epoch from two leaders', events: [raises(1, 2, 1), raises(2, 2, 1), raises(3, 2, 3)], want: /^current-epoch/ },
  { name: 'a leader missing a committed txn', events: [applied(1, [[z(1, 1), 7], [z(1, 2), 8]]), leads(3, 2, z(1, 1))], want: /^leader-completeness/ },
];

test('each safety check fires on the history that breaks it', () => {
  for (const c of cases) {
    const checker = new ReplicaSafetyChecker();
    let message: string | null = null;
    for (const event of c.events) message ??= checker.onEvent(event, context);
    if (c.want === null) assert.equal(message, null, c.name);
    else assert.match(message ?? '', c.want, c.name);
  }
});

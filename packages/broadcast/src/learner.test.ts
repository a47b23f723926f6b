// Goal: a learner's forwarded write (REQUEST), REVALIDATE and PING echo never wait for its
// disk: an ACK waiting for the fsync of a proposal must not hold them (each forwarded write
// would otherwise pay one learner fsync before the leader sees it), and the driver may take
// them while a Ready's write is in flight. ACKs themselves still wait for the disk.
// Method: the Cluster harness up to a learner holding a proposal to ACK, then the machine directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Learner } from './learner.js';
import { Cluster } from './testing/cluster.js';
import { encodeText } from './testing/format.js';
import { stabilize } from './testing/script.js';

function learnerWithAckPending(): { cluster: Cluster; learner: Learner } {
  const cluster = new Cluster({ voters: [1, 2, 3] });
  cluster.elect(1, [2, 3]);
  stabilize(cluster);
  assert.match(cluster.propose(1, 'a'), /^proposed/);
  assert.ok(cluster.process(1));
  assert.ok(cluster.deliver(1, 2), 'the PROPOSAL reaches learner 2');
  const learner = cluster.node(2).machine;
  assert.ok(learner instanceof Learner);
  return { cluster, learner };
}

test('learner: a REQUEST queued after an ACK that waits for the disk goes before the disk', () => {
  const { learner } = learnerWithAckPending();
  assert.equal(learner.forward(encodeText('w')), true);
  const ready = learner.ready();
  assert.deepEqual(ready.messages.map((out) => out.msg.type), ['REQUEST']);
  assert.deepEqual(ready.messagesAfterPersist.map((out) => out.msg.type), ['ACK']);
  assert.equal(ready.append.length, 1);
});

test('learner: REQUEST, REVALIDATE and PING echoes can be taken while a Ready is outstanding, in order', () => {
  const { learner } = learnerWithAckPending();
  const ready = learner.ready();
  assert.deepEqual(ready.messagesAfterPersist.map((out) => out.msg.type), ['ACK']);
  learner.forward(encodeText('w1'));
  learner.step(1, { type: 'PING', round: 7 });
  learner.revalidate(encodeText('r'));
  learner.forward(encodeText('w2'));
  const taken = learner.takeUnordered();
  assert.deepEqual(taken.map((out) => out.msg.type), ['REQUEST', 'PING', 'REVALIDATE', 'REQUEST']);
  assert.ok(taken.every((out) => out.to === 1));
  assert.deepEqual(learner.takeUnordered(), [], 'taken once');
  learner.advance(ready);
  assert.equal(learner.hasReady(), false, 'nothing left for the next Ready');
});

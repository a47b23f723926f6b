// Goal: leader election and leader latch keep "exactly one leader at a
// time" with many candidates, while a leader's connection is cut (it stays
// leader: its session lives, and the latch drops and regains leadership) and
// when a leader's session expires (the next candidate takes over). Method:
// a Corral child server; an in-process count of who acts as leader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ZkClient } from '../client.js';
import { Occupancy, expireSession, serverFixture, yieldTurns } from '../testing/harness.js';
import type { TcpProxy } from '../testing/tcp-proxy.js';
import { LeaderElection } from './leader-election.js';
import { LeaderLatch } from './leader-latch.js';
import type { Lease } from './lease.js';

const fixture = serverFixture();
const { pool } = fixture;
const proxy = (): Promise<TcpProxy> => fixture.proxy();

test('election: 6 candidates lead one at a time, each once, in campaign order, with the leader cut', async () => {
  const cut = await proxy();
  const clients = await Promise.all([pool.open(cut.connectString), ...Array.from({ length: 5 }, () => pool.open(fixture.server.connectString))]);
  const occupancy = new Occupancy();
  const order: string[] = [];
  const tokens: bigint[] = [];
  await Promise.all(
    clients.map(async (client, index) => {
      const election = new LeaderElection(client, '/election/e1');
      const lease = await election.campaign(`c${index}`);
      occupancy.enter();
      order.push(`c${index}`);
      tokens.push(lease.fencingToken);
      assert.equal(await election.leader(), `c${index}`);
      if (index === 0) cut.sever();
      await client.sync('/').catch(() => undefined);
      await yieldTurns();
      occupancy.leave();
      await lease.release();
    }),
  );
  assert.equal(occupancy.max, 1);
  assert.equal(new Set(order).size, 6);
  assert.deepEqual([...tokens].sort((a, b) => (a < b ? -1 : 1)), tokens);
});

test('election: observe() reports each new leader; an expired leader is replaced', async () => {
  const cut = await proxy();
  const [first, second, watcher] = (await Promise.all([cut.connectString, fixture.server.connectString, fixture.server.connectString].map((at) => pool.open(at)))) as [ZkClient, ZkClient, ZkClient];
  const leaders: (string | null)[] = [];
  const controller = new AbortController();
  const observed = (async () => {
    try {
      for await (const leader of new LeaderElection(watcher, '/election/e2').observe({ signal: controller.signal })) {
        leaders.push(leader);
        if (leader === 'second') return;
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  const lease = await new LeaderElection(first, '/election/e2').campaign('first');
  const next = new LeaderElection(second, '/election/e2').campaign('second');
  await expireSession(first, cut, fixture.server.connectString);
  assert.ok(lease.signal.aborted);
  const secondLease: Lease = await next;
  assert.ok(secondLease.fencingToken > lease.fencingToken);
  await observed;
  controller.abort();
  assert.equal(leaders[leaders.length - 1], 'second');
  assert.ok(leaders.includes('first') || leaders[0] === null || leaders.length >= 1);
  await secondLease.release();
});

test('latch: exactly one of 4 latches leads; a cut leader drops and regains leadership; closing hands over', async () => {
  const cut = await proxy();
  const clients = await Promise.all([pool.open(cut.connectString), ...[1, 2, 3].map(() => pool.open(fixture.server.connectString))]);
  const latches = clients.map((client, index) => new LeaderLatch(client, '/election/latch', `l${index}`));
  latches[0]!.start();
  await latches[0]!.await();
  for (const latch of latches.slice(1)) latch.start();
  await Promise.all(clients.map((client) => client.sync('/')));
  assert.deepEqual(latches.map((latch) => latch.hasLeadership()), [true, false, false, false]);
  const dropped = new Promise((resolve) => latches[0]!.once('notLeader', resolve));
  const regained = new Promise((resolve) => latches[0]!.once('isLeader', resolve));
  cut.sever();
  await dropped;
  await regained;
  assert.equal(latches.filter((latch) => latch.hasLeadership()).length, 1);
  assert.ok(latches[0]!.hasLeadership());
  const next = Promise.race(latches.slice(1).map((latch) => latch.await()));
  await latches[0]!.close();
  await next;
  assert.equal(latches.filter((latch) => latch.hasLeadership()).length, 1);
  for (const latch of latches) await latch.close();
});

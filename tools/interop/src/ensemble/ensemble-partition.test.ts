/**
 * A leader that stops without crashing, and one cut off from its followers:
 *
 * - SIGSTOP of the leader for longer than syncLimit (the followers elect
 *   another), then SIGCONT, while clients on every server set and sync+read a
 *   few znodes; the recorded history must be linearizable (tools/lincheck;
 *   sync+read recorded as one read invoked at the sync).
 * - A partition isolating the leader (every peer link through a LinkProxy):
 *   the majority elects a new leader and keeps acknowledging; nothing sent to
 *   the old leader is acknowledged while it is cut off; after healing, every
 *   member holds the same data.
 * - A one-way cut: the leader still reaches its followers but hears nothing
 *   back (no ACKs, no pings): it must give up leading, the followers elect one
 *   of themselves and writes go on; after healing every member is equal.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient } from '@corral/client';
import { checkLinearizable, znodeModel } from '@corral/lincheck';
import { ensembleSuite } from './ensemble-suite.js';
import { HistoryClients } from './history-clients.js';
import { assertMembersHold } from './member-reads.js';
import { WriteLoad, rotatedConnectString } from './write-load.js';

const tickTimeMs = 200;
const syncLimitTicks = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('paused and partitioned leaders (real processes)', () => {
  const suite = ensembleSuite();

  it('SIGSTOP of the leader beyond syncLimit, then SIGCONT: set and sync+read stay linearizable', async (t) => {
    t.diagnostic(suite.note);
    const ensemble = await suite.start({ size: 3, tickTimeMs, settings: { syncLimit: String(syncLimitTicks) } });
    const leader = await ensemble.waitForQuorum();
    const setup = await ZkClient.connect(ensemble.connectString);
    await setup.create('/lin', '');
    await setup.close();
    // Session timeout 8 s: a client of the frozen leader stays connected through the
    // pause (its read timeout is two thirds of that), so it talks to the old leader
    // again right after SIGCONT, which is where a stale read would show.
    const clients = await HistoryClients.start({
      connectStrings: ensemble.sids.map((_, index) => rotatedConnectString(ensemble.connectString, index)),
      paths: ['/lin/k0', '/lin/k1'],
      sessionTimeoutMs: 8_000,
    });
    let operations;
    try {
      await sleep(1_000);
      ensemble.pause(leader);
      const pausedAtMs = Date.now();
      const others = ensemble.sids.filter((sid) => sid !== leader);
      const newLeader = await ensemble.waitForQuorum({ sids: others });
      await sleep(500);
      ensemble.resume(leader);
      t.diagnostic(`${suite.kind}: leader ${leader} paused ${Date.now() - pausedAtMs} ms (syncLimit ${syncLimitTicks * tickTimeMs} ms); new leader ${newLeader}`);
      await ensemble.waitForQuorum({ sids: ensemble.sids });
      await sleep(1_500);
    } finally {
      operations = await clients.stop();
    }
    const answered = operations.filter((operation) => operation.ret !== null).length;
    t.diagnostic(`${operations.length} operations, ${answered} answered`);
    const result = checkLinearizable(znodeModel, operations);
    assert.equal(result.verdict, 'linearizable', JSON.stringify(result.failures.map((failure) => ({ ...failure, history: failure.history.slice(-40) })), null, 1));
    await ensemble.close();
  });

  it('a partition isolating the leader: the majority goes on, the old leader acknowledges nothing, all converge after healing', async (t) => {
    const ensemble = await suite.start({ size: 3, proxied: true, tickTimeMs });
    const leader = await ensemble.waitForQuorum();
    const others = ensemble.sids.filter((sid) => sid !== leader);
    const majority = await WriteLoad.start({ connectStrings: [ensemble.connectStringOf(others), ensemble.connectStringOf([...others].reverse())], root: '/part', describeServers: () => ensemble.describe() });
    // A client that only knows the old leader.
    const isolatedClient = await ZkClient.connect(ensemble.connectStringOf([leader]), { sessionTimeoutMs: 8_000 });
    const isolatedAcks: string[] = [];
    const isolatedWrites: Promise<void>[] = [];
    try {
      await majority.waitForAcksAfter(Date.now(), 50, 30_000);
      ensemble.isolate(leader);
      const cutAtMs = Date.now();
      for (let index = 0; index < 5; index++) {
        const path = `/part/isolated-${index}`;
        isolatedWrites.push(isolatedClient.create(path, path).then(() => void isolatedAcks.push(path), () => undefined));
        await sleep(100);
      }
      const newLeader = await ensemble.waitForQuorum({ sids: others });
      const electedMs = Date.now() - cutAtMs;
      const first = await majority.waitForAcksAfter(cutAtMs, 50, 60_000);
      t.diagnostic(`${suite.kind}: leader ${leader} isolated; new leader ${newLeader} serving after ${electedMs} ms; majority's first acknowledged write after ${first.ackedAtMs - cutAtMs} ms`);
      assert.notEqual(newLeader, leader);
      // The old leader must have given up leading and acknowledged nothing.
      await sleep(syncLimitTicks * tickTimeMs * 2);
      assert.notEqual(await ensemble.mode(leader), 'leader', 'the isolated old leader still says it leads');
      assert.deepEqual(isolatedAcks, [], 'the isolated old leader acknowledged writes');
    } finally {
      await majority.stop();
    }
    ensemble.heal();
    await ensemble.waitForQuorum({ sids: ensemble.sids });
    await isolatedClient.close();
    await Promise.all(isolatedWrites);
    await assertMembersHold(ensemble, '/part', majority.acked.map((write) => write.path));
    await ensemble.close();
  });

  it('a one-way cut (followers to leader): the leader steps down, writes go on, all converge after healing', async (t) => {
    const ensemble = await suite.start({ size: 3, proxied: true, tickTimeMs });
    const leader = await ensemble.waitForQuorum();
    const others = ensemble.sids.filter((sid) => sid !== leader);
    const load = await WriteLoad.start({ connectStrings: [ensemble.connectStringOf(others), ensemble.connectStringOf([...others].reverse())], root: '/one-way', describeServers: () => ensemble.describe() });
    try {
      await load.waitForAcksAfter(Date.now(), 50, 30_000);
      for (const follower of others) ensemble.cutOneWay(follower, leader);
      const cutAtMs = Date.now();
      const newLeader = await ensemble.waitForQuorum({ sids: others });
      const first = await load.waitForAcksAfter(cutAtMs, 50, 60_000);
      t.diagnostic(`${suite.kind}: followers cut from leader ${leader} one way; new leader ${newLeader}; first acknowledged write after ${first.ackedAtMs - cutAtMs} ms`);
      assert.notEqual(newLeader, leader);
    } finally {
      await load.stop();
    }
    ensemble.heal();
    await ensemble.waitForQuorum({ sids: ensemble.sids });
    await assertMembersHold(ensemble, '/one-way', load.acked.map((write) => write.path));
    await ensemble.close();
  });
});

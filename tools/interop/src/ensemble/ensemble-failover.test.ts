/**
 * Crash failover of a real-process ensemble (Corral, or Apache ZooKeeper 3.8
 * with CORRAL_ENSEMBLE_TARGET=apache: see ensemble-target.ts). Writers
 * spread over every server create znodes while members are killed with
 * SIGKILL; afterwards every member must hold every acknowledged create. The
 * time from the leader's kill to the first acknowledged write sent after it is
 * printed (a TAP diagnostic), never asserted: the machine is shared.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensembleSuite } from './ensemble-suite.js';
import { assertMembersHold } from './member-reads.js';
import type { TestEnsemble } from './test-ensemble.js';
import { WriteLoad, rotatedConnectString } from './write-load.js';

/** Writers per ensemble: enough to keep every server busy, few enough for two cores. */
const writerCount = 4;

function writersOver(ensemble: TestEnsemble, root: string): Promise<WriteLoad> {
  const connectStrings = Array.from({ length: writerCount }, (_, index) => rotatedConnectString(ensemble.connectString, index));
  return WriteLoad.start({ connectStrings, root, describeServers: () => ensemble.describe() });
}

describe('ensemble failover (real processes)', () => {
  const suite = ensembleSuite();

  it('3 servers: kill -9 of the leader while clients write loses no acknowledged write', async (t) => {
    t.diagnostic(suite.note);
    const ensemble = await suite.start({ size: 3 });
    const leader = await ensemble.waitForQuorum();
    const load = await writersOver(ensemble, '/failover');
    try {
      await load.waitForAcksAfter(Date.now(), 100, 30_000);
      const killedAtMs = Date.now();
      await ensemble.kill9(leader);
      const first = await load.waitForAcksAfter(killedAtMs, 100, 60_000);
      const newLeader = await ensemble.waitForQuorum({ sids: ensemble.sids.filter((sid) => sid !== leader) });
      t.diagnostic(`${suite.kind}: leader ${leader} killed; first acknowledged write after ${first.ackedAtMs - killedAtMs} ms; new leader ${newLeader}`);
      assert.notEqual(newLeader, leader);
    } finally {
      await load.stop();
    }
    await ensemble.restartAndWait([leader]);
    t.diagnostic(`${load.acked.length} acknowledged, ${load.uncertain.length} uncertain`);
    await assertMembersHold(ensemble, '/failover', load.acked.map((write) => write.path));
    await ensemble.close();
  });

  it('5 servers survive two failures (the leader and a follower), then take them back', async (t) => {
    const ensemble = await suite.start({ size: 5 });
    const leader = await ensemble.waitForQuorum();
    const follower = ensemble.sids.find((sid) => sid !== leader) ?? 0;
    const load = await writersOver(ensemble, '/five');
    try {
      await load.waitForAcksAfter(Date.now(), 50, 30_000);
      const killedAtMs = Date.now();
      await Promise.all([ensemble.kill9(leader), ensemble.kill9(follower)]);
      const first = await load.waitForAcksAfter(killedAtMs, 100, 60_000);
      t.diagnostic(`${suite.kind}: servers ${leader} (leader) and ${follower} killed; first acknowledged write after ${first.ackedAtMs - killedAtMs} ms`);
      const survivors = ensemble.sids.filter((sid) => sid !== leader && sid !== follower);
      assert.notEqual(await ensemble.waitForQuorum({ sids: survivors }), leader);
    } finally {
      await load.stop();
    }
    await ensemble.restartAndWait([leader, follower]);
    await assertMembersHold(ensemble, '/five', load.acked.map((write) => write.path));
    await ensemble.close();
  });

  it('3 servers: kill -9 of every server at once, then a restart, loses no acknowledged write', async (t) => {
    const ensemble = await suite.start({ size: 3 });
    await ensemble.waitForQuorum();
    const load = await writersOver(ensemble, '/power-cut');
    await load.waitForAcksAfter(Date.now(), 300, 30_000);
    // The writers keep writing while every server dies: the last acks race the kill.
    await ensemble.killAll();
    await load.stop();
    await ensemble.restartAndWait(ensemble.sids);
    t.diagnostic(`${suite.kind}: ${load.acked.length} acknowledged before the power cut`);
    await assertMembersHold(ensemble, '/power-cut', load.acked.map((write) => write.path));
    await ensemble.close();
  });
});

/**
 * A follower that was down while the ensemble committed catches up when it
 * comes back: by DIFF (the leader sends the missing txns) when it missed
 * few, by SNAP (the leader sends its whole state) when it missed more than
 * the leader keeps. Every member's copy must then be the same. The sync type
 * is read from the leader's `mntr` (`zk_diff_count`, `zk_snap_count`, as
 * Apache ZooKeeper reports them); a server without those keys is only
 * checked for convergence, with a TAP note.
 *
 * The leader keeps the last 100 committed txns for DIFF: `commitLogCount=100`
 * (Apache reads unknown zoo.cfg keys as `zookeeper.<key>` properties) and no
 * DIFF from the on-disk log (`snapshotSizeFactor=-1`); `snapCount=100`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient } from '@corral/client';
import { ensembleSuite } from './ensemble-suite.js';
import { differencesBetween, readFromEachMember } from './member-reads.js';
import type { TestEnsemble } from './test-ensemble.js';

/** Creates in flight at once while filling. */
const fillBatch = 50;

async function createMany(client: ZkClient, prefix: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += fillBatch) {
    const batch = Array.from({ length: Math.min(fillBatch, count - start) }, (_, index) => client.create(`${prefix}-${start + index}`, `v${start + index}`));
    await Promise.all(batch);
  }
}

/** zk_diff_count and zk_snap_count of the leader, or null when it does not report them. */
async function syncCounts(ensemble: TestEnsemble, leader: number): Promise<{ diff: number; snap: number } | null> {
  const mntr = await ensemble.mntr(leader);
  const diff = mntr.get('zk_diff_count');
  const snap = mntr.get('zk_snap_count');
  return diff === undefined || snap === undefined ? null : { diff: Number(diff), snap: Number(snap) };
}

describe('a restarted follower catches up (real processes)', () => {
  const suite = ensembleSuite();
  let ensemble: TestEnsemble | undefined;
  let client: ZkClient | undefined;
  let leader = 0;
  let follower = 0;
  before(async () => {
    ensemble = await suite.start({
      size: 3,
      settings: { snapCount: '100', commitLogCount: '100', snapshotSizeFactor: '-1' },
    });
    leader = await ensemble.waitForQuorum();
    follower = ensemble.sids.find((sid) => sid !== leader) ?? 0;
    // The writer never talks to the follower that goes down.
    client = await ZkClient.connect(ensemble.connectStringOf(ensemble.sids.filter((sid) => sid !== follower)), { sessionTimeoutMs: 8_000 });
    await client.create('/catch-up', '');
    await createMany(client, '/catch-up/before', 10);
  });
  after(async () => {
    await client?.close();
  });

  async function missAndRejoin(prefix: string, missedCount: number): Promise<{ before: { diff: number; snap: number } | null; after: { diff: number; snap: number } | null }> {
    if (ensemble === undefined || client === undefined) throw new Error('before() failed');
    await ensemble.kill9(follower);
    await createMany(client, prefix, missedCount);
    const before = await syncCounts(ensemble, leader);
    ensemble.restart(follower);
    assert.equal(await ensemble.waitForQuorum({ sids: ensemble.sids }), leader, 'the leader did not change');
    const after = await syncCounts(ensemble, leader);
    const copies = await readFromEachMember(ensemble, '/catch-up');
    assert.deepEqual(differencesBetween(copies), [], ensemble.describe([follower]));
    assert.equal(copies.get(follower)?.has(`${prefix}-${missedCount - 1}`), true);
    return { before, after };
  }

  it('a follower that missed 20 txns is synced by DIFF', async (t) => {
    t.diagnostic(suite.note);
    const { before, after } = await missAndRejoin('/catch-up/diff', 20);
    if (before === null || after === null) {
      t.diagnostic(`${suite.kind} leader reports no zk_diff_count/zk_snap_count: only convergence checked`);
      return;
    }
    assert.equal(after.diff - before.diff, 1, `diff ${before.diff} -> ${after.diff}`);
    assert.equal(after.snap, before.snap, `snap ${before.snap} -> ${after.snap}`);
  });

  it('a follower that missed 600 txns (more than the leader keeps) is synced by SNAP', async (t) => {
    const { before, after } = await missAndRejoin('/catch-up/snap', 600);
    if (before === null || after === null) {
      t.diagnostic(`${suite.kind} leader reports no zk_diff_count/zk_snap_count: only convergence checked`);
      return;
    }
    assert.equal(after.snap - before.snap, 1, `snap ${before.snap} -> ${after.snap}`);
    assert.equal(after.diff, before.diff, `diff ${before.diff} -> ${after.diff}`);
  });
});

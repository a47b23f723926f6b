/**
 * The third sync path on real processes: a server holding proposals of an
 * old epoch that no quorum acknowledged is truncated (TRUNC) when it rejoins.
 * The leader is cut off from both followers (every peer link through a
 * LinkProxy) while a client pinned to it writes: it logs those proposals,
 * nobody acknowledges them, and it steps down at syncLimit; the other two
 * elect a leader. Then either the links heal (it rejoins as it is) or it is
 * killed with SIGKILL and restarted on its data, and rejoins before the new
 * leader commits anything (Apache sends TRUNC only then: with a txn of the
 * new epoch above the learner's zxid it sends a SNAP, "Cannot send TRUNC to
 * peer ... from different epoch"). Writes follow on the majority. The old
 * leader's own output must show it held the orphans (the position it votes
 * with is above the last committed write: Corral's `lastLoggedZxid=`,
 * Apache's `proposed zxid=`) and that it was truncated (Corral: `serving as
 * follower ... sync=TRUNC`; Apache: `Truncating log to get in sync with the
 * leader`); every member must then hold the same data, with no orphan.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient } from '@corral/client';
import type { ServerKind } from '../servers.js';
import { ensembleSuite } from './ensemble-suite.js';
import { differencesBetween, readFromEachMember } from './member-reads.js';

const tickTimeMs = 200;
const syncLimitTicks = 5;
/** Writes sent to the cut-off leader; none may be acknowledged. */
const orphanCount = 3;
/** Lines of each member's output kept for the checks (a test ensemble logs far fewer). */
const linesMax = 20_000;
/** How long the cut-off leader may take to give up leading (syncLimit is 1 s). */
const stepDownDeadlineMs = 30_000;

/** What a member's output says about its position at an election and about a TRUNC, per implementation. */
const logPatterns: Record<ServerKind, { position: RegExp; truncated: RegExp }> = {
  corral: {
    position: /(?:looking for a leader|role ended; back to election) .*\blastLoggedZxid=0x([0-9a-f]+)/,
    truncated: /serving as follower .*\bsync=TRUNC\b/,
  },
  apache: {
    position: /New election\. My id = \d+, proposed zxid=0x([0-9a-f]+)/,
    truncated: /Truncating log to get in sync with the leader/,
  },
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('a server holding uncommitted proposals of an old epoch is truncated (real processes)', () => {
  const suite = ensembleSuite();

  async function orphanedLeaderRejoins(t: { diagnostic(message: string): void }, how: 'heal' | 'crash'): Promise<void> {
    t.diagnostic(suite.note);
    const lines = new Map<number, string[]>();
    const ensemble = await suite.start({
      size: 3,
      proxied: true,
      tickTimeMs,
      settings: { syncLimit: String(syncLimitTicks) },
      onLine: (sid, line) => {
        const kept = lines.get(sid) ?? [];
        lines.set(sid, kept);
        if (kept.length < linesMax) kept.push(line);
      },
    });
    const patterns = logPatterns[suite.kind];
    const leader = await ensemble.waitForQuorum();
    const others = ensemble.sids.filter((sid) => sid !== leader);
    const linesOfLeader = (): string[] => lines.get(leader) ?? [];
    const isolatedClient = await ZkClient.connect(ensemble.connectStringOf([leader]), { sessionTimeoutMs: 8_000 });
    const orphanAcks: string[] = [];
    const orphanWrites: Promise<void>[] = [];
    const orphans = Array.from({ length: orphanCount }, (_, index) => `/trunc/orphan-${index}`);
    await isolatedClient.create('/trunc', '');
    const committedZxid = (await isolatedClient.create2('/trunc/committed', 'c')).stat.czxid;
    const seenBefore = linesOfLeader().length;
    let newLeader = 0;
    try {
      ensemble.isolate(leader);
      for (const path of orphans) orphanWrites.push(isolatedClient.create(path, 'o').then(() => void orphanAcks.push(path), () => undefined));
      // It leads until syncLimit passes without a quorum: the writes are logged well before that.
      const cutAtMs = Date.now();
      while ((await ensemble.mode(leader)) === 'leader') {
        assert.ok(Date.now() - cutAtMs < stepDownDeadlineMs, 'the cut-off leader still leads');
        await sleep(100);
      }
      if (how === 'crash') await ensemble.kill9(leader);
      newLeader = await ensemble.waitForQuorum({ sids: others });
    } finally {
      ensemble.heal();
    }
    // Back before the new leader commits anything of its epoch: ZooKeeper sends a TRUNC only then
    // (a learner's zxid above all its history; with a new-epoch txn above it, it sends a SNAP).
    if (how === 'crash') ensemble.restart(leader);
    assert.equal(await ensemble.waitForQuorum({ sids: ensemble.sids }), newLeader, 'the leader changed when the old one came back');
    const writer = await ZkClient.connect(ensemble.connectStringOf(others), { sessionTimeoutMs: 8_000 });
    try {
      for (let index = 0; index < 5; index++) await writer.create(`/trunc/after-${index}`, 'a');
    } finally {
      await writer.close();
    }
    // Its session may have expired while it was cut off: closing it may fail, which is fine.
    await isolatedClient.close().catch(() => undefined);
    await Promise.all(orphanWrites);
    const since = linesOfLeader().slice(seenBefore);
    const position = since.map((line) => patterns.position.exec(line)?.[1]).find((hex) => hex !== undefined);
    assert.ok(position !== undefined, `no election position in the old leader's output:\n${ensemble.describe([leader])}`);
    t.diagnostic(`${suite.kind} (${how}): leader ${leader} voted with 0x${position} (last committed 0x${committedZxid.toString(16)}); new leader ${newLeader}`);
    // The precondition: the old leader held proposals nobody committed.
    assert.ok(BigInt(`0x${position}`) > committedZxid, `the cut-off leader logged none of its writes (position 0x${position})`);
    assert.ok(since.some((line) => patterns.truncated.test(line)), `no TRUNC in the old leader's output:\n${ensemble.describe([leader, newLeader], 60)}`);
    assert.deepEqual(orphanAcks, [], 'the cut-off leader acknowledged writes');
    const copies = await readFromEachMember(ensemble, '/trunc');
    assert.deepEqual(differencesBetween(copies), [], ensemble.describe([leader]));
    const copy = copies.get(leader);
    assert.equal(copy?.get('/trunc/committed'), 'c');
    assert.equal(copy?.has('/trunc/after-4'), true);
    for (const path of orphans) assert.equal(copy?.has(path), false, `${path} survived`);
    await ensemble.close();
  }

  it('a cut-off leader logs writes nobody acknowledges; when the links heal it is synced by TRUNC and the writes are gone', (t) => orphanedLeaderRejoins(t, 'heal'));

  it('the same leader killed with SIGKILL and restarted on its data is synced by TRUNC', (t) => orphanedLeaderRejoins(t, 'crash'));
});

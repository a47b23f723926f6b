/**
 * A client keeps its watches when it moves to another server, and hears
 * about what changed while it was away: @corral/client watches four znodes
 * on a follower, that follower is frozen (SIGSTOP) and the four change through
 * the leader; the client gives up on the frozen server, moves to the other
 * follower with its session and re-sends its watches with the last zxid it
 * saw (setWatches2, as ZooKeeper's Java client), and that server fires the
 * four events at once, as ZooKeeper's DataTree.setWatches compares the zxid
 * with each path's state. (Debian's kazoo drops its watches on a connection
 * loss with a NONE event instead of re-sending them, so it cannot show this.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient } from '@corral/client';
import type { WatchEvent } from '@corral/client';
import { EventType } from '@corral/wire';
import { ensembleSuite } from './ensemble-suite.js';

/** The watching client's session: it notices the frozen server after about two thirds of it. */
const sessionTimeoutMs = 4_000;
const eventsDeadlineMs = 60_000;

describe('a client moved to another server gets the watch events it missed (real processes)', () => {
  const suite = ensembleSuite();

  it('its server frozen while its four watched znodes change, a client moves on with its session and gets the four events', async (t) => {
    t.diagnostic(suite.note);
    const ensemble = await suite.start({ size: 3 });
    const leader = await ensemble.waitForQuorum();
    const [first, second] = ensemble.sids.filter((sid) => sid !== leader);
    assert.ok(first !== undefined && second !== undefined);
    const writer = await ZkClient.connect(ensemble.connectStringOf([leader]), { sessionTimeoutMs: 8_000 });
    const watcher = await ZkClient.connect(ensemble.connectStringOf([first, second]), { sessionTimeoutMs });
    try {
      for (const path of ['/moved', '/moved/data', '/moved/gone', '/moved/kids']) await writer.create(path, 'v0');
      await watcher.sync('/moved');
      const events: WatchEvent[] = [];
      let arrived: () => void = () => undefined;
      const allArrived = new Promise<void>((resolve) => (arrived = resolve));
      const watch = (event: WatchEvent): void => {
        events.push(event);
        if (events.length === 4) arrived();
      };
      await watcher.getData('/moved/data', { watch });
      await watcher.getData('/moved/gone', { watch });
      assert.equal(await watcher.exists('/moved/missing', { watch }), null);
      await watcher.getChildren('/moved/kids', { watch });
      const session = watcher.sessionId;
      // The client picked one of the two at random: freeze that one (its `cons` lists the session).
      const listed = `sid=0x${BigInt.asUintN(64, session).toString(16)},`;
      const frozen = (await ensemble.fourLetter(first, 'cons')).includes(listed) ? first : second;
      assert.ok((await ensemble.fourLetter(frozen, 'cons')).includes(listed), `no server lists session ${listed}`);
      ensemble.pause(frozen);
      try {
        await writer.setData('/moved/data', 'v1');
        await writer.delete('/moved/gone');
        await writer.create('/moved/missing', 'new');
        await writer.create('/moved/kids/child', 'c');
        const frozenAtMs = Date.now();
        let deadline: NodeJS.Timeout | undefined;
        await Promise.race([allArrived, new Promise((_, reject) => (deadline = setTimeout(() => reject(new Error(`events so far: ${JSON.stringify(events.map((e) => [e.type, e.path]))}`)), eventsDeadlineMs)))]);
        clearTimeout(deadline);
        t.diagnostic(`${suite.kind}: server ${frozen} frozen; the four events arrived ${Date.now() - frozenAtMs} ms after the changes`);
      } finally {
        ensemble.resume(frozen);
      }
      assert.deepEqual(events.map((event) => `${event.type} ${event.path}`).sort(), [
        `${EventType.NodeCreated} /moved/missing`,
        `${EventType.NodeChildrenChanged} /moved/kids`,
        `${EventType.NodeDeleted} /moved/gone`,
        `${EventType.NodeDataChanged} /moved/data`,
      ].sort());
      assert.equal(watcher.sessionId, session, 'the client kept its session');
    } finally {
      await watcher.close();
      await writer.close();
    }
  });
});

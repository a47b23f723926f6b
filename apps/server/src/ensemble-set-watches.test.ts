// Goal: a client that moves to another server of the ensemble keeps its
// watches and hears about what it missed (issue 9): it reconnects with its
// session and re-sends its watches with setWatches (or setWatches2) and the
// last zxid it saw; the new server compares that zxid with each path's
// mzxid, cversion and existence, as ZooKeeper's DataTree.setWatches does,
// and sends the missed events at once (before the setWatches reply); the
// watches on unchanged paths stay set and fire on a later change. Method: an
// in-process ensemble (testing/test-ensemble.ts), raw jute clients, writes
// through the leader while the client is away.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { EventType, OpCode, Xid } from '@corral/wire';
import { RawClient } from './testing/raw-client.js';
import { createRequest as create, TestEnsemble } from './testing/test-ensemble.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const watchesWith = [OpCode.setWatches, OpCode.setWatches2] as const;

for (const opCode of watchesWith) {
  const name = opCode === OpCode.setWatches ? 'setWatches' : 'setWatches2';
  test(`ensemble: a client moving to another server re-sends its watches with ${name} and gets the events it missed at once`, async () => {
    const ensemble = await TestEnsemble.start(cleanups, { voters: 3 });
    const leader = await ensemble.settled();
    const [before, after] = [1, 2, 3].filter((sid) => sid !== leader) as [number, number];
    const writer = await ensemble.client(leader, cleanups);
    for (const path of ['/sw-data', '/sw-gone', '/sw-kids', '/sw-same']) assert.equal((await writer.request(create(path, 'v0'))).header.err, ZkCode.OK);

    const watcher = await ensemble.client(before, cleanups);
    // Reads on `before` once it has the writer's creates.
    await watcher.request({ type: OpCode.sync, path: '/' });
    assert.equal((await watcher.request({ type: OpCode.getData, path: '/sw-data', watch: true })).header.err, ZkCode.OK);
    assert.equal((await watcher.request({ type: OpCode.getData, path: '/sw-gone', watch: true })).header.err, ZkCode.OK);
    assert.equal((await watcher.request({ type: OpCode.exists, path: '/sw-missing', watch: true })).header.err, ZkCode.NONODE);
    assert.equal((await watcher.request({ type: OpCode.getChildren, path: '/sw-kids', watch: true })).header.err, ZkCode.OK);
    const last = await watcher.request({ type: OpCode.getData, path: '/sw-same', watch: true });
    assert.equal(last.header.err, ZkCode.OK);
    const session = watcher.session;
    assert.ok(session !== null);
    watcher.close();
    await watcher.closed;

    // While it is away (its session lives on): one change per kind of watch, none to /sw-same.
    assert.equal((await writer.request({ type: OpCode.setData, path: '/sw-data', data: Buffer.from('v1'), version: -1 })).header.err, ZkCode.OK);
    assert.equal((await writer.request({ type: OpCode.delete, path: '/sw-gone', version: -1 })).header.err, ZkCode.OK);
    assert.equal((await writer.request(create('/sw-missing', 'new'))).header.err, ZkCode.OK);
    assert.equal((await writer.request(create('/sw-kids/child', 'c'))).header.err, ZkCode.OK);

    const moved = await RawClient.open(ensemble.member(after).clientPort, { sessionId: session.sessionId, passwd: session.passwd, lastZxidSeen: last.header.zxid });
    cleanups.push(() => moved.close());
    assert.equal(moved.session?.sessionId, session.sessionId, 'the session moved, not a new one');
    // `after` sees the writer's changes before the watches are compared with them.
    await moved.request({ type: OpCode.sync, path: '/' });
    const watches = { relativeZxid: last.header.zxid, dataWatches: ['/sw-data', '/sw-gone', '/sw-same'], existWatches: ['/sw-missing'], childWatches: ['/sw-kids'] };
    const reply = await moved.request(
      opCode === OpCode.setWatches ? { type: opCode, ...watches } : { type: opCode, ...watches, persistentWatches: [], persistentRecursiveWatches: [] },
      Xid.setWatches,
    );
    assert.equal(reply.header.err, ZkCode.OK);
    const missed = moved.events.map((event) => `${event.type} ${event.path}`).sort();
    assert.deepEqual(missed, [
      `${EventType.NodeCreated} /sw-missing`,
      `${EventType.NodeChildrenChanged} /sw-kids`,
      `${EventType.NodeDeleted} /sw-gone`,
      `${EventType.NodeDataChanged} /sw-data`,
    ].sort(), 'the missed events, before the reply');

    // The watch on the unchanged path was re-registered on `after`: it fires once, for the next change.
    assert.equal((await writer.request({ type: OpCode.setData, path: '/sw-same', data: Buffer.from('v1'), version: -1 })).header.err, ZkCode.OK);
    const all = await moved.waitForEvents(5);
    assert.deepEqual(all.slice(4).map((event) => [event.type, event.path]), [[EventType.NodeDataChanged, '/sw-same']]);
  });
}

/**
 * Interop: node-zookeeper-client 1.1.3 (npm, 3.4-level protocol: no create2, containers or
 * TTL) in this process against the server under test. Watch events are awaited with a
 * round trip on the watching session: the server sends a notification before the reply to
 * any later request of that session, so no sleeps are needed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NodeZkSession, nodeZkCreateMode, recordInto } from './node-zk-client.js';
import type { NodeZkEvent } from './node-zk-client.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

describe(`node-zookeeper-client against ${targetKind()}`, () => {
  let server: RunningServer | undefined;
  let a: NodeZkSession | undefined;
  let b: NodeZkSession | undefined;
  before(async () => {
    server = await startTarget();
    a = await NodeZkSession.connect(server.connectString);
    b = await NodeZkSession.connect(server.connectString);
  });
  after(async () => {
    a?.close();
    b?.close();
    await server?.stop();
  });

  it('create/get/set/remove/exists/getChildren with ZooKeeper codes', async () => {
    assert.ok(a);
    assert.equal(await a.create('/nz', 'zero'), '/nz');
    assert.deepEqual(await a.create('/nz', 'again'), { code: -110, name: 'NODE_EXISTS' });
    assert.deepEqual(await a.create('/nz/missing/x', ''), { code: -101, name: 'NO_NODE' });
    const got = await a.getData('/nz');
    assert.ok(!('code' in got));
    assert.equal(got.data, 'zero');
    assert.equal(got.stat.version, 0);
    assert.equal(got.stat.czxid, got.stat.mzxid);
    const set = await a.setData('/nz', 'one', 0);
    assert.ok(!('code' in set));
    assert.equal(set.version, 1);
    assert.deepEqual(await a.setData('/nz', 'two', 0), { code: -103, name: 'BAD_VERSION' });
    assert.equal(await a.create('/nz/e', '', nodeZkCreateMode.EPHEMERAL), '/nz/e');
    const eph = await a.exists('/nz/e');
    assert.ok(eph !== null && !('code' in eph));
    assert.equal(eph.ephemeralOwner, a.sessionIdHex());
    assert.deepEqual(await a.create('/nz/e/x', ''), { code: -108, name: 'NO_CHILDREN_FOR_EPHEMERALS' });
    assert.equal(await a.create('/nz/s-', '', nodeZkCreateMode.PERSISTENT_SEQUENTIAL), '/nz/s-0000000001');
    const children = await a.getChildren('/nz');
    assert.ok(Array.isArray(children));
    assert.deepEqual([...children].sort(), ['e', 's-0000000001']);
    assert.deepEqual(await a.remove('/nz', -1), { code: -111, name: 'NOT_EMPTY' });
    assert.deepEqual(await a.remove('/nz/e', 5), { code: -103, name: 'BAD_VERSION' });
    assert.equal(await a.remove('/nz/e', 0), true);
    assert.equal(await a.exists('/nz/e'), null);
  });

  it('data, exists and child watches fire once with the right type and path', async () => {
    assert.ok(a && b);
    const events: NodeZkEvent[] = [];
    await a.create('/nw', 'x');
    await a.getData('/nw', recordInto(events));
    await a.exists('/nw/c', recordInto(events));
    await a.getChildren('/nw', recordInto(events));
    await b.setData('/nw', 'y', -1);
    await b.setData('/nw', 'z', -1);
    await b.create('/nw/c', '');
    await b.create('/nw/d', '');
    await a.exists('/'); // round trip: every notification for a is delivered before this reply
    assert.deepEqual(events, [
      { name: 'NODE_DATA_CHANGED', path: '/nw' },
      { name: 'NODE_CREATED', path: '/nw/c' },
      { name: 'NODE_CHILDREN_CHANGED', path: '/nw' },
    ]);
    events.length = 0;
    await a.getData('/nw/c', recordInto(events));
    await b.remove('/nw/c', -1);
    await a.exists('/');
    assert.deepEqual(events, [{ name: 'NODE_DELETED', path: '/nw/c' }]);
  });

  it('transaction commits atomically and reports the failing op', async () => {
    assert.ok(a);
    await a.create('/nt', 'x');
    const failed = await a.transaction((t) => t.create('/nt/a', Buffer.from('a')).check('/nt', 7).setData('/nt', Buffer.from('y'), -1));
    assert.deepEqual(failed.error, { code: -103, name: 'BAD_VERSION' });
    // type -1 = error result; OK before the failing op, RuntimeInconsistency (-2) after it
    assert.deepEqual(failed.results, [
      { type: -1, err: 0 },
      { type: -1, err: -103 },
      { type: -1, err: -2 },
    ]);
    assert.equal(await a.exists('/nt/a'), null);
    const done = await a.transaction((t) => t.create('/nt/a', Buffer.from('a')).check('/nt', 0).setData('/nt', Buffer.from('y'), 0).remove('/nt/a', -1));
    assert.equal(done.error, null);
    assert.deepEqual(
      done.results.map((r) => r.type),
      [1, 13, 5, 2],
    );
    const after = await a.getData('/nt');
    assert.ok(!('code' in after));
    assert.equal(after.data, 'y');
  });
});

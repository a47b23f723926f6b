// Goal: `readonlymode.enabled=true` in an in-process ensemble: the last member
// of three, LOOKING without a quorum, turns read-only after the grace period
// (isro ro, srvr Mode: read-only); a client whose ConnectRequest sets readOnly
// gets readOnly=true, reads, and NOTREADONLY for writes and sync; one that does
// not is refused, and so is a session of the replicated table (Apache:
// "Refusing global session reconnection in RO mode"); a read-only session
// reconnects. When
// the others start again the read-only connections are closed and the server
// serves read-write. Method: CorralServers (testing/test-ensemble.ts), raw
// jute clients with the readOnly flag.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { OpCode } from '@corral/wire';
import { fourLetterWord } from './testing/four-letter-word.js';
import { RawClient } from './testing/raw-client.js';
import { createRequest as create, TestEnsemble, until } from './testing/test-ensemble.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('ensemble: a member cut off from its quorum serves read-only clients until the quorum is back', async () => {
  const ensemble = await TestEnsemble.start(cleanups, { voters: 3, extra: 'readonlymode.enabled=true' });
  const leader = await ensemble.settled();
  const [survivor, other] = [1, 2, 3].filter((sid) => sid !== leader) as [number, number];
  const port = ensemble.member(survivor).clientPort;
  const writer = await ensemble.client(survivor, cleanups);
  assert.equal((await writer.request(create('/ro', 'before'))).header.err, ZkCode.OK);
  const global = writer.session;
  assert.ok(global !== null);
  assert.equal(global.readOnly, false);
  assert.equal(await fourLetterWord(port, 'isro'), 'rw');
  await ensemble.stopMember(leader);
  await ensemble.stopMember(other);
  await writer.closed;
  await until('the survivor read-only', async () => (await fourLetterWord(port, 'isro')) === 'ro');
  assert.match(await fourLetterWord(port, 'srvr'), /READ-ONLY mode; serving only read-only clients\n[^]*Mode: read-only\n/);

  await assert.rejects(RawClient.open(port), /closed the connection/);
  const reader = await RawClient.open(port, { readOnly: true });
  cleanups.push(() => reader.close());
  assert.equal(reader.session?.readOnly, true);
  const read = await reader.request({ type: OpCode.getData, path: '/ro', watch: false });
  assert.equal(read.header.err, ZkCode.OK);
  assert.ok(read.response?.type === OpCode.getData);
  assert.equal(Buffer.from(read.response.data ?? []).toString(), 'before');
  for (const request of [create('/ro/x'), { type: OpCode.setData, path: '/ro', data: Buffer.from('x'), version: -1 } as const, { type: OpCode.sync, path: '/' } as const]) {
    assert.equal((await reader.request(request)).header.err, ZkCode.NOTREADONLY);
  }
  // The writer's session is in the replicated table: refused here, it waits for a quorum.
  await assert.rejects(RawClient.open(port, { readOnly: true, sessionId: global.sessionId, passwd: global.passwd }), /closed the connection/);
  const local = reader.session;
  assert.ok(local !== null);
  const back = await RawClient.open(port, { readOnly: true, sessionId: local.sessionId, passwd: local.passwd });
  cleanups.push(() => back.close());
  assert.deepEqual([back.session?.sessionId, back.session?.readOnly], [local.sessionId, true]);
  await reader.closed;

  await ensemble.startMember(leader);
  await ensemble.startMember(other);
  await back.closed;
  await until('the survivor read-write', async () => (await fourLetterWord(port, 'isro')) === 'rw');
  const again = await RawClient.open(port, { readOnly: true });
  cleanups.push(() => again.close());
  assert.equal(again.session?.readOnly, false);
  assert.equal((await again.request(create('/ro/after'))).header.err, ZkCode.OK);
  // The writer's session lived on in the quorum.
  const writerBack = await RawClient.open(port, { sessionId: global.sessionId, passwd: global.passwd });
  cleanups.push(() => writerBack.close());
  assert.deepEqual([writerBack.session?.sessionId, writerBack.session?.timeOut !== 0], [global.sessionId, true]);
});

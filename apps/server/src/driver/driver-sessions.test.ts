// Goal: the Driver's rules for a session's requests and connections, as a
// client sees them (ported from the RequestPipeline's tests when the Driver
// became the only core): a failed fsync is never acknowledged and stops the
// server; replies leave in request order and a read behind a write of its
// session sees it; pipelined writes validate against each other; after a
// reconnect the old connection is closed, is owed nothing and its queued
// reads set no watch. Method: the Driver over the in-memory disk, whose
// fsyncs the test releases, and recording transports; the test yields
// event-loop turns (no timers, no sleeps).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { OpCode } from '@corral/wire';
import { RecordingTransport, connected, startMemoryDriver, turns } from '../testing/memory-driver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const create = (path: string, data = '') => ({ type: OpCode.create, path, data: Buffer.from(data), acl: open, flags: 0 }) as const;

test('driver: a failed fsync is never acknowledged and stops the server', async () => {
  const { driver, disk, fatal } = await startMemoryDriver(cleanups);
  const transport = new RecordingTransport();
  const session = await connected(driver, transport);
  disk.failNextFsync('disk-full');
  driver.submit(session, 1, OpCode.create, create('/lost'));
  await turns();
  assert.equal(transport.replies.length, 0);
  assert.equal(fatal.length, 1);
  assert.equal(driver.tree.getNode('/lost'), undefined, 'nothing applied that was not stored');
});

test('driver: a read behind a pending write of the same session waits for it and sees it', async () => {
  const { driver, disk } = await startMemoryDriver(cleanups);
  const transport = new RecordingTransport();
  const session = await connected(driver, transport);
  disk.fsyncMode = 'manual';
  driver.submit(session, 1, OpCode.create, create('/x', '1'));
  driver.submit(session, 2, OpCode.getData, { type: OpCode.getData, path: '/x', watch: false });
  driver.submit(session, 3, OpCode.setData, { type: OpCode.setData, path: '/x', data: Buffer.from('2'), version: -1 });
  driver.submit(session, 4, OpCode.getData, { type: OpCode.getData, path: '/x', watch: false });
  await turns();
  assert.equal(transport.replies.length, 0);
  disk.fsyncMode = 'immediate';
  disk.completeFsyncs();
  await turns(10);
  assert.deepEqual(transport.replies.map((reply) => reply.header.xid), [1, 2, 3, 4]);
  const reads = transport.replies.flatMap(({ response }) => (response?.type === OpCode.getData ? [Buffer.from(response.data ?? []).toString()] : []));
  assert.deepEqual(reads, ['1', '2']);
});

test('driver: pipelined writes validate against outstanding changes', async () => {
  const { driver, disk } = await startMemoryDriver(cleanups);
  const transport = new RecordingTransport();
  const session = await connected(driver, transport);
  disk.fsyncMode = 'manual';
  driver.submit(session, 1, OpCode.create, create('/p'));
  driver.submit(session, 2, OpCode.create, create('/p'));
  driver.submit(session, 3, OpCode.create, create('/p/c'));
  driver.submit(session, 4, OpCode.delete, { type: OpCode.delete, path: '/p', version: -1 });
  await turns();
  disk.fsyncMode = 'immediate';
  disk.completeFsyncs();
  await turns(10);
  assert.deepEqual(transport.replies.map((reply) => reply.header.err), [ZkCode.OK, ZkCode.NODEEXISTS, ZkCode.OK, ZkCode.NOTEMPTY]);
});

test('driver: after a reconnect the old connection is closed and replies owed to it are not sent on the new one', async () => {
  const { driver, disk } = await startMemoryDriver(cleanups);
  const first = new RecordingTransport();
  const session = await connected(driver, first);
  disk.fsyncMode = 'manual';
  driver.submit(session, 7, OpCode.create, create('/r'));
  await turns();
  const second = new RecordingTransport();
  assert.equal(await connected(driver, second, session), session);
  assert.equal(second.connects[0]?.sessionId, session.id);
  assert.notEqual(first.closed, null, 'the old connection is closed');
  driver.detach(session, first);
  driver.submit(session, 1, OpCode.exists, { type: OpCode.exists, path: '/r', watch: false });
  disk.fsyncMode = 'immediate';
  disk.completeFsyncs();
  await turns(10);
  assert.deepEqual(second.replies.map((reply) => [reply.header.xid, reply.header.err]), [[1, ZkCode.OK]], 'the write was applied before the later read');
  assert.equal(first.replies.length, 0);
  assert.equal(second.backlog.requestCount, 0);
  assert.equal(second.backlog.replyBytes, 0);
});

test('driver: a read queued by the old connection sets no watch once the session has moved', async () => {
  const { driver, disk } = await startMemoryDriver(cleanups);
  const first = new RecordingTransport();
  const session = await connected(driver, first);
  disk.fsyncMode = 'manual';
  driver.submit(session, 1, OpCode.create, create('/w'));
  driver.submit(session, 2, OpCode.exists, { type: OpCode.exists, path: '/w', watch: true });
  await turns();
  const second = new RecordingTransport();
  const reconnect = connected(driver, second, session);
  disk.fsyncMode = 'immediate';
  disk.completeFsyncs();
  await reconnect;
  driver.detach(session, first);
  driver.submit(session, 1, OpCode.setData, { type: OpCode.setData, path: '/w', data: Buffer.from('x'), version: -1 });
  await turns(10);
  assert.deepEqual(second.replies.map((reply) => reply.header.xid), [1]);
  assert.deepEqual(second.events, [], 'the exists watch of the old connection was never set');
  assert.equal(first.replies.length, 0);
  assert.equal(driver.inFlightCount, 0, 'dropped requests no longer count as in flight');
});

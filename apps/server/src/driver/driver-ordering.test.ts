// Goal: the Driver's persist-before-ack ordering (STYLE §3): a write is
// answered only after the Ready that appended it is durable, and writes
// submitted while an append is in flight go to the disk together in the
// next one (one group commit, one write in flight). A restart whose log above
// the snapshot is longer than broadcast's window re-commits all of it. Method: the Driver over
// a MemoryDisk whose fsyncs complete only when the test says, and a fake
// transport; the test yields event-loop turns (no timers, no sleeps).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import type { MemoryDisk } from '@corral/txn-log';
import { OpCode } from '@corral/wire';
import { RecordingTransport, connected, startMemoryDriver, turns, type MemoryDriver } from '../testing/memory-driver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function started(reuse: { disk: MemoryDisk; dataDir: string } | null = null, extra = ''): Promise<MemoryDriver> {
  return startMemoryDriver(cleanups, reuse === null ? { extra } : { reuse, extra });
}

const setData = (data: string): { type: typeof OpCode.setData; path: string; data: Uint8Array; version: number } =>
  ({ type: OpCode.setData, path: '/', data: new TextEncoder().encode(data), version: -1 });

test('driver: a write is answered only once its append is durable', async () => {
  const { driver, disk, log, fatal } = await started();
  const transport = new RecordingTransport();
  const session = await connected(driver, transport);
  disk.fsyncMode = 'manual';
  const before = log.lastLoggedZxid;
  driver.submit(session, 1, OpCode.setData, setData('a'));
  await turns();
  assert.equal(disk.pendingFsyncCount, 1, 'the append is on its way to the disk');
  assert.equal(transport.replies.length, 0, 'nothing is answered before the fsync');
  assert.equal(driver.tree.getNode('/')?.stat.version, 0, 'nothing is applied before the fsync');
  disk.completeFsyncs();
  await turns();
  assert.deepEqual(transport.replies.map(({ header: reply }) => [reply.xid, reply.err]), [[1, ZkCode.OK]]);
  assert.equal(transport.replies[0]?.header.zxid, log.lastLoggedZxid);
  assert.ok(log.lastLoggedZxid > before);
  assert.deepEqual(fatal, []);
});

test('driver: writes submitted during an fsync share the next append (one write in flight)', async () => {
  const { driver, disk, fatal } = await started();
  const transport = new RecordingTransport();
  const session = await connected(driver, transport);
  disk.fsyncMode = 'manual';
  driver.submit(session, 1, OpCode.setData, setData('a'));
  await turns();
  for (let cxid = 2; cxid <= 5; cxid += 1) driver.submit(session, cxid, OpCode.setData, setData(`v${cxid}`));
  await turns();
  assert.equal(disk.pendingFsyncCount, 1, 'the second append waits for the first');
  disk.completeFsyncs();
  await turns();
  assert.deepEqual(transport.replies.map(({ header: reply }) => reply.xid), [1]);
  assert.equal(disk.pendingFsyncCount, 1, 'the four later writes went to the disk in one append');
  disk.completeFsyncs();
  await turns();
  assert.deepEqual(transport.replies.map(({ header: reply }) => reply.xid), [1, 2, 3, 4, 5]);
  assert.equal(driver.tree.getNode('/')?.stat.version, 5);
  assert.deepEqual(fatal, []);
});

test('driver: a restart re-commits a log above the snapshot longer than broadcast\'s window', async () => {
  const writes = 10_500;
  const first = await started(null, 'snapCount=100000000');
  const transport = new RecordingTransport();
  const session = await connected(first.driver, transport);
  // In rounds that stay under the replica's per-session queue limit.
  for (let cxid = 1; cxid <= writes; cxid += 1) {
    first.driver.submit(session, cxid, OpCode.setData, setData(`v${cxid}`));
    for (let round = 0; round < 100 && (cxid % 1_000 === 0 || cxid === writes) && transport.replies.length < cxid; round += 1) await turns(1);
  }
  assert.equal(transport.replies.length, writes);
  await first.driver.close();
  await first.log.close();
  const second = await started({ disk: first.disk, dataDir: first.dataDir }, 'snapCount=100000000');
  assert.equal(second.driver.tree.getNode('/')?.stat.version, writes);
  assert.equal(second.driver.tree.lastProcessedZxid, first.log.lastLoggedZxid);
  assert.deepEqual([...first.fatal, ...second.fatal], []);
});

test('driver: a connection that closes during its connect gets no answer; its session waits for expiry', async () => {
  const { driver, fatal } = await started();
  const gone = new RecordingTransport();
  let answered = false;
  driver.connect(gone, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false,
  }, () => {
    answered = true;
  });
  driver.detach(null, gone);
  await turns();
  assert.equal(answered, false);
  assert.deepEqual(gone.connects, []);
  assert.equal(driver.tree.sessions().size, 1, 'the createSession was committed all the same');
  const next = new RecordingTransport();
  const session = await connected(driver, next);
  driver.submit(session, 1, OpCode.setData, setData('a'));
  await turns();
  assert.deepEqual(next.replies.map(({ header: reply }) => reply.xid), [1]);
  assert.deepEqual(fatal, []);
});

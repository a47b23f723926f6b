// Goal: the in-memory snapshot store follows the same contract as LevelDB's
// (commit atomic across a crash, fallback on corruption), and an install
// interrupted between snapshot commit and log reset is completed at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import { MemoryDisk } from './memory-disk.js';
import { MemorySnapshotStore } from './memory-snapshot-store.js';
import { MemoryTxnLog } from './memory-txn-log.js';
import { completeSnapshotInstall, installSnapshot } from './storage-ops.js';
import { silentLogger } from './store.js';
import { collect, records } from './temp-dir.test-support.js';

test('commit is atomic across a crash; corrupt newest falls back', async () => {
  const disk = new MemoryDisk();
  const store = await MemorySnapshotStore.open(disk);
  const first = store.beginSnapshot(makeZxid(1, 5));
  await first.write(Buffer.from('one'));
  await first.commit();
  const second = store.beginSnapshot(makeZxid(1, 9));
  await second.write(Buffer.from('two'));
  disk.fsyncMode = 'manual';
  const committing = second.commit();
  disk.crash();
  await assert.rejects(committing);
  disk.fsyncMode = 'immediate';
  const reopened = await MemorySnapshotStore.open(disk);
  assert.equal((await reopened.list()).length, 1);
  const third = reopened.beginSnapshot(makeZxid(1, 12));
  await third.write(Buffer.from('three'));
  const info = await third.commit();
  disk.corruptSnapshotChunk(info.snapshotId, 0);
  const reader = await reopened.openLatestValidSnapshot();
  assert.equal(reader?.info.zxid, makeZxid(1, 5));
  assert.equal(Buffer.concat(await collect(reader.chunks())).toString(), 'one');
});

test('an install interrupted before the log reset is completed at start', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  const snapshots = await MemorySnapshotStore.open(disk);
  await log.append(records(1, 1, 5));
  // Simulate the crash: commit the installed snapshot without resetting the log.
  const writer = snapshots.beginSnapshot(makeZxid(3, 4), { installed: true });
  await writer.write(Buffer.from('x'));
  await writer.commit();
  disk.crash();
  const reopenedLog = await MemoryTxnLog.open(disk);
  const storage = { log: reopenedLog, snapshots: await MemorySnapshotStore.open(disk) };
  assert.equal(await completeSnapshotInstall(storage, silentLogger), makeZxid(3, 4));
  assert.equal(reopenedLog.lastLoggedZxid, makeZxid(3, 4));
  assert.equal(disk.logEntries.length, 0);
  assert.equal(await completeSnapshotInstall(storage, silentLogger), null, 'idempotent');
  await installSnapshot(storage, makeZxid(4, 0), [Buffer.from('y')]);
  assert.equal(reopenedLog.baseZxid, makeZxid(4, 0));
});

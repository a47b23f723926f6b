// Goal: group-commit and fault semantics of the shared CommitQueue, driven
// through MemoryTxnLog on a MemoryDisk whose fsyncs the test completes by
// hand (no timers): batching, one promise per batch, failed state, crash
// losing unsynced writes, torn tail, gaps, backpressure, truncate / reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import { FormatVersionError, LogBackpressureError, LogCorruptionError, LogGapError, StorageError } from './errors.js';
import { MemoryDisk } from './memory-disk.js';
import { MemoryTxnLog } from './memory-txn-log.js';
import { collect, records } from './temp-dir.test-support.js';

/** Lets queued microtasks (the batch start) run. */
async function settle(): Promise<void> {
  for (let index = 0; index < 5; index += 1) await Promise.resolve();
}

test('group commit: appends during an in-flight fsync share the next batch and its promise', async () => {
  const disk = new MemoryDisk();
  disk.fsyncMode = 'manual';
  const log = await MemoryTxnLog.open(disk);
  const all = records(1, 1, 101);
  const first = log.append(all.slice(0, 1));
  await settle();
  assert.equal(disk.pendingFsyncCount, 1);
  const later = all.slice(1).map((record) => log.append([record]));
  await settle();
  assert.equal(disk.pendingFsyncCount, 1, 'nothing more is written while the fsync is in flight');
  assert.ok(later.every((promise) => promise === later[0]), 'one promise per batch');
  assert.notEqual(first, later[0]);
  assert.equal(log.lastLoggedZxid, 0n, 'nothing is durable before the fsync completes');
  disk.completeFsyncs(1);
  await first;
  await settle();
  assert.equal(disk.pendingFsyncCount, 1, 'the 100 queued records go out as one batch');
  disk.completeFsyncs();
  await later[0];
  assert.equal(log.stats().fsyncCount, 2);
  assert.equal(log.lastLoggedZxid, makeZxid(1, 101));
  await log.close();
});

test('a batch over batchRecordsMax is split, and the caller gets the last batch', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk, { limits: { batchRecordsMax: 4 } });
  await log.append(records(1, 1, 10));
  assert.equal(log.stats().fsyncCount, 3);
  assert.equal(disk.logEntries.length, 10);
  await log.close();
});

test('failing fsync rejects the batch with StorageError and every later append at once', async () => {
  const cases = [
    { name: 'EIO', kind: 'write-failed' as const },
    { name: 'disk full', kind: 'disk-full' as const },
  ];
  for (const c of cases) {
    const disk = new MemoryDisk();
    const log = await MemoryTxnLog.open(disk);
    await log.append(records(1, 1, 2));
    disk.failNextFsync(c.kind);
    await assert.rejects(log.append(records(1, 3, 1)), (error: unknown) => error instanceof StorageError && error.kind === c.kind, c.name);
    assert.ok(log.failure instanceof StorageError);
    await assert.rejects(log.append(records(1, 4, 1)), (error: unknown) => error instanceof StorageError && error.kind === 'log-failed');
    assert.equal(log.lastLoggedZxid, makeZxid(1, 2), 'the failed record is not reported as logged');
    assert.equal(disk.logEntries.length, 2);
    await log.close();
  }
});

test('crash loses unsynced writes; acknowledged ones survive reopen', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  await log.append(records(1, 1, 3));
  disk.fsyncMode = 'manual';
  const lost = log.append(records(1, 4, 2));
  await settle();
  disk.crash();
  await assert.rejects(lost, (error: unknown) => error instanceof StorageError && error.kind === 'crashed');
  await log.close();
  disk.fsyncMode = 'immediate';
  const reopened = await MemoryTxnLog.open(disk);
  assert.equal(reopened.lastLoggedZxid, makeZxid(1, 3));
  const read = await collect(reopened.readFrom(0n));
  assert.deepEqual(
    read.map((record) => record.zxid),
    records(1, 1, 3).map((record) => record.zxid),
  );
  await reopened.append(records(1, 4, 1));
  await reopened.close();
});

test('torn tail is truncated and reported with its zxid range', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  await log.append(records(1, 1, 5));
  await log.close();
  disk.tearTail(2);
  const warnings: Record<string, unknown>[] = [];
  const reopened = await MemoryTxnLog.open(disk, { logger: { info: () => undefined, warn: (fields) => warnings.push(fields) } });
  assert.deepEqual(reopened.tornTail, { fromZxid: makeZxid(1, 4), toZxid: makeZxid(1, 5), recordCount: 2 });
  assert.equal(reopened.lastLoggedZxid, makeZxid(1, 3));
  assert.equal(warnings.length, 1);
  assert.equal((await collect(reopened.readFrom(0n))).length, 3);
  await reopened.close();
});

test('corruption before the tail is refused on read, never served', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  await log.append(records(1, 1, 5));
  disk.corruptLogRecord(makeZxid(1, 2));
  await assert.rejects(collect(log.readFrom(0n)), (error: unknown) => error instanceof LogCorruptionError && error.zxid === makeZxid(1, 2));
  await log.close();
});

test('gap: append refuses a non-contiguous zxid; read refuses a gap after the start zxid', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  await log.append(records(1, 1, 3));
  await assert.rejects(log.append(records(1, 5, 1)), LogGapError);
  await assert.rejects(log.append(records(1, 3, 1)), LogGapError);
  await log.append(records(2, 1, 1));
  assert.equal((await collect(log.readFrom(makeZxid(1, 1)))).length, 3, 'epoch change at counter 1 is contiguous');
  await log.purgeBefore(makeZxid(1, 3));
  await assert.rejects(collect(log.readFrom(makeZxid(1, 1))), (error: unknown) => error instanceof LogGapError && error.zxid === makeZxid(1, 3));
  await log.close();
  const sparse = await MemoryTxnLog.open(new MemoryDisk(), { checkContiguous: false });
  await sparse.append([...records(1, 1, 1), ...records(1, 9, 1)]);
  await sparse.close();
});

test('backpressure: appends beyond pendingRecordsMax reject with a typed error', async () => {
  const disk = new MemoryDisk();
  disk.fsyncMode = 'manual';
  const log = await MemoryTxnLog.open(disk, { limits: { pendingRecordsMax: 4, batchRecordsMax: 4 } });
  const accepted = log.append(records(1, 1, 4));
  await assert.rejects(log.append(records(1, 5, 1)), LogBackpressureError);
  await settle();
  disk.completeFsyncs();
  await accepted;
  disk.fsyncMode = 'immediate';
  await log.append(records(1, 5, 1));
  await log.close();
});

test('readFrom streams in order in bounded batches and honours toZxid', async () => {
  const log = await MemoryTxnLog.open(new MemoryDisk(), { limits: { readBatchRecordsMax: 3 } });
  await log.append(records(1, 1, 10));
  const batches = await collect(log.readBatchesFrom(makeZxid(1, 2), { batchRecordsMax: 100 }));
  assert.deepEqual(
    batches.map((batch) => batch.length),
    [3, 3, 2],
  );
  const upTo = await collect(log.readFrom(makeZxid(1, 2), { toZxid: makeZxid(1, 5) }));
  assert.deepEqual(
    upTo.map((record) => record.zxid),
    [3, 4, 5].map((counter) => makeZxid(1, counter)),
  );
  await log.close();
});

test('truncateAfter, commit marker and resetTo', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  await log.append(records(1, 1, 10));
  await log.setLastCommittedZxid(makeZxid(1, 4));
  await log.truncateAfter(makeZxid(1, 6));
  assert.equal(log.lastLoggedZxid, makeZxid(1, 6));
  await log.append(records(1, 7, 1));
  assert.equal(await log.purgeBefore(makeZxid(1, 3)), 2);
  await log.resetTo(makeZxid(3, 0));
  assert.equal(disk.logEntries.length, 0);
  assert.equal(log.lastCommittedZxid, makeZxid(3, 0));
  await assert.rejects(log.append(records(3, 2, 1)), LogGapError);
  await log.append(records(3, 1, 1));
  await log.close();
  const reopened = await MemoryTxnLog.open(disk);
  assert.equal(reopened.lastLoggedZxid, makeZxid(3, 1));
  assert.equal(reopened.baseZxid, makeZxid(3, 0));
  await reopened.close();
});

test('a newer format version is refused', async () => {
  const disk = new MemoryDisk();
  disk.logFormatVersion = 99;
  await assert.rejects(MemoryTxnLog.open(disk), FormatVersionError);
});

test('truncateAndAppend is one durable unit: a crash before its fsync keeps the old tail, after it the new one', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  // The learner's log: 1.1–1.5, of which 1.4 and 1.5 were never committed; the leader's history goes on at 2.1.
  await log.append(records(1, 1, 5));
  disk.fsyncMode = 'manual';
  const rewrite = log.truncateAndAppend(makeZxid(1, 3), records(2, 1, 2));
  await settle();
  disk.crash();
  await assert.rejects(rewrite, (error: unknown) => error instanceof StorageError && error.kind === 'crashed');
  await log.close();
  disk.fsyncMode = 'immediate';
  const kept = await MemoryTxnLog.open(disk);
  assert.deepEqual((await collect(kept.readFrom(0n))).map((record) => record.zxid), records(1, 1, 5).map((record) => record.zxid), 'nothing of the rewrite');
  await kept.truncateAndAppend(makeZxid(1, 3), records(2, 1, 2));
  assert.equal(kept.lastLoggedZxid, makeZxid(2, 2));
  await kept.close();
  const rewritten = await MemoryTxnLog.open(disk);
  assert.deepEqual(
    (await collect(rewritten.readFrom(0n))).map((record) => record.zxid),
    [...records(1, 1, 3), ...records(2, 1, 2)].map((record) => record.zxid),
  );
  await assert.rejects(rewritten.truncateAndAppend(makeZxid(2, 2), records(2, 4, 1)), LogGapError, 'the records must follow the truncation point');
  await rewritten.close();
});

test('resetAndAppend is one durable unit: a crash before its fsync keeps the old log, after it the new base and records', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  await log.append(records(1, 1, 4));
  disk.fsyncMode = 'manual';
  const reset = log.resetAndAppend(makeZxid(3, 7), records(3, 8, 2));
  await settle();
  disk.crash();
  await assert.rejects(reset, (error: unknown) => error instanceof StorageError && error.kind === 'crashed');
  await log.close();
  disk.fsyncMode = 'immediate';
  const kept = await MemoryTxnLog.open(disk);
  assert.equal(kept.baseZxid, 0n);
  assert.deepEqual((await collect(kept.readFrom(0n))).map((record) => record.zxid), records(1, 1, 4).map((record) => record.zxid));
  await kept.resetAndAppend(makeZxid(3, 7), records(3, 8, 2));
  assert.equal(kept.lastLoggedZxid, makeZxid(3, 9));
  await kept.close();
  const reset2 = await MemoryTxnLog.open(disk);
  assert.equal(reset2.baseZxid, makeZxid(3, 7));
  assert.deepEqual((await collect(reset2.readFrom(makeZxid(3, 7)))).map((record) => record.zxid), records(3, 8, 2).map((record) => record.zxid));
  await assert.rejects(reset2.resetAndAppend(makeZxid(4, 1), records(4, 3, 1)), LogGapError);
  await reset2.close();
});

// Goal: the LevelDB log keeps its promises on a real disk: group commit
// batches concurrent appends, records survive reopen, a flipped byte is
// caught (torn tail truncated and reported; deeper damage refused), gaps and
// newer formats are refused, reads stream in order in bounded batches.
// Method: temp dirs under os.tmpdir(); corruption through a raw classic-level
// handle on the same directory while the log is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeZxid } from '@corral/base';
import { FormatVersionError, LogCorruptionError, LogGapError, StorageError } from './errors.js';
import { writeFormat } from './level-format.js';
import { LevelTxnLog, openBufferLevel, txnLogDirName } from './level-txn-log.js';
import { encodeLogEntry, logKey, logKeyBytes } from './log-record.js';
import { collect, makeTempDir, records } from './temp-dir.test-support.js';

/** Runs `body` with a raw handle on the log's LevelDB. */
async function withRawDb(dataLogDir: string, body: (db: Awaited<ReturnType<typeof openBufferLevel>>) => Promise<void>): Promise<void> {
  const db = await openBufferLevel(join(dataLogDir, txnLogDirName));
  try {
    await body(db);
  } finally {
    await db.close();
  }
}

async function flipByte(dataLogDir: string, zxid: bigint): Promise<void> {
  await withRawDb(dataLogDir, async (db) => {
    const value = await db.get(logKey(zxid));
    assert.ok(value !== undefined);
    const flipped = Buffer.from(value);
    flipped[0] = (flipped[0] ?? 0) ^ 0x80;
    await db.put(logKey(zxid), flipped, { sync: true });
  });
}

test('group commit: N concurrent appends need far fewer than N fsyncs', async () => {
  const dir = await makeTempDir('group');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path });
    const appendCount = 2000;
    await Promise.all(records(1, 1, appendCount).map((record) => log.append([record])));
    const stats = log.stats();
    assert.equal(stats.appendedRecordCount, appendCount);
    assert.ok(stats.fsyncCount <= 10, `expected few fsyncs, got ${stats.fsyncCount}`);
    assert.ok(stats.fsyncMsSum > 0);
    assert.equal(stats.lastLoggedZxid, makeZxid(1, appendCount));
    // Sequential appenders: one fsync each.
    for (const record of records(1, appendCount + 1, 5)) await log.append([record]);
    assert.equal(log.stats().fsyncCount, stats.fsyncCount + 5);
    await log.close();
    const reopened = await LevelTxnLog.open({ dataLogDir: dir.path });
    assert.equal(reopened.lastLoggedZxid, makeZxid(1, appendCount + 5));
    assert.equal((await collect(reopened.readFrom(0n))).length, appendCount + 5);
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

test('a flipped byte in the last records is truncated as a torn tail and reported', async () => {
  const dir = await makeTempDir('torn');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path });
    await log.append(records(1, 1, 6));
    await log.close();
    await flipByte(dir.path, makeZxid(1, 5));
    await flipByte(dir.path, makeZxid(1, 6));
    const warnings: Record<string, unknown>[] = [];
    const reopened = await LevelTxnLog.open({ dataLogDir: dir.path, logger: { info: () => undefined, warn: (fields) => warnings.push(fields) } });
    assert.deepEqual(reopened.tornTail, { fromZxid: makeZxid(1, 5), toZxid: makeZxid(1, 6), recordCount: 2 });
    assert.deepEqual(warnings, [{ fromZxid: '0x100000005', toZxid: '0x100000006', recordCount: 2 }]);
    assert.equal(reopened.lastLoggedZxid, makeZxid(1, 4));
    assert.equal((await collect(reopened.readFrom(0n))).length, 4);
    await reopened.append(records(1, 5, 1));
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

test('a flipped byte before the tail is refused by readFrom, never served', async () => {
  const dir = await makeTempDir('corrupt');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path });
    await log.append(records(1, 1, 6));
    await log.close();
    await flipByte(dir.path, makeZxid(1, 3));
    const reopened = await LevelTxnLog.open({ dataLogDir: dir.path });
    assert.equal(reopened.tornTail, null);
    const served: bigint[] = [];
    await assert.rejects(
      (async () => {
        for await (const record of reopened.readFrom(0n)) served.push(record.zxid);
      })(),
      (error: unknown) => error instanceof LogCorruptionError && error.zxid === makeZxid(1, 3),
    );
    assert.ok(
      served.every((zxid) => zxid < makeZxid(1, 3)),
      'nothing at or after the corrupt record is served',
    );
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

test('a gap written behind our back is refused on read with LogGapError', async () => {
  const dir = await makeTempDir('gap');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path });
    await log.append(records(1, 1, 3));
    await log.close();
    await withRawDb(dir.path, async (db) => {
      const entry = encodeLogEntry({ zxid: makeZxid(1, 5), bytes: new Uint8Array([1]) });
      await db.put(entry.subarray(0, logKeyBytes), entry.subarray(logKeyBytes), { sync: true });
    });
    const reopened = await LevelTxnLog.open({ dataLogDir: dir.path });
    await assert.rejects(
      collect(reopened.readFrom(0n)),
      (error: unknown) => error instanceof LogGapError && error.previousZxid === makeZxid(1, 3) && error.zxid === makeZxid(1, 5),
    );
    await reopened.close();
    const lenient = await LevelTxnLog.open({ dataLogDir: dir.path, checkContiguous: false });
    assert.equal((await collect(lenient.readFrom(0n))).length, 4);
    await lenient.close();
  } finally {
    await dir.remove();
  }
});

test('a newer on-disk format version, or a foreign database, is refused', async () => {
  const dir = await makeTempDir('format');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path });
    await log.close();
    await withRawDb(dir.path, (db) => writeFormat(db, 'txn-log', 2));
    await assert.rejects(LevelTxnLog.open({ dataLogDir: dir.path }), (error: unknown) => error instanceof FormatVersionError && error.foundVersion === 2);
    await withRawDb(dir.path, (db) => writeFormat(db, 'snapshots', 1));
    await assert.rejects(LevelTxnLog.open({ dataLogDir: dir.path }), FormatVersionError);
  } finally {
    await dir.remove();
  }
});

test('readFrom streams in order in bounded batches; truncate, purge, reset persist', async () => {
  const dir = await makeTempDir('read');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path, limits: { readBatchRecordsMax: 64 } });
    await log.append(records(1, 1, 300));
    const batches = await collect(log.readBatchesFrom(makeZxid(1, 10), { batchRecordsMax: 1000 }));
    assert.ok(batches.every((batch) => batch.length <= 64));
    const zxids = batches.flat().map((record) => record.zxid);
    assert.deepEqual(
      zxids,
      records(1, 11, 290).map((record) => record.zxid),
    );
    // Breaking out early closes the iterator (close() below would hang otherwise).
    for await (const record of log.readFrom(0n)) if (record.zxid > 3n) break;
    await log.setLastCommittedZxid(makeZxid(1, 100));
    await log.truncateAfter(makeZxid(1, 200));
    assert.equal(log.lastLoggedZxid, makeZxid(1, 200));
    assert.equal(await log.purgeBefore(makeZxid(1, 50)), 49);
    await log.close();
    const reopened = await LevelTxnLog.open({ dataLogDir: dir.path });
    assert.equal(reopened.lastLoggedZxid, makeZxid(1, 200));
    assert.equal(reopened.lastCommittedZxid, makeZxid(1, 100));
    assert.equal((await collect(reopened.readFrom(0n))).length, 151);
    await reopened.resetTo(makeZxid(2, 0));
    await reopened.append(records(2, 1, 1));
    await reopened.close();
    const again = await LevelTxnLog.open({ dataLogDir: dir.path });
    assert.equal(again.baseZxid, makeZxid(2, 0));
    assert.deepEqual(
      (await collect(again.readFrom(0n))).map((record) => record.zxid),
      [makeZxid(2, 1)],
    );
    await again.close();
    await assert.rejects(again.append(records(2, 2, 1)), (error: unknown) => error instanceof StorageError && error.kind === 'closed');
  } finally {
    await dir.remove();
  }
});

test('truncateAndAppend replaces the tail in one write and survives reopen', async () => {
  const dir = await makeTempDir('rewrite');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path });
    await log.append(records(1, 1, 5));
    await log.truncateAndAppend(makeZxid(1, 3), records(2, 1, 2));
    assert.equal(log.lastLoggedZxid, makeZxid(2, 2));
    await log.append(records(2, 3, 1));
    await log.truncateAndAppend(makeZxid(2, 3), []);
    await assert.rejects(log.truncateAndAppend(makeZxid(2, 1), records(3, 2, 1)), LogGapError);
    await log.close();
    const reopened = await LevelTxnLog.open({ dataLogDir: dir.path });
    assert.deepEqual(
      (await collect(reopened.readFrom(0n))).map((record) => record.zxid),
      [...records(1, 1, 3), ...records(2, 1, 3)].map((record) => record.zxid),
    );
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

test('resetAndAppend empties the log to a base with its records in one write, and survives reopen', async () => {
  const dir = await makeTempDir('reset-append');
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir.path });
    await log.append(records(1, 1, 5));
    await log.resetAndAppend(makeZxid(3, 7), records(3, 8, 3));
    assert.equal(log.baseZxid, makeZxid(3, 7));
    assert.equal(log.lastLoggedZxid, makeZxid(3, 10));
    await log.append(records(3, 11, 1));
    await log.close();
    const reopened = await LevelTxnLog.open({ dataLogDir: dir.path });
    assert.equal(reopened.baseZxid, makeZxid(3, 7));
    assert.deepEqual((await collect(reopened.readFrom(makeZxid(3, 7)))).map((record) => record.zxid), records(3, 8, 4).map((record) => record.zxid));
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

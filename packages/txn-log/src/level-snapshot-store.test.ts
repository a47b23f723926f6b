// Goal: snapshots are committed atomically (manifest last), verified on
// open with fallback to the previous one when corrupt, purged with
// ZooKeeper's retention (min 3) together with the log they no longer need,
// and installSnapshot replaces state. Method: real LevelDB in temp dirs,
// corruption through a raw handle; dumps checked line by line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeZxid } from '@corral/base';
import { dumpLog, dumpSnapshots } from './dump.js';
import { chunkKey, LevelSnapshotStore, snapshotDirName } from './level-snapshot-store.js';
import { openBufferLevel } from './level-txn-log.js';
import { openStorage } from './open-storage.js';
import { installSnapshot, purgeSnapshotsAndLog } from './storage-ops.js';
import { collect, makeTempDir, records } from './temp-dir.test-support.js';

async function writeSnapshot(store: LevelSnapshotStore, zxid: bigint, chunks: string[]): Promise<number> {
  const writer = store.beginSnapshot(zxid);
  // A fuzzy snapshot produces chunks across event-loop turns.
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await writer.write(Buffer.from(chunk));
  }
  return (await writer.commit()).snapshotId;
}

async function readAll(store: LevelSnapshotStore): Promise<{ zxid: bigint; text: string } | null> {
  const reader = await store.openLatestValidSnapshot();
  if (reader === null) return null;
  const chunks = await collect(reader.chunks());
  return { zxid: reader.info.zxid, text: Buffer.concat(chunks).toString() };
}

test('snapshot write, commit, read; an uncommitted one does not exist', async () => {
  const dir = await makeTempDir('snap');
  try {
    const store = await LevelSnapshotStore.open({ dataDir: dir.path });
    assert.equal(await store.openLatestValidSnapshot(), null);
    await writeSnapshot(store, makeZxid(1, 10), ['ab', 'cd', 'e']);
    const pending = store.beginSnapshot(makeZxid(1, 20));
    await pending.write(Buffer.from('never committed'));
    assert.deepEqual(await readAll(store), { zxid: makeZxid(1, 10), text: 'abcde' });
    await store.close();
    const reopened = await LevelSnapshotStore.open({ dataDir: dir.path });
    assert.equal((await reopened.list()).length, 1);
    assert.deepEqual(await readAll(reopened), { zxid: makeZxid(1, 10), text: 'abcde' });
    await reopened.close();
  } finally {
    await dir.remove();
  }
});

test('a corrupt newest snapshot falls back to the previous one, logged', async () => {
  const dir = await makeTempDir('snap-corrupt');
  try {
    const store = await LevelSnapshotStore.open({ dataDir: dir.path });
    await writeSnapshot(store, makeZxid(1, 10), ['old']);
    const newest = await writeSnapshot(store, makeZxid(1, 20), ['new', 'er']);
    await store.close();
    const raw = await openBufferLevel(join(dir.path, snapshotDirName));
    const value = await raw.get(chunkKey(newest, 1));
    assert.ok(value !== undefined);
    value[0] = (value[0] ?? 0) ^ 1;
    await raw.put(chunkKey(newest, 1), value, { sync: true });
    await raw.close();
    const warnings: Record<string, unknown>[] = [];
    const reopened = await LevelSnapshotStore.open({ dataDir: dir.path, logger: { info: () => undefined, warn: (fields) => warnings.push(fields) } });
    assert.deepEqual(await readAll(reopened), { zxid: makeZxid(1, 10), text: 'old' });
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.zxid, '0x100000014');
    await reopened.close();
    const lines: string[] = [];
    await dumpSnapshots(dir.path, (line) => lines.push(line));
    assert.match(lines[1] ?? '', /zxid=0x100000014 .*checksum=BAD/);
    assert.match(lines[2] ?? '', /zxid=0x10000000a .*checksum=ok/);
  } finally {
    await dir.remove();
  }
});

test('retention keeps max(n, 3) snapshots and the log replay needs', async () => {
  const dir = await makeTempDir('purge');
  try {
    const storage = await openStorage({ dataDir: join(dir.path, 'data'), dataLogDir: join(dir.path, 'log') });
    await storage.log.append(records(1, 1, 50));
    for (const counter of [10, 20, 30, 40, 50]) await writeSnapshot(storage.snapshots as LevelSnapshotStore, makeZxid(1, counter), [`s${counter}`]);
    const result = await purgeSnapshotsAndLog(storage, 1);
    assert.deepEqual(
      result.removedSnapshots.map((info) => info.zxid),
      [makeZxid(1, 20), makeZxid(1, 10)],
    );
    assert.equal(result.removedRecordCount, 29, 'records below the oldest retained zxid (1,30) go');
    const remaining = await collect(storage.log.readFrom(makeZxid(1, 30)));
    assert.equal(remaining.length, 20, 'replay from the oldest retained snapshot still works');
    assert.equal((await storage.snapshots.list()).length, 3);
    await storage.close();
  } finally {
    await dir.remove();
  }
});

test('installSnapshot replaces state: log empty after the zxid, newer local snapshots gone', async () => {
  const dir = await makeTempDir('install');
  try {
    const storage = await openStorage({ dataDir: join(dir.path, 'data'), dataLogDir: join(dir.path, 'log') });
    await storage.log.append(records(1, 1, 30));
    await writeSnapshot(storage.snapshots as LevelSnapshotStore, makeZxid(1, 25), ['local']);
    await writeSnapshot(storage.snapshots as LevelSnapshotStore, makeZxid(2, 9), ['diverged']);
    const info = await installSnapshot(storage, makeZxid(2, 7), [Buffer.from('lead'), Buffer.from('er')]);
    assert.equal(info.installed, true);
    assert.equal(storage.log.lastLoggedZxid, makeZxid(2, 7));
    assert.deepEqual(await collect(storage.log.readFrom(0n)), []);
    await storage.log.append(records(2, 8, 1));
    await storage.close();
    const reopened = await openStorage({ dataDir: join(dir.path, 'data'), dataLogDir: join(dir.path, 'log') });
    const reader = await reopened.snapshots.openLatestValidSnapshot();
    assert.equal(reader?.info.zxid, makeZxid(2, 7));
    assert.equal(Buffer.concat(await collect(reader.chunks())).toString(), 'leader');
    assert.deepEqual(
      (await collect(reopened.log.readFrom(makeZxid(2, 7)))).map((record) => record.zxid),
      [makeZxid(2, 8)],
    );
    assert.deepEqual(
      (await reopened.snapshots.list()).map((snapshot) => snapshot.zxid),
      [makeZxid(2, 7), makeZxid(1, 25)],
      'the local snapshot newer than the installed one is gone',
    );
    await reopened.close();
    const lines: string[] = [];
    await dumpLog(join(dir.path, 'log'), (line) => lines.push(line), { describe: (bytes) => `first=${bytes[0]}` });
    assert.deepEqual(lines.slice(1), ['base 0x200000007 committed 0x200000007', '0x200000008 size=16 checksum=ok first=8', '1 records, 0 bad']);
  } finally {
    await dir.remove();
  }
});

test('chunks go down in sync batches of snapshotWriteBatchBytesMax, the last with the manifest; flushed chunks without it do not exist', async () => {
  const dir = await makeTempDir('snap-batches');
  try {
    // 8-byte chunks (12 stored with their CRC), batches of at most 30 bytes: two chunks per batch.
    const limits = { snapshotChunkBytesMax: 8, snapshotWriteBatchBytesMax: 30 };
    const store = await LevelSnapshotStore.open({ dataDir: dir.path, limits });
    const texts = ['chunk-00', 'chunk-01', 'chunk-02', 'chunk-03', 'chunk-04'];
    const writer = store.beginSnapshot(makeZxid(1, 10));
    // Not awaited one by one: a learner hands over a whole SNAP in one turn.
    const writes = texts.map((text) => writer.write(Buffer.from(text)));
    await Promise.all([...writes, writer.flush()]);
    // Every chunk is on disk now, but without its manifest the snapshot does not exist.
    assert.equal(await store.openLatestValidSnapshot(), null);
    const info = await writer.commit();
    assert.deepEqual({ chunkCount: info.chunkCount, byteCount: info.byteCount }, { chunkCount: 5, byteCount: 40 });
    assert.deepEqual(await readAll(store), { zxid: makeZxid(1, 10), text: texts.join('') });
    // A second snapshot cut short after a flush: its chunks are orphans, removed at open.
    const cut = store.beginSnapshot(makeZxid(1, 20));
    for (const text of texts) void cut.write(Buffer.from(text));
    await cut.flush();
    await store.close();
    const reopened = await LevelSnapshotStore.open({ dataDir: dir.path, limits });
    assert.deepEqual((await reopened.list()).map((each) => each.zxid), [makeZxid(1, 10)]);
    assert.deepEqual(await readAll(reopened), { zxid: makeZxid(1, 10), text: texts.join('') });
    await reopened.close();
    const rawAfter = await openBufferLevel(join(dir.path, snapshotDirName));
    const keys = await rawAfter.keys({ gte: chunkKey(0, 0), lt: Buffer.from([0x02]) }).all();
    assert.equal(keys.length, texts.length, 'only the committed snapshot\'s chunks are left');
    await rawAfter.close();
  } finally {
    await dir.remove();
  }
});

test('a failed batch fails the snapshot\'s commit', async () => {
  const dir = await makeTempDir('snap-batch-fails');
  try {
    const store = await LevelSnapshotStore.open({ dataDir: dir.path });
    const writer = store.beginSnapshot(makeZxid(1, 10));
    await writer.write(Buffer.from('held'));
    await store.close();
    await assert.rejects(writer.commit());
  } finally {
    await dir.remove();
  }
});

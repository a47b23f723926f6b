// Goal: the Driver's snapshots are written across turns while writes go on
// (no stall for the whole walk), and recovery still makes them exact: the
// snapshot plus the log replayed up to the end of its walk equals the log
// replayed from nothing up to the same zxid.
// Method: a real server with a small snapCount under many pipelined writes of
// 4 KB (so each snapshot has several chunks and writes apply between them),
// then the stored snapshots are loaded and compared with a full replay, and
// a restart serves the last values.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { DataTree, createSnapshotLoader, decodeTxn } from '@corral/data-tree';
import { openStorage, silentLogger } from '@corral/txn-log';
import { OpCode } from '@corral/wire';
import { createLogger } from '../logger.js';
import { loadExactSnapshot } from '../storage/recovery.js';
import { RawClient } from '../testing/raw-client.js';
import { startTestServer } from '../testing/test-server.js';

const open = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const nodes = 1500;
// 4 KB values: a walk of ~6 MB spans many chunks and turns, so commits land during it.
const value = (round: number, index: number): Buffer => Buffer.alloc(4096, `${round}:${index};`);

test('driver: snapshots taken during writes are fuzzy on disk and exact after recovery', async () => {
  const first = await startTestServer(cleanups, { extra: 'snapCount=800' });
  const c = await RawClient.open(first.server.port);
  cleanups.push(() => c.close());
  const creates = [];
  for (let index = 0; index < nodes; index += 1) {
    creates.push(c.request({ type: OpCode.create2, path: `/s${index}`, data: value(0, index), acl: [open], flags: 0 }));
  }
  for (const reply of await Promise.all(creates)) assert.equal(reply.header.err, ZkCode.OK);
  for (let round = 1; round <= 2; round += 1) {
    const sets = [];
    for (let index = 0; index < nodes; index += 1) sets.push(c.request({ type: OpCode.setData, path: `/s${index}`, data: value(round, index), version: -1 }));
    for (const reply of await Promise.all(sets)) assert.equal(reply.header.err, ZkCode.OK);
  }
  c.close();
  await first.server.close();

  const storage = await openStorage({ dataDir: first.dataDir, dataLogDir: first.dataDir, logger: silentLogger });
  try {
    let fuzzy = 0;
    const infos = await storage.snapshots.list();
    assert.ok(infos.length > 0, 'snapshots were taken');
    for (const info of infos) {
      const loader = createSnapshotLoader({ incrementalDigest: false });
      for await (const chunk of storage.snapshots.open(info).chunks()) loader.push(chunk);
      const tree = loader.finish();
      if (loader.walkEndZxid() > tree.lastProcessedZxid) fuzzy += 1;
    }
    assert.ok(fuzzy > 0, `writes were applied during at least one snapshot's walk (${infos.length} snapshots)`);
    const exact = await loadExactSnapshot({ log: storage.log, snapshots: storage.snapshots, logger: createLogger({ quiet: true }), decodeTxn }, 0);
    const replayed = new DataTree();
    for await (const batch of storage.log.readBatchesFrom(0n)) {
      for (const record of batch) {
        if (record.zxid > exact.lastProcessedZxid) break;
        const { header, txn } = decodeTxn(record.bytes);
        replayed.apply(header, txn);
      }
    }
    assert.equal(replayed.lastProcessedZxid, exact.lastProcessedZxid);
    assert.equal(exact.digest(), replayed.digest(), 'the snapshot made exact equals the log replayed from nothing');
  } finally {
    await storage.close();
  }

  const second = await startTestServer(cleanups, { dataDir: first.dataDir, extra: 'snapCount=800' });
  const d = await RawClient.open(second.server.port);
  cleanups.push(() => d.close());
  for (const index of [0, nodes >> 1, nodes - 1]) {
    const got = await d.request({ type: OpCode.getData, path: `/s${index}`, watch: false });
    assert.ok(got.response?.type === OpCode.getData);
    assert.deepEqual(Buffer.from(got.response.data ?? []), value(2, index));
  }
});

// Goal: the Driver's disk performs a learner's sync writes as broadcast's
// README says and recovers from them: a TRUNC and the sync's records replace
// the tail together, epochs become durable after the log, a SNAP install
// resets the log to the snapshot, log reads return the asked range, the tree
// is rebuilt below a TRUNC from a snapshot plus the log, and a restart starts
// from the newest snapshot with the durable epochs and position. Method:
// DriverDisk over a MemoryDisk (and a temp dir for the epoch files).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeZxid, type Zxid } from '@corral/base';
import type { LogRead, Ready, Txn } from '@corral/broadcast';
import { DataTree, encodeTxn, serializeSnapshot, type Txn as TreeTxn } from '@corral/data-tree';
import { MemoryDisk, MemorySnapshotStore, MemoryTxnLog } from '@corral/txn-log';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { createLogger } from '../logger.js';
import { DriverDisk } from './driver-disk.js';
import { frameSnapshotChunks } from '@corral/replica';
import { readEpochs } from './epoch-files.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

/** A create of /n<counter> at `zxid`, as a logged txn. */
function createAt(zxid: Zxid, parentCVersion: number): { txn: Txn; header: { sessionId: bigint; cxid: number; zxid: bigint; time: number; type: number }; tree: TreeTxn } {
  const header = { sessionId: 0n, cxid: 1, zxid, time: 1, type: 1 };
  const tree: TreeTxn = { type: 1, path: `/n${zxid.toString(16)}`, data: new Uint8Array(0), acl: open, ephemeral: false, parentCVersion };
  return { txn: { zxid, bytes: encodeTxn(header, tree) }, header, tree };
}

function ready(writes: Partial<Pick<Ready, 'snapshot' | 'truncate' | 'append' | 'hardState'>>): Ready {
  return {
    snapshot: null, truncate: null, append: [], hardState: null, ...writes,
    messages: [], committed: [], messagesAfterPersist: [], disconnect: [], inbound: [], logReads: [], established: false, stopped: null,
  };
}

async function opened(
  disk: MemoryDisk, dataDir: string, pendingRecordsMax = 100_000, extraConfig = 'snapshotSizeFactor=1000',
): Promise<Awaited<ReturnType<typeof DriverDisk.recover>> & { log: MemoryTxnLog; snapshots: MemorySnapshotStore }> {
  const log = await MemoryTxnLog.open(disk, { limits: { pendingRecordsMax } });
  const snapshots = await MemorySnapshotStore.open(disk);
  const config = parseZooCfg(`dataDir=${dataDir}\nserver.1=127.0.0.1:42001:43001\nserver.2=127.0.0.1:42002:43002\n${extraConfig}`, { myid: 1 });
  const recovered = await DriverDisk.recover({ config, log, snapshots, logger: createLogger({ quiet: true }) }, false);
  return { ...recovered, log, snapshots };
}

async function zxidsOf(log: MemoryTxnLog): Promise<bigint[]> {
  const zxids: bigint[] = [];
  for await (const record of log.readFrom(0n)) zxids.push(record.zxid);
  return zxids;
}

test('driver disk: TRUNC with the sync\'s records, epochs, log reads, a rebuild below the TRUNC, and a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'corral-driver-disk-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const memory = new MemoryDisk();
  const { disk, log, tree } = await opened(memory, dataDir);
  assert.equal(tree.lastProcessedZxid, 0n);
  assert.deepEqual(disk.position(), { currentEpoch: 0n, lastLoggedZxid: 0n });
  // Epoch 1: five creates; a snapshot of the tree at 1.2.
  const first = [1, 2, 3, 4, 5].map((counter) => createAt(makeZxid(1, counter), counter));
  await disk.persist(ready({ append: first.map((c) => c.txn), hardState: { acceptedEpoch: 1, currentEpoch: 1 } }));
  const live = new DataTree();
  for (const c of first.slice(0, 2)) live.apply(c.header, c.tree);
  await disk.takeSnapshot(live, () => assert.fail('no purge without autopurge'));
  assert.deepEqual(await readEpochs(dataDir), { acceptedEpoch: 1, currentEpoch: 1 });
  assert.deepEqual((await disk.initialState(makeZxid(1, 2))).log.map((txn) => txn.zxid), [makeZxid(1, 3), makeZxid(1, 4), makeZxid(1, 5)]);
  // The leader's TRUNC to 1.3, then its epoch-2 history.
  const second = [1, 2].map((counter) => createAt(makeZxid(2, counter), 3 + counter));
  await disk.persist(ready({ truncate: makeZxid(1, 3), append: second.map((c) => c.txn), hardState: { acceptedEpoch: 2, currentEpoch: 2 } }));
  assert.deepEqual(await zxidsOf(log), [makeZxid(1, 1), makeZxid(1, 2), makeZxid(1, 3), makeZxid(2, 1), makeZxid(2, 2)]);
  assert.deepEqual(disk.position(), { currentEpoch: 2n, lastLoggedZxid: makeZxid(2, 2) });
  const read = await disk.read({ sid: 2, stream: 1, fromZxid: makeZxid(1, 2), upToZxid: makeZxid(2, 1), diskLogBaseZxid: 0n, recordsMax: 3 });
  // One record more than the learner takes: none (the leader sends a SNAP).
  assert.deepEqual(await disk.read({ sid: 2, stream: 1, fromZxid: makeZxid(1, 2), upToZxid: makeZxid(2, 1), diskLogBaseZxid: 0n, recordsMax: 2 }), []);
  assert.deepEqual(read.map((txn) => txn.zxid), [makeZxid(1, 2), makeZxid(1, 3), makeZxid(2, 1)]);
  // Rebuilt at 1.3: the snapshot at 1.2 plus the log's 1.3.
  const rebuilt = await disk.rebuild(makeZxid(1, 3));
  assert.equal(rebuilt.lastProcessedZxid, makeZxid(1, 3));
  assert.ok(rebuilt.getNode('/n100000003') !== undefined);
  assert.equal(rebuilt.getNode('/n100000004'), undefined);
  // A restart: the newest snapshot is the tree, the epochs and the position are what was durable.
  const again = await opened(memory, dataDir);
  assert.equal(again.tree.lastProcessedZxid, makeZxid(1, 2));
  assert.deepEqual(again.disk.hardState, { acceptedEpoch: 2, currentEpoch: 2 });
  assert.deepEqual(again.disk.position(), { currentEpoch: 2n, lastLoggedZxid: makeZxid(2, 2) });
});

test('driver disk: a SNAP install resets the log to the snapshot, the sync\'s records follow it, and a restart loads it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'corral-driver-disk-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const memory = new MemoryDisk();
  const { disk, log } = await opened(memory, dataDir);
  await disk.persist(ready({ append: [createAt(makeZxid(1, 1), 1).txn], hardState: { acceptedEpoch: 1, currentEpoch: 1 } }));
  // The leader's tree at 3.7, as its SNAP carries it.
  const leaderTree = new DataTree();
  leaderTree.apply({ sessionId: 0n, cxid: 1, zxid: makeZxid(3, 7), time: 1, type: 1 }, createAt(makeZxid(3, 7), 1).tree);
  const bytes = frameSnapshotChunks(serializeSnapshot(leaderTree));
  const after = createAt(makeZxid(3, 8), 2);
  await disk.persist(ready({ snapshot: { zxid: makeZxid(3, 7), snapshot: bytes }, append: [after.txn], hardState: { acceptedEpoch: 3, currentEpoch: 3 } }));
  assert.equal(log.baseZxid, makeZxid(3, 7));
  assert.deepEqual(await zxidsOf(log), [makeZxid(3, 8)]);
  assert.deepEqual(disk.position(), { currentEpoch: 3n, lastLoggedZxid: makeZxid(3, 8) });
  const again = await opened(memory, dataDir);
  assert.equal(again.tree.lastProcessedZxid, makeZxid(3, 7));
  assert.ok(again.tree.getNode('/n300000007') !== undefined);
  assert.deepEqual((await again.disk.initialState(makeZxid(3, 7))).log.map((txn) => txn.zxid), [makeZxid(3, 8)]);
});

test('driver disk: a SNAP install cut short before its log write is rolled back at the next start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'corral-driver-disk-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const memory = new MemoryDisk();
  const { disk, snapshots } = await opened(memory, dataDir);
  const own = [1, 2, 3].map((counter) => createAt(makeZxid(1, counter), counter));
  await disk.persist(ready({ append: own.map((c) => c.txn), hardState: { acceptedEpoch: 1, currentEpoch: 1 } }));
  // What a crash right after the snapshot commit leaves: the leader's snapshot, marked installed, and the old log.
  const leaderTree = new DataTree();
  leaderTree.apply({ sessionId: 0n, cxid: 1, zxid: makeZxid(3, 7), time: 1, type: 1 }, createAt(makeZxid(3, 7), 1).tree);
  const writer = snapshots.beginSnapshot(makeZxid(3, 7), { installed: true });
  for (const chunk of serializeSnapshot(leaderTree)) await writer.write(chunk);
  await writer.commit();
  const again = await opened(memory, dataDir);
  assert.deepEqual(await again.snapshots.list(), [], 'the interrupted install is gone');
  assert.equal(again.tree.lastProcessedZxid, 0n);
  assert.deepEqual(await zxidsOf(again.log), own.map((c) => c.txn.zxid), 'the old log stands');
  assert.deepEqual(again.disk.position(), { currentEpoch: 1n, lastLoggedZxid: makeZxid(1, 3) });
});

test('driver disk: a sync longer than the log\'s pending-records limit is appended in chunks, then its epochs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'corral-driver-disk-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // A log that takes at most 10,000 records at once: a follower far behind gets 25,000 in one DIFF.
  const { disk, log } = await opened(new MemoryDisk(), dataDir, 10_000);
  const records = Array.from({ length: 25_000 }, (_, index) => ({ zxid: makeZxid(1, index + 1), bytes: new Uint8Array([1]) }));
  await disk.persist(ready({ append: records, hardState: { acceptedEpoch: 1, currentEpoch: 1 } }));
  assert.equal(log.lastLoggedZxid, makeZxid(1, 25_000));
  assert.deepEqual(disk.hardState, { acceptedEpoch: 1, currentEpoch: 1 });
});

test('driver disk: a log read larger than snapshotSizeFactor times the newest snapshot returns nothing (the leader SNAPs)', async () => {
  const records = [1, 2, 3, 4].map((counter) => createAt(makeZxid(1, counter), counter));
  const range: LogRead = { sid: 2, stream: 1, fromZxid: makeZxid(1, 1), upToZxid: makeZxid(1, 4), diskLogBaseZxid: 0n, recordsMax: 1000 };
  /** The read with a snapshot of the tree at 1.1 on disk, under `factor`. */
  async function readUnder(factor: string): Promise<{ read: bigint[]; snapshotBytes: number; logBytes: number }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'corral-driver-disk-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const { disk, snapshots } = await opened(new MemoryDisk(), dataDir, 100_000, `snapshotSizeFactor=${factor}`);
    await disk.persist(ready({ append: records.map((c) => c.txn), hardState: { acceptedEpoch: 1, currentEpoch: 1 } }));
    const live = new DataTree();
    live.apply(records[0]!.header, records[0]!.tree);
    await disk.takeSnapshot(live, () => assert.fail('no purge without autopurge'));
    const snapshotBytes = (await snapshots.list())[0]?.byteCount ?? 0;
    const logBytes = records.reduce((sum, c) => sum + c.txn.bytes.byteLength, 0);
    return { read: (await disk.read(range)).map((txn) => txn.zxid), snapshotBytes, logBytes };
  }
  const all = records.map((c) => c.txn.zxid);
  const roomy = await readUnder('1000');
  assert.deepEqual(roomy.read, all);
  assert.ok(roomy.snapshotBytes > 0);
  // A factor whose limit is one byte short of the four records: nothing.
  const short = ((roomy.logBytes - 1) / roomy.snapshotBytes).toFixed(6);
  assert.deepEqual((await readUnder(short)).read, []);
  // Exactly enough (rounded up): all four.
  const enough = (Math.ceil((roomy.logBytes / roomy.snapshotBytes) * 1e6) / 1e6).toFixed(6);
  assert.deepEqual((await readUnder(enough)).read, all);
  // Negative: never from disk.
  assert.deepEqual((await readUnder('-1')).read, []);
});

test('driver disk: a log range this process wrote and knows to be over the DIFF limit is a SNAP without reading it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'corral-driver-disk-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const { disk, log } = await opened(new MemoryDisk(), dataDir, 100_000, 'snapshotSizeFactor=1');
  const records = Array.from({ length: 40 }, (_, index) => createAt(makeZxid(1, index + 1), index + 1));
  // Four writes of ten records, the way a leader's group commits reach the disk.
  for (let write = 0; write < 4; write++) {
    await disk.persist(ready({ append: records.slice(write * 10, write * 10 + 10).map((c) => c.txn), hardState: write === 0 ? { acceptedEpoch: 1, currentEpoch: 1 } : null }));
  }
  const live = new DataTree();
  live.apply(records[0]!.header, records[0]!.tree);
  await disk.takeSnapshot(live, () => assert.fail('no purge without autopurge'));
  let reads = 0;
  const readBatchesFrom = log.readBatchesFrom.bind(log);
  log.readBatchesFrom = (zxid, options) => {
    reads += 1;
    return readBatchesFrom(zxid, options);
  };
  const range = (from: number, upTo: number): LogRead => ({ sid: 2, stream: 1, fromZxid: makeZxid(1, from), upToZxid: makeZxid(1, upTo), diskLogBaseZxid: 0n, recordsMax: 1000 });
  // Forty creates are several times the one-node snapshot: known without a read.
  assert.deepEqual(await disk.read(range(1, 40)), []);
  assert.equal(reads, 0);
  // Two records are below the limit: read.
  assert.deepEqual((await disk.read(range(39, 40))).map((txn) => txn.zxid), [makeZxid(1, 39), makeZxid(1, 40)]);
  assert.equal(reads, 1);
});

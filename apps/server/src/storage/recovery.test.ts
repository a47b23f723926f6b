// Goal: recovery rebuilds the tree from the newest snapshot that loads plus
// the log after it; a corrupt newest snapshot falls back to the previous
// one (and says so) without losing a txn; a hole between the snapshot and
// the log, or a logged txn that does not apply, stops start-up with one
// RecoveryError that says what to do. Runs on the simulated disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTree, decodeTxn, encodeTxn, serializeSnapshot, type Txn } from '@corral/data-tree';
import { MemoryDisk, MemorySnapshotStore, MemoryTxnLog } from '@corral/txn-log';
import type { Logger } from '../logger.js';
import { RecoveryError, recoverTree } from './recovery.js';

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

test('a corrupt newest snapshot falls back to the previous one plus a longer replay', async () => {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  const snapshots = await MemorySnapshotStore.open(disk);
  const live = new DataTree();
  const snapshotIds: number[] = [];
  for (let index = 1; index <= 30; index += 1) {
    const zxid = BigInt(index);
    const txn: Txn = { type: 1, path: `/n${index}`, data: Buffer.from(`v${index}`), acl: open, ephemeral: false, parentCVersion: index };
    const header = { sessionId: 0n, cxid: index, zxid, time: 1000 + index, type: 1 };
    live.apply(header, txn);
    await log.append([{ zxid, bytes: encodeTxn(header, txn) }]);
    if (index === 10 || index === 20) {
      const writer = snapshots.beginSnapshot(zxid);
      for (const chunk of serializeSnapshot(live)) await writer.write(chunk);
      snapshotIds.push((await writer.commit()).snapshotId);
    }
  }
  const newest = snapshotIds[1];
  assert.ok(newest !== undefined);
  disk.corruptSnapshotChunk(newest, 0);
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger: Logger = {
    info: (_fields, message) => infos.push(message),
    warn: (_fields, message) => warnings.push(message),
    error: () => undefined,
  };
  const recovered = await recoverTree({ log, snapshots, logger, decodeTxn });
  assert.deepEqual(warnings, ['snapshot is corrupt; falling back to the previous one']);
  assert.ok(infos.includes('snapshot loaded'));
  assert.equal(recovered.lastProcessedZxid, 30n);
  assert.equal(recovered.digest(), live.digest());
  await log.close();
  await snapshots.close();
});

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Logs creates /n1…/n<count> (zxid = index) and snapshots the live tree at each zxid in `snapshotAt`. */
async function writeHistory(disk: MemoryDisk, count: number, snapshotAt: readonly number[]): Promise<DataTree> {
  const log = await MemoryTxnLog.open(disk);
  const snapshots = await MemorySnapshotStore.open(disk);
  const live = new DataTree();
  for (let index = 1; index <= count; index += 1) {
    const txn: Txn = { type: 1, path: `/n${index}`, data: Buffer.from(`v${index}`), acl: open, ephemeral: false, parentCVersion: index };
    const header = { sessionId: 0n, cxid: index, zxid: BigInt(index), time: 1000 + index, type: 1 };
    live.apply(header, txn);
    await log.append([{ zxid: BigInt(index), bytes: encodeTxn(header, txn) }]);
    if (snapshotAt.includes(index)) {
      const writer = snapshots.beginSnapshot(BigInt(index));
      for (const chunk of serializeSnapshot(live)) await writer.write(chunk);
      await writer.commit();
    }
  }
  await log.close();
  await snapshots.close();
  return live;
}

async function recoverFrom(disk: MemoryDisk): Promise<DataTree> {
  const log = await MemoryTxnLog.open(disk);
  const snapshots = await MemorySnapshotStore.open(disk);
  try {
    return await recoverTree({ log, snapshots, logger: quietLogger, decodeTxn, dataDir: '/var/lib/corral', dataLogDir: '/var/log/corral' });
  } finally {
    await log.close();
    await snapshots.close();
  }
}

test('a purged log whose snapshots are all corrupt is refused, not served with a hole', async () => {
  const disk = new MemoryDisk();
  await writeHistory(disk, 60, [20, 42]);
  {
    const log = await MemoryTxnLog.open(disk);
    assert.equal(await log.purgeBefore(42n), 41);
    await log.close();
  }
  const snapshots = await MemorySnapshotStore.open(disk);
  for (const info of await snapshots.list()) disk.corruptSnapshotChunk(info.snapshotId, 0);
  await snapshots.close();
  await assert.rejects(recoverFrom(disk), (error: unknown) => {
    assert.ok(error instanceof RecoveryError);
    assert.equal(error.kind, 'history-gap');
    assert.equal(error.zxid, 42n);
    assert.match(error.message, /no usable snapshot.*0x2a/);
    assert.match(error.message, /corral snapshot restore --data-dir \/var\/lib\/corral --data-log-dir \/var\/log\/corral/);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
  // Nothing was deleted by the refusal: the log still holds 42…60.
  const log = await MemoryTxnLog.open(disk);
  const kept: bigint[] = [];
  for await (const record of log.readFrom(0n)) kept.push(record.zxid);
  await log.close();
  assert.deepEqual(kept, Array.from({ length: 19 }, (_, index) => BigInt(42 + index)));
});

test('falling back to an older snapshot than the purge point is refused', async () => {
  const disk = new MemoryDisk();
  await writeHistory(disk, 60, [20, 42]);
  {
    const log = await MemoryTxnLog.open(disk);
    await log.purgeBefore(42n);
    await log.close();
  }
  const snapshots = await MemorySnapshotStore.open(disk);
  const newest = (await snapshots.list())[0];
  assert.ok(newest !== undefined && newest.zxid === 42n);
  disk.corruptSnapshotChunk(newest.snapshotId, 0);
  await snapshots.close();
  await assert.rejects(recoverFrom(disk), (error: unknown) => error instanceof RecoveryError && error.kind === 'history-gap' && /ends at zxid 0x14.*0x2a/.test(error.message));
});

test('a purged log with its snapshot intact, or a whole log without one, recovers', async () => {
  const purged = new MemoryDisk();
  const live = await writeHistory(purged, 60, [20, 42]);
  {
    const log = await MemoryTxnLog.open(purged);
    await log.purgeBefore(42n);
    await log.close();
  }
  assert.equal((await recoverFrom(purged)).digest(), live.digest());
  const whole = new MemoryDisk();
  const wholeLive = await writeHistory(whole, 30, []);
  assert.equal((await recoverFrom(whole)).digest(), wholeLive.digest());
});

test('a logged txn that apply rejects stops start-up once, naming its zxid and `corral log dump`', async () => {
  const disk = new MemoryDisk();
  await writeHistory(disk, 5, []);
  const log = await MemoryTxnLog.open(disk);
  // Written by hand: a createTTL whose TTL prep would never let through.
  const header = { sessionId: 0n, cxid: 6, zxid: 6n, time: 1006, type: 21 };
  const txn: Txn = { type: 21, path: '/ttl', data: new Uint8Array(0), acl: open, parentCVersion: 6, ttl: -9n };
  await log.append([{ zxid: 6n, bytes: encodeTxn(header, txn) }, { zxid: 7n, bytes: new Uint8Array([9, 9, 9]) }]);
  await log.close();
  await assert.rejects(recoverFrom(disk), (error: unknown) => {
    assert.ok(error instanceof RecoveryError);
    assert.equal(error.kind, 'unappliable-txn');
    assert.equal(error.zxid, 6n);
    assert.match(error.message, /zxid 0x6 cannot be applied .*TTL out of range.*corral log dump \/var\/log\/corral/);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
});

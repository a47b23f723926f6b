// Goal: recovery rebuilds the tree from the newest snapshot that loads plus
// the log after it; a corrupt newest snapshot falls back to the previous
// one (and says so) without losing a txn. Runs on the simulated disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTree, decodeTxn, encodeTxn, serializeSnapshot, type Txn } from '@corral/data-tree';
import { MemoryDisk, MemorySnapshotStore, MemoryTxnLog } from '@corral/txn-log';
import type { Logger } from '../logger.js';
import { recoverTree } from './recovery.js';

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

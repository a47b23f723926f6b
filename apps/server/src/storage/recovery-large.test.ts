// Goal: recovery of a large tree (1,000,000 znodes of 100 bytes): a fuzzy
// snapshot taken part way plus the log after it rebuilds exactly the tree
// that was written (same node count, same digest), and logs its progress.
// The log is written directly through the storage API (group-committed
// batches), so the test measures recovery, not the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataTree, decodeTxn, encodeTxn, serializeSnapshot, type Txn, type TxnHeader } from '@corral/data-tree';
import { openStorage, silentLogger } from '@corral/txn-log';
import type { Logger } from '../logger.js';
import { recoverTree } from './recovery.js';

const znodeCount = Number(process.env.CORRAL_RECOVERY_ZNODES ?? 1_000_000);
const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

test(`recovery of ${znodeCount} znodes: snapshot + log tail equals what was written`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-recovery-'));
  const data = new Uint8Array(100).fill(0x62);
  try {
    const storage = await openStorage({ dataDir: dir, dataLogDir: dir, logger: silentLogger });
    const live = new DataTree();
    let zxid = 0n;
    const next = (txn: Txn, cversion: number): { header: TxnHeader; txn: Txn } => {
      zxid += 1n;
      return { header: { sessionId: 0n, cxid: 0, zxid, time: 1_700_000_000_000, type: txn.type }, txn: { ...txn, parentCVersion: cversion } as Txn };
    };
    const parents = 100;
    const batch: { zxid: bigint; bytes: Uint8Array }[] = [];
    const flush = async () => {
      if (batch.length > 0) await storage.log.append(batch.splice(0));
    };
    for (let p = 0; p < parents; p += 1) {
      const { header, txn } = next({ type: 1, path: `/p${p}`, data, acl: open, ephemeral: false, parentCVersion: 0 }, p + 1);
      live.apply(header, txn);
      batch.push({ zxid: header.zxid, bytes: encodeTxn(header, txn) });
    }
    let snapshotAt = -1;
    for (let index = 0; index < znodeCount - parents; index += 1) {
      const parent = index % parents;
      const { header, txn } = next({ type: 1, path: `/p${parent}/n${index}`, data, acl: open, ephemeral: false, parentCVersion: 0 }, Math.floor(index / parents) + 1);
      live.apply(header, txn);
      batch.push({ zxid: header.zxid, bytes: encodeTxn(header, txn) });
      if (batch.length >= 10_000) await flush();
      if (snapshotAt < 0 && index === Math.floor(znodeCount * 0.7)) {
        await flush();
        snapshotAt = index;
        // A fuzzy snapshot: more txns are applied between its chunks.
        const writer = storage.snapshots.beginSnapshot(live.lastProcessedZxid);
        for (const chunk of serializeSnapshot(live)) await writer.write(chunk);
        await writer.commit();
      }
    }
    await flush();
    await storage.close();

    const messages: string[] = [];
    const logger: Logger = { info: (_fields, message) => messages.push(message), warn: () => undefined, error: () => undefined };
    const reopened = await openStorage({ dataDir: dir, dataLogDir: dir, logger: silentLogger });
    try {
      const started = performance.now();
      const recovered = await recoverTree({ log: reopened.log, snapshots: reopened.snapshots, logger, decodeTxn });
      console.log(`recovered ${recovered.nodeCount} znodes in ${Math.round(performance.now() - started)} ms; heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} MiB`);
      assert.equal(recovered.nodeCount, live.nodeCount);
      assert.equal(recovered.lastProcessedZxid, live.lastProcessedZxid);
      assert.equal(recovered.digest(), live.digest());
      assert.ok(messages.includes('snapshot loaded'));
      assert.ok(messages.includes('recovered'));
      if (znodeCount - snapshotAt > 200_000) assert.ok(messages.includes('replaying the log'));
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

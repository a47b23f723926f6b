// Goal: a backup exported from a stopped server's storage restores into
// empty dirs to exactly the same tree (digest), refuses to overwrite data
// without --force, and a damaged or foreign file is refused with a clear
// BackupError before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTxn, encodeTxn } from '@corral/data-tree';
import type { DataTree } from '@corral/data-tree';
import { openStorage, silentLogger } from '@corral/txn-log';
import { createLogger } from '../logger.js';
import { BackupError, exportBackup, readBackup, restoreBackup } from './backup.js';
import { recoverTree } from './recovery.js';

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

async function recovered(dataDir: string): Promise<DataTree> {
  const storage = await openStorage({ dataDir, dataLogDir: dataDir, logger: silentLogger });
  try {
    return await recoverTree({ log: storage.log, snapshots: storage.snapshots, logger: createLogger({ quiet: true }), decodeTxn });
  } finally {
    await storage.close();
  }
}

async function treeDigest(dataDir: string): Promise<bigint> {
  return (await recovered(dataDir)).digest();
}

test('export then restore gives the same tree; damaged files are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-backup-'));
  try {
    const source = join(dir, 'source');
    const storage = await openStorage({ dataDir: source, dataLogDir: source, logger: silentLogger });
    const records = Array.from({ length: 50 }, (_, index) => {
      const zxid = BigInt(index + 1);
      return {
        zxid,
        bytes: encodeTxn({ sessionId: 0n, cxid: index, zxid, time: 1000 + index, type: 1 },
          { type: 1, path: `/n${index}`, data: Buffer.from(`v${index}`), acl: open, ephemeral: false, parentCVersion: index + 1 }),
      };
    });
    await storage.log.append(records);
    await storage.close();
    const file = join(dir, 'backup.bin');
    const zxid = await exportBackup({ dataDir: source, dataLogDir: source, file, logger: createLogger({ quiet: true }) });
    assert.equal(zxid, 50n);
    const target = join(dir, 'target');
    assert.equal(await restoreBackup({ dataDir: target, dataLogDir: target, file, force: false }), 50n);
    assert.equal(await treeDigest(target), await treeDigest(source));
    await assert.rejects(restoreBackup({ dataDir: target, dataLogDir: target, file, force: false }), BackupError);
    assert.equal(await restoreBackup({ dataDir: target, dataLogDir: target, file, force: true }), 50n);

    const bytes = readFileSync(file);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'flipped.bin'), flipped);
    await assert.rejects(readBackup(join(dir, 'flipped.bin')), BackupError);
    writeFileSync(join(dir, 'short.bin'), bytes.subarray(0, bytes.length - 9));
    await assert.rejects(readBackup(join(dir, 'short.bin')), BackupError);
    writeFileSync(join(dir, 'foreign.bin'), Buffer.from('not a backup at all'));
    await assert.rejects(readBackup(join(dir, 'foreign.bin')), BackupError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('null data stays null and empty stays empty through export and restore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-backup-null-'));
  try {
    const source = join(dir, 'source');
    const storage = await openStorage({ dataDir: source, dataLogDir: source, logger: silentLogger });
    const create = (path: string, data: Uint8Array | null) => ({ type: 1 as const, path, data, acl: open, ephemeral: false, parentCVersion: -1 });
    const txns = [create('/null', null), create('/empty', new Uint8Array(0)), create('/set', Buffer.from('x')), { type: 5 as const, path: '/set', data: null, version: 1 }];
    await storage.log.append(txns.map((txn, index) => {
      const zxid = BigInt(index + 1);
      return { zxid, bytes: encodeTxn({ sessionId: 0n, cxid: index, zxid, time: 1000, type: txn.type }, txn) };
    }));
    await storage.close();
    const file = join(dir, 'backup.bin');
    await exportBackup({ dataDir: source, dataLogDir: source, file, logger: createLogger({ quiet: true }) });
    const target = join(dir, 'target');
    await restoreBackup({ dataDir: target, dataLogDir: target, file, force: false });
    const tree = await recovered(target);
    assert.equal(tree.getNode('/null')?.data, null);
    assert.deepEqual(tree.getNode('/empty')?.data, new Uint8Array(0));
    assert.equal(tree.getNode('/set')?.data, null);
    assert.equal(tree.digest(), await treeDigest(source));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

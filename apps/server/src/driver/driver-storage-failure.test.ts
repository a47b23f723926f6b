// Goal: every durable write the Driver makes is handled as a log write is
// (issue 9, "a server whose disk fails stops without acknowledging"): a
// snapshot the disk refuses is fatal and nothing is acknowledged after it,
// as ZooKeeperServer.takeSnapshot exits on an IOException; a snapshot walk
// given up because the tree was replaced is not a failure; an epoch file that
// cannot be written rejects the Ready's write (the Driver's fatal) and the
// durable epochs stay as they were. Method: a Driver over a MemoryDisk with a
// held fsync made to fail; DriverDisk.persist into a data dir where the epoch
// file's temp name is taken by a directory (a real EISDIR, which root cannot
// override as it can file modes).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ready } from '@corral/broadcast';
import { MemoryDisk, MemorySnapshotStore, MemoryTxnLog } from '@corral/txn-log';
import { OpCode } from '@corral/wire';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { createLogger } from '../logger.js';
import { RecordingTransport, connected, startMemoryDriver, turns } from '../testing/memory-driver.js';
import { until } from '../testing/test-ensemble.js';
import { DriverDisk } from './driver-disk.js';
import { readEpochs } from './epoch-files.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const create = (path: string) => ({ type: OpCode.create, path, data: Buffer.from(path), acl: open, flags: 0 }) as const;

test('driver: a snapshot the disk refuses stops the server, and nothing is acknowledged after it', async () => {
  // snapCount=2: a snapshot starts after every applied txn.
  const { driver, disk, fatal } = await startMemoryDriver(cleanups, { extra: 'snapCount=2' });
  const transport = new RecordingTransport();
  const session = await connected(driver, transport);
  disk.fsyncMode = 'manual';
  driver.submit(session, 1, OpCode.create, create('/a'));
  await until('the append waits for its fsync', () => disk.pendingFsyncCount === 1);
  disk.completeFsyncs();
  await until('the reply to the stored create', () => transport.replies.length === 1);
  // The snapshot of the tree with /a is walked and waits for its commit's fsync, which fails.
  await until('the snapshot waits for its fsync', () => disk.pendingFsyncCount === 1);
  disk.failNextFsync('disk-full');
  disk.completeFsyncs();
  await until('the Driver reported the failure', () => fatal.length === 1);
  disk.fsyncMode = 'immediate';
  driver.submit(session, 2, OpCode.create, create('/b'));
  await turns(20);
  assert.deepEqual(transport.replies.map((reply) => reply.header.xid), [1], 'nothing answered after the failed snapshot');
  assert.equal(driver.tree.getNode('/b'), undefined);
});

function epochsReady(acceptedEpoch: number, currentEpoch: number): Ready {
  return {
    snapshot: null, truncate: null, append: [], hardState: { acceptedEpoch, currentEpoch },
    messages: [], committed: [], messagesAfterPersist: [], disconnect: [], inbound: [], logReads: [], established: false, stopped: null,
  };
}

test('driver disk: an epoch file that cannot be written rejects the write and leaves the durable epochs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'corral-epoch-failure-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const memory = new MemoryDisk();
  const log = await MemoryTxnLog.open(memory);
  const snapshots = await MemorySnapshotStore.open(memory);
  const config = parseZooCfg(`dataDir=${dataDir}\nserver.1=127.0.0.1:42001:43001\nserver.2=127.0.0.1:42002:43002\n`, { myid: 1 });
  const { disk } = await DriverDisk.recover({ config, log, snapshots, logger: createLogger({ quiet: true }) }, false);
  await disk.persist(epochsReady(1, 1));
  assert.deepEqual(await readEpochs(dataDir), { acceptedEpoch: 1, currentEpoch: 1 });
  // currentEpoch's temp file cannot be opened for writing: acceptedEpoch is raised, currentEpoch is not.
  mkdirSync(join(dataDir, 'currentEpoch.tmp'));
  await assert.rejects(disk.persist(epochsReady(2, 2)), (error: unknown) => (error as { code?: string }).code === 'EISDIR');
  assert.deepEqual(disk.hardState, { acceptedEpoch: 1, currentEpoch: 1 }, 'the epochs in memory are the durable ones');
  assert.deepEqual(await readEpochs(dataDir), { acceptedEpoch: 2, currentEpoch: 1 }, 'ZooKeeper\'s order: acceptedEpoch first');
});

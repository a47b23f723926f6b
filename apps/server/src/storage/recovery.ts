/**
 * Start-up recovery: the newest valid snapshot, then every logged txn after
 * it replayed in order (replay mode: the snapshot is fuzzy, so txns it
 * already reflects apply idempotently). Progress is logged.
 */
import { CorruptDataError, DataTree, createSnapshotLoader, type Txn, type TxnHeader } from '@corral/data-tree';
import { LogCorruptionError, type SnapshotStore, type TxnLogStore } from '@corral/txn-log';
import type { Logger } from '../logger.js';

/** How often a long replay reports progress. */
export const replayProgressEvery = 100_000;

/** Rebuilds the tree from the newest valid snapshot plus the log after it. */
export async function recoverTree(options: {
  log: TxnLogStore;
  snapshots: SnapshotStore;
  logger: Logger;
  decodeTxn: (bytes: Uint8Array) => { header: TxnHeader; txn: Txn };
}): Promise<DataTree> {
  const { log, snapshots, logger } = options;
  const startedAt = performance.now();
  // The server keeps no incremental digest: it would cost a hash of two
  // nodes per write, and nothing on the request path reads it.
  // The server keeps no incremental digest: it would cost a hash of two
  // nodes per write, and nothing on the request path reads it.
  let tree = new DataTree({ incrementalDigest: false });
  for (const info of await snapshots.list()) {
    // One pass: chunks are checked as they stream and applied at once, so a
    // large snapshot is read once and never held whole in memory. A bad one
    // (storage checksum or tree format) falls back to the previous snapshot.
    try {
      const loader = createSnapshotLoader({ incrementalDigest: false });
      for await (const chunk of snapshots.open(info).chunks()) loader.push(chunk);
      tree = loader.finish();
      logger.info({ zxid: info.zxid, nodes: tree.nodeCount, ms: Math.round(performance.now() - startedAt) }, 'snapshot loaded');
      break;
    } catch (error) {
      if (!(error instanceof LogCorruptionError) && !(error instanceof CorruptDataError)) throw error;
      logger.warn({ zxid: info.zxid, error }, 'snapshot is corrupt; falling back to the previous one');
    }
  }
  if (log.tornTail !== null) {
    logger.warn({ from: log.tornTail.fromZxid, to: log.tornTail.toZxid, records: log.tornTail.recordCount }, 'truncated a torn log tail');
  }
  const replayFrom = tree.lastProcessedZxid;
  let replayed = 0;
  for await (const batch of log.readBatchesFrom(replayFrom)) {
    for (const record of batch) {
      const { header, txn } = options.decodeTxn(record.bytes);
      tree.apply(header, txn, { replay: true });
      replayed += 1;
      if (replayed % replayProgressEvery === 0) {
        logger.info({ replayed, zxid: header.zxid, ms: Math.round(performance.now() - startedAt) }, 'replaying the log');
      }
    }
  }
  logger.info({ replayed, nodes: tree.nodeCount, zxid: tree.lastProcessedZxid, ms: Math.round(performance.now() - startedAt) }, 'recovered');
  return tree;
}

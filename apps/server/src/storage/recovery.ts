/**
 * Start-up recovery: the newest valid snapshot, then every logged txn after
 * it replayed in order (replay mode: the snapshot is fuzzy, so txns it
 * already reflects apply idempotently). Progress is logged.
 */
import { DataTree, createSnapshotLoader, type Txn, type TxnHeader } from '@corral/data-tree';
import type { SnapshotStore, TxnLogStore } from '@corral/txn-log';
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
  let tree = new DataTree({ incrementalDigest: false });
  const reader = await snapshots.openLatestValidSnapshot();
  if (reader !== null) {
    // Streamed: each chunk is garbage once applied, so a 1M-node snapshot never sits in memory whole.
    const loader = createSnapshotLoader({ incrementalDigest: false });
    for await (const chunk of reader.chunks()) loader.push(chunk);
    tree = loader.finish();
    logger.info({ zxid: reader.info.zxid, nodes: tree.nodeCount, ms: Math.round(performance.now() - startedAt) }, 'snapshot loaded');
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

/**
 * Periodic fuzzy snapshots (ZooKeeper's SyncRequestProcessor snapCount
 * logic): after a randomised number of txns in [snapCount/2, snapCount) the
 * tree is serialised in chunks across event-loop turns while requests keep
 * being applied. The snapshot records the zxid applied when it began; the
 * txns applied during serialisation are in the log after that zxid and
 * replay idempotently over it. Old snapshots and the log before the oldest
 * retained one are purged.
 */
import { randomInt } from 'node:crypto';
import { serializeSnapshot, type DataTree } from '@corral/data-tree';
import type { SnapshotStore, TxnLogStore } from '@corral/txn-log';
import type { Logger } from '../logger.js';

/** Decides when to snapshot and writes snapshots. */
export class Snapshotter {
  private readonly tree: DataTree;
  private readonly snapshots: SnapshotStore;
  private readonly log: TxnLogStore;
  private readonly snapCount: number;
  private readonly snapRetainCount: number;
  /** ZooKeeper purges only when autopurge.purgeInterval > 0; so do we. */
  private readonly purgeEnabled: boolean;
  private readonly logger: Logger;
  private txnsSinceSnapshot = 0;
  private threshold: number;
  private running: Promise<void> | null = null;
  private closed = false;
  lastSnapshotBytes = 0;

  constructor(options: {
    tree: DataTree; snapshots: SnapshotStore; log: TxnLogStore; snapCount: number; snapRetainCount: number; purgeEnabled: boolean; logger: Logger;
  }) {
    this.tree = options.tree;
    this.snapshots = options.snapshots;
    this.log = options.log;
    this.snapCount = options.snapCount;
    this.snapRetainCount = options.snapRetainCount;
    this.purgeEnabled = options.purgeEnabled;
    this.logger = options.logger;
    this.threshold = this.nextThreshold();
  }

  /** Randomised per server so an ensemble does not snapshot all at once. */
  private nextThreshold(): number {
    const half = Math.max(1, Math.floor(this.snapCount / 2));
    return half + randomInt(half);
  }

  onApplied(_zxid: bigint): void {
    this.txnsSinceSnapshot += 1;
    if (this.txnsSinceSnapshot < this.threshold || this.running !== null || this.closed) return;
    this.txnsSinceSnapshot = 0;
    this.threshold = this.nextThreshold();
    this.running = this.takeSnapshot()
      .catch((error: unknown) => this.logger.error({ error }, 'snapshot failed; will retry after the next snapCount txns'))
      .finally(() => {
        this.running = null;
      });
  }

  /** Writes one snapshot now (also used at shutdown and by tests). */
  async takeSnapshot(): Promise<void> {
    const zxid = this.tree.lastProcessedZxid;
    const startedAt = performance.now();
    const writer = this.snapshots.beginSnapshot(zxid);
    try {
      for (const chunk of serializeSnapshot(this.tree)) {
        await writer.write(chunk);
      }
      const info = await writer.commit();
      this.lastSnapshotBytes = info.byteCount;
      this.logger.info({ zxid, bytes: info.byteCount, ms: Math.round(performance.now() - startedAt) }, 'snapshot written');
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
    if (!this.purgeEnabled) return;
    const purged = await this.snapshots.purge(this.snapRetainCount);
    if (purged.oldestRetainedZxid !== null) await this.log.purgeBefore(purged.oldestRetainedZxid);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }
}

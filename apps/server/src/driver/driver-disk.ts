/**
 * The Driver's disk (STYLE §3; packages/replica README "How the Driver
 * drives it"): recovery at start-up, the ONE durable write of a broadcast
 * Ready (snapshot install or truncate, then the appended records — txn-log's
 * group commit — then the epochs), log reads for a leader's DIFF from disk,
 * the tree rebuilt below a TRUNC, and exact snapshots with purges. Nothing
 * here decides when to acknowledge: the Driver sends `messagesAfterPersist`
 * only once `persist` resolved.
 *
 * A rewrite is never durable alone (packages/broadcast README, Ready step
 * 1, seed 100137): a TRUNC and the sync's records are one LevelDB batch
 * (`truncateAndAppend`); a SNAP is committed as an `installed` snapshot and
 * then the log is emptied to it with the sync's records in one batch
 * (`resetAndAppend`) — an install interrupted between the two is rolled back
 * at the next start (storage is opened without txn-log's own completion).
 */
import { assert, zxidEpoch, zxidToHex, type Zxid } from '@corral/base';
import type { HardState, InitialState, LogRead, Ready, Txn } from '@corral/broadcast';
import { createSnapshotLoader, decodeTxn, serializeSnapshot, type DataTree } from '@corral/data-tree';
import type { SnapshotStore, SnapshotWriter, TxnLogStore } from '@corral/txn-log';
import { snapshotChunksOf } from '@corral/replica';
import type { ServerConfig } from '../config/server-config.js';
import type { Logger } from '../logger.js';
import { loadExactSnapshot, recoverTree } from '../storage/recovery.js';
import { readEpochs, writeEpochs } from './epoch-files.js';
import { LogSizeMarks } from './log-size-marks.js';
import { serverTreeOptions } from '../storage/server-tree.js';
import { takeSnapshotStaging, type SnapshotStaging } from '../peer/snapshot-preload.js';

/** What the disk needs. */
export interface DriverDiskOptions {
  readonly config: ServerConfig;
  readonly log: TxnLogStore;
  readonly snapshots: SnapshotStore;
  readonly logger: Logger;
}

/** What start-up recovered. */
export interface Recovered {
  readonly disk: DriverDisk;
  /** The newest snapshot's tree: a committed point (never the log replayed over it, except a migration). */
  readonly tree: DataTree;
  /** A data dir of the pipeline core was replayed; an exact snapshot should replace its fuzzy ones. */
  readonly migrated: boolean;
}

/** A snapshot walk given up because its tree was replaced (a SNAP install, a rebuild): not a disk failure. */
export class SnapshotAbandonedError extends Error {
  constructor() {
    super('the tree was replaced during the snapshot walk');
    this.name = 'SnapshotAbandonedError';
  }
}

/** One server's durable state, and every write to it. */
export class DriverDisk {
  private readonly options: DriverDiskOptions;
  /** The epochs as durable on disk. */
  private epochs: HardState;
  /** The newest snapshot's zxid (a snapshot may be ahead of the durable log: an observer's INFORM). */
  private snapshotZxid: Zxid;
  /** The log on disk is complete above this zxid (moves up with purges). */
  private diskLogBaseZxid: Zxid;
  private snapshotting: Promise<void> | null = null;
  /** Bytes of the log written since start, per durable write (a DIFF too large for disk is known without reading it). */
  private readonly logSizes = new LogSizeMarks();
  lastSnapshotBytes = 0;

  private constructor(options: DriverDiskOptions, epochs: HardState, snapshotZxid: Zxid, diskLogBaseZxid: Zxid) {
    this.options = options;
    this.epochs = epochs;
    this.snapshotZxid = snapshotZxid;
    this.diskLogBaseZxid = diskLogBaseZxid;
  }

  /**
   * Recovers (README "Start a role"): the newest snapshot is the tree; the
   * log records above it are handed to the next role, never replayed here
   * (they may be uncommitted). A log that ends below the snapshot is reset
   * to it. Without epoch files: standalone, a pipeline-core data dir
   * (everything logged was committed) is replayed once; an ensemble member
   * takes the epoch of its last logged zxid, as ZooKeeper does when
   * currentEpoch is missing.
   */
  static async recover(options: DriverDiskOptions, standalone: boolean): Promise<Recovered> {
    const { config, log, snapshots, logger } = options;
    const recoverOptions = { log, snapshots, logger, decodeTxn, dataDir: config.dataDir, dataLogDir: config.dataLogDir };
    await rollBackInterruptedInstall(options);
    const onDisk = await readEpochs(config.dataDir);
    const migrated = onDisk === null && standalone;
    const tree = migrated ? await recoverTree(recoverOptions) : await loadExactSnapshot(recoverOptions, performance.now());
    const applied = tree.lastProcessedZxid;
    if (log.lastLoggedZxid < applied) {
      logger.warn({ log: zxidToHex(log.lastLoggedZxid), snapshot: zxidToHex(applied) }, 'the log ends below the snapshot: dropped');
      await log.resetTo(applied);
    }
    const epoch = zxidEpoch(log.lastLoggedZxid > applied ? log.lastLoggedZxid : applied);
    const epochs = onDisk ?? { acceptedEpoch: epoch, currentEpoch: epoch };
    let first: Zxid | null = null;
    for await (const batch of log.readBatchesFrom(0n, { batchRecordsMax: 1 })) {
      first = batch[0]?.zxid ?? null;
      break;
    }
    // Complete above the first record (conservative: its predecessor is unknown after a purge).
    const diskLogBase = first === null ? log.lastLoggedZxid : first > log.baseZxid ? first : log.baseZxid;
    const newest = (await snapshots.list())[0]?.zxid ?? 0n;
    return { disk: new DriverDisk(options, epochs, newest, diskLogBase), tree, migrated };
  }

  /** The durable epochs. */
  get hardState(): HardState {
    return this.epochs;
  }

  /** What this server's vote proposes: what is durable. */
  position(): { currentEpoch: bigint; lastLoggedZxid: Zxid } {
    const logged = this.options.log.lastLoggedZxid;
    return { currentEpoch: BigInt(this.epochs.currentEpoch), lastLoggedZxid: logged > this.snapshotZxid ? logged : this.snapshotZxid };
  }

  /**
   * A role's InitialState: the durable epochs, the tree where the Replica
   * stands (`applied`, committed) and every log record above it; older
   * records stay on disk and are read on demand (`Ready.logReads`).
   */
  async initialState(applied: Zxid): Promise<InitialState> {
    const log: Txn[] = [];
    for await (const batch of this.options.log.readBatchesFrom(applied)) for (const record of batch) log.push({ zxid: record.zxid, bytes: record.bytes });
    const diskLogBaseZxid = this.diskLogBaseZxid < applied ? this.diskLogBaseZxid : applied;
    return { ...this.epochs, appliedZxid: applied, logBaseZxid: applied, log, diskLogBaseZxid };
  }

  /** True when a broadcast Ready writes anything. */
  static writes(ready: Ready): boolean {
    return ready.snapshot !== null || ready.truncate !== null || ready.append.length > 0 || ready.hardState !== null;
  }

  /**
   * The Ready's writes, in broadcast's order: the SNAP install (snapshot
   * stored, log reset to it) or the TRUNC, then the records (one group
   * commit), then the epochs. Resolves once all are durable.
   */
  async persist(ready: Ready): Promise<void> {
    const { log, snapshots, config } = this.options;
    if (ready.snapshot !== null) {
      // Called before any await: the install's chunk write starts in this turn.
      await this.installSnapshot(ready.snapshot.zxid, ready.snapshot.snapshot, ready.append);
    } else if (ready.truncate !== null) {
      // A snapshot of the old history must not be written or purged across a rewrite.
      await this.snapshotting;
      const truncate = ready.truncate;
      // TRUNC and the sync's records in one LevelDB batch: never a truncated log alone.
      await log.truncateAndAppend(truncate, ready.append);
      this.logSizes.truncated(truncate);
      this.logSizes.appended(ready.append);
      if (this.snapshotZxid > truncate) {
        await snapshots.deleteAfter(truncate);
        this.snapshotZxid = (await snapshots.list())[0]?.zxid ?? 0n;
      }
    } else if (ready.append.length > 0) {
      await appendInChunks(log, ready.append);
      this.logSizes.appended(ready.append);
    }
    if (ready.hardState !== null) {
      await writeEpochs(config.dataDir, ready.hardState);
      this.epochs = ready.hardState;
    }
  }

  /**
   * A leader's SNAP: newer local snapshots go (they belong to a history the
   * leader overrides), the snapshot is committed marked `installed`, then the
   * log is emptied to it with the sync's records in ONE write. A crash before
   * that write leaves an installed snapshot above the log's base, which
   * `recover` rolls back: the sync never happened, the old log stands.
   */
  private async installSnapshot(zxid: Zxid, bytes: Uint8Array, records: readonly Txn[]): Promise<void> {
    const { log, snapshots, logger } = this.options;
    const startedMs = performance.now();
    // The peer stream staged the chunks here as they arrived (StagedSnapshot), or nobody did.
    const staged = takeSnapshotStaging(bytes);
    assert(staged === null || (staged instanceof StagedSnapshot && staged.zxid === zxid), 'a staged SNAP is this disk\'s, at the SNAP zxid');
    const writer = staged?.writer ?? snapshots.beginSnapshot(zxid, { installed: true });
    let info;
    try {
      // The chunks' write is issued before the first await, so the disk
      // stores them while this thread loads the tree from the same bytes (the
      // Replica's next half-Ready). They stay invisible until the manifest.
      const chunksWritten = staged?.written() ?? writeChunksNow(writer, bytes);
      // A snapshot of the old history must not be written or purged across a
      // rewrite, and newer local snapshots go (a history the leader
      // overrides) before this one's manifest exists.
      await this.snapshotting;
      await snapshots.deleteAfter(zxid);
      await chunksWritten;
      info = await writer.commit();
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
    const storedMs = performance.now() - startedMs;
    await log.resetAndAppend(zxid, records);
    this.logSizes.reset();
    this.logSizes.appended(records);
    this.snapshotZxid = zxid;
    this.diskLogBaseZxid = zxid;
    logger.info(
      { zxid: zxidToHex(zxid), bytes: info.byteCount, records: records.length, storedMs: Math.round(storedMs), ms: Math.round(performance.now() - startedMs) },
      'installed the leader\'s snapshot',
    );
  }

  /**
   * A learner's SNAP in flight: its chunks are written as they arrive,
   * invisible until `installSnapshot` commits them (a crash, or an aborted
   * stream, leaves orphan chunks that the store removes at open).
   */
  stageSnapshot(zxid: Zxid): SnapshotStaging {
    return new StagedSnapshot(zxid, this.options.snapshots.beginSnapshot(zxid, { installed: true }));
  }

  /**
   * The records a leader's `Ready.logReads` asked for (committed and
   * immutable), or none once they would total more than snapshotSizeFactor
   * times the newest snapshot's size (LearnerHandler's txnlog size limit) or
   * more than the read's recordsMax: the leader then sends a SNAP, cheaper
   * than that many txns (and within what the learner holds).
   */
  async read(read: LogRead): Promise<Txn[]> {
    const bytesMax = await this.diskDiffBytesMax();
    // Known too large without reading: what the loop below would find, sooner.
    if (this.logSizes.bytesAtLeast(read.fromZxid, read.upToZxid) > bytesMax) return [];
    const txns: Txn[] = [];
    let bytes = 0;
    const from = read.fromZxid > 0n ? read.fromZxid - 1n : 0n;
    for await (const batch of this.options.log.readBatchesFrom(from, { toZxid: read.upToZxid })) {
      for (const record of batch) {
        if (record.zxid < read.fromZxid) continue;
        bytes += record.bytes.byteLength;
        if (bytes > bytesMax || txns.length >= read.recordsMax) return [];
        txns.push({ zxid: record.zxid, bytes: record.bytes });
      }
    }
    return txns;
  }

  /** How many log bytes a DIFF from disk may send (-1: none). */
  private async diskDiffBytesMax(): Promise<number> {
    const factor = this.options.config.snapshotSizeFactor;
    if (factor < 0) return -1;
    const newest = (await this.options.snapshots.list())[0];
    return factor * (newest?.byteCount ?? 0);
  }

  /**
   * The tree at `atOrBelow`, from the newest snapshot at or below it plus the
   * log up to it (ZKDatabase.truncateLog reloads the same way).
   */
  async rebuild(atOrBelow: Zxid): Promise<DataTree> {
    const { snapshots, log, logger } = this.options;
    const info = (await snapshots.list()).find((candidate) => candidate.zxid <= atOrBelow);
    const loader = createSnapshotLoader(serverTreeOptions);
    if (info !== undefined) for await (const chunk of snapshots.open(info).chunks()) loader.push(chunk);
    const tree = loader.finish();
    let replayed = 0;
    for await (const batch of log.readBatchesFrom(tree.lastProcessedZxid, { toZxid: atOrBelow })) {
      for (const record of batch) {
        const { header, txn } = decodeTxn(record.bytes);
        tree.apply(header, txn, { replay: true });
        replayed += 1;
      }
    }
    logger.info({ zxid: zxidToHex(tree.lastProcessedZxid), snapshot: zxidToHex(info?.zxid ?? 0n), replayed }, 'rebuilt the tree below a TRUNC');
    return tree;
  }

  /** Resolves once a running snapshot is done. */
  async idle(): Promise<void> {
    await this.snapshotting;
  }

  /** True while a snapshot is being written. */
  get snapshotRunning(): boolean {
    return this.snapshotting !== null;
  }

  /**
   * Starts a snapshot of `tree`, serialized one chunk per turn while the
   * server goes on applying txns: fuzzy between its START zxid (its name)
   * and the zxid its walk ended at, made exact at recovery by replaying the
   * log in that range (README "Snapshots"). `current` names the Replica's
   * tree: the walk is given up if it is replaced (a SNAP install or a
   * rebuild). `onCompacted` gets the zxid below which the log was purged;
   * `onFailed` any failure other than that (the Driver's fatal: nothing is
   * acknowledged after a write the disk refused).
   */
  startSnapshot(tree: DataTree, onCompacted: (zxid: Zxid) => void, current: () => DataTree = () => tree, onFailed: (error: unknown) => void = () => undefined): void {
    if (this.snapshotting !== null) return;
    this.snapshotting = this.takeSnapshot(tree, onCompacted, current)
      .catch((error: unknown) => {
        if (error instanceof SnapshotAbandonedError) {
          this.options.logger.info({ zxid: zxidToHex(tree.lastProcessedZxid) }, 'snapshot given up: the tree was replaced; the next one follows after snapCount txns');
          return;
        }
        // ZooKeeperServer.takeSnapshot exits on an IOException: a disk that cannot store a
        // snapshot (or purge) cannot be trusted with the log either.
        onFailed(error);
      })
      .finally(() => {
        this.snapshotting = null;
      });
  }

  /** The snapshot itself; exported for start-up (a migration replaces fuzzy snapshots at once). */
  async takeSnapshot(tree: DataTree, onCompacted: (zxid: Zxid) => void, current: () => DataTree = () => tree): Promise<void> {
    const zxid = tree.lastProcessedZxid;
    const { snapshots, log, config, logger } = this.options;
    const writer = snapshots.beginSnapshot(zxid);
    try {
      for (const chunk of serializeSnapshot(tree)) {
        // The log replayed over it at recovery must be the history this tree applied.
        if (current() !== tree) throw new SnapshotAbandonedError();
        await writer.write(chunk);
        // Requests run between chunks: no stall for the whole walk.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const info = await writer.commit();
      this.lastSnapshotBytes = info.byteCount;
      if (zxid > this.snapshotZxid) this.snapshotZxid = zxid;
      logger.info({ zxid: zxidToHex(zxid), bytes: info.byteCount }, 'snapshot written');
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
    if (config.purgeIntervalHours <= 0) return;
    const purged = await snapshots.purge(config.snapRetainCount);
    if (purged.oldestRetainedZxid === null) return;
    await log.purgeBefore(purged.oldestRetainedZxid);
    this.logSizes.purgedBelow(purged.oldestRetainedZxid);
    if (purged.oldestRetainedZxid > this.diskLogBaseZxid) this.diskLogBaseZxid = purged.oldestRetainedZxid;
    onCompacted(purged.oldestRetainedZxid);
  }
}

/** Bytes of staged chunks between two sync batches (a SNAP arrives in about 1 MiB pieces). */
export const stagedSnapshotFlushBytes = 4 * 1024 * 1024;

/** A SNAP's chunks written as the peer stream loads them (DriverDisk.stageSnapshot). */
class StagedSnapshot implements SnapshotStaging {
  private readonly writes: Promise<void>[] = [];
  private unflushedBytes = 0;
  private aborted = false;

  constructor(readonly zxid: Zxid, readonly writer: SnapshotWriter) {}

  write(chunk: Uint8Array): void {
    if (this.aborted) return;
    this.track(this.writer.write(chunk));
    this.unflushedBytes += chunk.byteLength;
    if (this.unflushedBytes < stagedSnapshotFlushBytes) return;
    this.unflushedBytes = 0;
    this.track(this.writer.flush());
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.writer.abort().catch(() => undefined);
  }

  /** Every chunk written (the rest flushed now); rejects with the first failed write. */
  written(): Promise<void> {
    assert(!this.aborted, 'an aborted staging is never installed');
    this.track(this.writer.flush());
    return Promise.all(this.writes).then(() => undefined);
  }

  /** Keeps the write and marks it handled: a SNAP never installed must not leave an unhandled rejection. */
  private track(write: Promise<void>): void {
    write.catch(() => undefined);
    this.writes.push(write);
  }
}

/**
 * Hands every chunk of a framed SNAP (replica's snapshot-frames; the store
 * keeps chunks) to `writer` and starts their write at once. The promise is
 * marked handled here and awaited by the caller.
 */
function writeChunksNow(writer: SnapshotWriter, framed: Uint8Array): Promise<void> {
  const writes: Promise<void>[] = [];
  for (const chunk of snapshotChunksOf(framed)) writes.push(writer.write(chunk));
  writes.push(writer.flush());
  const all = Promise.all(writes).then(() => undefined);
  all.catch(() => undefined);
  return all;
}

/**
 * Records a group commit takes at once: txn-log refuses an append beyond its
 * pendingRecordsMax (100,000), and a learner's DIFF can carry more (a
 * follower far behind). A prefix of plain appends is a valid log, and the
 * Ready's epochs are written only after the last chunk, so chunks are safe.
 */
export const appendChunkRecordsMax = 10_000;

/** Appends `records` in order, at most appendChunkRecordsMax per txn-log append. */
async function appendInChunks(log: TxnLogStore, records: readonly Txn[]): Promise<void> {
  if (records.length <= appendChunkRecordsMax) {
    await log.append(records);
    return;
  }
  for (let start = 0; start < records.length; start += appendChunkRecordsMax) await log.append(records.slice(start, start + appendChunkRecordsMax));
}

/**
 * An installed snapshot above the log's base is a SNAP install whose log
 * write never happened (or a backup restore cut short): it is removed, so
 * the server starts from its old snapshots and log, as if the sync had not
 * begun. Completing it instead would leave the log emptied without the
 * records the leader sent after the snapshot.
 */
async function rollBackInterruptedInstall(options: DriverDiskOptions): Promise<void> {
  const { log, snapshots, logger } = options;
  const newest = (await snapshots.list())[0];
  if (newest === undefined || !newest.installed || newest.zxid <= log.baseZxid) return;
  logger.warn({ zxid: zxidToHex(newest.zxid), logBase: zxidToHex(log.baseZxid) }, 'rolling back an interrupted snapshot install');
  await snapshots.deleteAfter(newest.zxid - 1n);
}

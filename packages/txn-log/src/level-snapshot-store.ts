/**
 * Snapshots in their own LevelDB under dataDir (the log's is under
 * dataLogDir). A snapshot is written as chunks under its id, then committed
 * by one sync put of its manifest: until the manifest exists the snapshot
 * does not, so a crash mid-write leaves only orphan chunks, removed at open.
 *
 * Keys: [0x01][snapshotId u32][chunkIndex u32] → chunk
 *       [0x02][zxid u64][snapshotId u32]       → manifest (sorted by zxid)
 *
 * Chunks are written in sync batches of up to snapshotWriteBatchBytesMax,
 * the last one together with the manifest. Every batch is sync: a later
 * sync write does not make earlier unsynced ones durable once LevelDB has
 * switched to a new WAL file (the old one is closed without fsync), so the
 * manifest's sync alone would not cover the chunks.
 */
import { join } from 'node:path';
import { assert, zxidToHex } from '@corral/base';
import { LogCorruptionError, StorageError } from './errors.js';
import { checkFormat, type BufferLevel } from './level-format.js';
import { openBufferLevel } from './level-txn-log.js';
import { resolveLimits, snapRetainCountMin, type TxnLogLimits } from './limits.js';
import {
  decodeChunk,
  decodeManifest,
  encodeChunk,
  encodeManifest,
  newestFirst,
  tallyChunk,
  tallyMismatch,
  type ChunkTally,
} from './snapshot-format.js';
import {
  silentLogger,
  type BeginSnapshotOptions,
  type SnapshotInfo,
  type SnapshotPurgeResult,
  type SnapshotReader,
  type SnapshotStore,
  type SnapshotWriter,
  type StorageLogger,
} from './store.js';

/** Subdirectory of dataDir holding the snapshot LevelDB. */
export const snapshotDirName = 'snapshots';

const chunkPrefix = 0x01;
const manifestPrefix = 0x02;

/** Key of chunk `chunkIndex` of snapshot `snapshotId`. */
export function chunkKey(snapshotId: number, chunkIndex: number): Buffer {
  const key = Buffer.allocUnsafe(9);
  key[0] = chunkPrefix;
  key.writeUInt32BE(snapshotId, 1);
  key.writeUInt32BE(chunkIndex, 5);
  return key;
}

/** Key of a snapshot's manifest. */
export function manifestKey(zxid: bigint, snapshotId: number): Buffer {
  const key = Buffer.allocUnsafe(13);
  key[0] = manifestPrefix;
  key.writeBigUInt64BE(zxid, 1);
  key.writeUInt32BE(snapshotId, 9);
  return key;
}

const manifestStart = Buffer.from([manifestPrefix]);
const manifestEnd = Buffer.from([manifestPrefix + 1]);

function chunkRange(snapshotId: number): { gte: Buffer; lt: Buffer } {
  return { gte: chunkKey(snapshotId, 0), lt: snapshotId === 0xffffffff ? manifestStart : chunkKey(snapshotId + 1, 0) };
}

/** Options of LevelSnapshotStore.open. */
export interface LevelSnapshotStoreOptions {
  /** ZooKeeper's dataDir: snapshots live in `<dataDir>/snapshots`. */
  readonly dataDir: string;
  readonly limits?: Partial<TxnLogLimits>;
  readonly logger?: StorageLogger;
}

/** Reads every manifest, newest first; corrupt manifests are logged and skipped. */
export async function readManifests(db: BufferLevel, logger: StorageLogger): Promise<SnapshotInfo[]> {
  const out: SnapshotInfo[] = [];
  for await (const [key, value] of db.iterator({ gte: manifestStart, lt: manifestEnd })) {
    const zxid = key.byteLength === 13 ? key.readBigUInt64BE(1) : 0n;
    const info = key.byteLength === 13 ? decodeManifest(zxid, value) : null;
    if (info === null || info.snapshotId !== key.readUInt32BE(9)) {
      logger.warn({ key: key.toString('hex') }, 'snapshot manifest corrupt; ignored');
      continue;
    }
    out.push(info);
  }
  return out.sort(newestFirst);
}

/** LevelDB snapshot store. */
export class LevelSnapshotStore implements SnapshotStore {
  private readonly db: BufferLevel;
  private readonly limits: TxnLogLimits;
  private readonly logger: StorageLogger;
  private nextSnapshotId: number;
  private closePromise: Promise<void> | null = null;

  private constructor(db: BufferLevel, limits: TxnLogLimits, logger: StorageLogger, nextSnapshotId: number) {
    this.db = db;
    this.limits = limits;
    this.logger = logger;
    this.nextSnapshotId = nextSnapshotId;
  }

  /** Opens (or creates) the store; removes chunks of snapshots never committed. */
  static async open(options: LevelSnapshotStoreOptions): Promise<LevelSnapshotStore> {
    const limits = resolveLimits(options.limits);
    const logger = options.logger ?? silentLogger;
    const db = await openBufferLevel(join(options.dataDir, snapshotDirName));
    try {
      await checkFormat(db, 'snapshots');
      const manifests = await readManifests(db, logger);
      const committed = new Set(manifests.map((info) => info.snapshotId));
      let highestId = Math.max(0, ...committed);
      const orphans = new Set<number>();
      for await (const key of db.keys({ gte: chunkKey(0, 0), lt: manifestStart })) {
        const snapshotId = key.readUInt32BE(1);
        highestId = Math.max(highestId, snapshotId);
        if (!committed.has(snapshotId)) orphans.add(snapshotId);
      }
      for (const snapshotId of orphans) {
        await db.clear(chunkRange(snapshotId));
        logger.info({ snapshotId }, 'removed chunks of an uncommitted snapshot');
      }
      assert(highestId < 0xffffffff, 'snapshot ids exhausted');
      return new LevelSnapshotStore(db, limits, logger, highestId + 1);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  beginSnapshot(zxid: bigint, options: BeginSnapshotOptions = {}): SnapshotWriter {
    assert(this.closePromise === null, 'snapshot store is closed');
    assert(this.nextSnapshotId < 0xffffffff, 'snapshot ids exhausted');
    const snapshotId = this.nextSnapshotId;
    this.nextSnapshotId += 1;
    return new LevelSnapshotWriter({ db: this.db, limits: this.limits, snapshotId, zxid, installed: options.installed ?? false });
  }

  list(): Promise<readonly SnapshotInfo[]> {
    return readManifests(this.db, this.logger);
  }

  async openLatestValidSnapshot(): Promise<SnapshotReader | null> {
    for (const info of await this.list()) {
      const problem = await this.verify(info);
      if (problem === null) return { info, chunks: () => this.readChunks(info) };
      this.logger.warn(
        { snapshotId: info.snapshotId, zxid: zxidToHex(info.zxid), problem },
        'snapshot failed verification; falling back to the previous one',
      );
    }
    return null;
  }

  open(info: SnapshotInfo): SnapshotReader {
    return { info, chunks: () => this.readChunks(info) };
  }

  async purge(snapRetainCount: number): Promise<SnapshotPurgeResult> {
    const retain = Math.max(snapRetainCount, snapRetainCountMin);
    const all = await this.list();
    const removed = all.slice(retain);
    for (const info of removed) await this.remove(info);
    const oldest = all[Math.min(retain, all.length) - 1];
    return { removed, oldestRetainedZxid: oldest?.zxid ?? null };
  }

  async deleteAfter(zxid: bigint): Promise<number> {
    const newer = (await this.list()).filter((info) => info.zxid > zxid);
    for (const info of newer) await this.remove(info);
    return newer.length;
  }

  close(): Promise<void> {
    this.closePromise ??= this.db.close();
    return this.closePromise;
  }

  /** Manifest first (sync): an interrupted removal leaves orphan chunks, not a manifest without chunks. */
  private async remove(info: SnapshotInfo): Promise<void> {
    await this.db.del(manifestKey(info.zxid, info.snapshotId), { sync: true });
    await this.db.clear(chunkRange(info.snapshotId));
  }

  private async verify(info: SnapshotInfo): Promise<string | null> {
    try {
      for await (const _chunk of this.readChunks(info)) {
        // readChunks checks each chunk and the totals.
      }
      return null;
    } catch (error) {
      if (error instanceof LogCorruptionError) return error.message;
      throw error;
    }
  }

  /** Streams chunks one at a time (bounded memory), checking each and the totals at the end. */
  private async *readChunks(info: SnapshotInfo): AsyncIterable<Uint8Array> {
    const tally: ChunkTally = { chunkCount: 0, byteCount: 0, checksum: 0 };
    const iterator = this.db.iterator(chunkRange(info.snapshotId));
    try {
      for (;;) {
        const entry = await iterator.next();
        if (entry === undefined) break;
        const [key, value] = entry;
        const chunkIndex = key.readUInt32BE(5);
        if (chunkIndex !== tally.chunkCount) throw new LogCorruptionError(info.zxid, `snapshot ${info.snapshotId} misses chunk ${tally.chunkCount}`);
        const payload = decodeChunk(info.snapshotId, chunkIndex, value);
        if (payload === null) throw new LogCorruptionError(info.zxid, `snapshot ${info.snapshotId} chunk ${chunkIndex} checksum mismatch`);
        tallyChunk(tally, payload);
        yield payload;
      }
    } finally {
      await iterator.close();
    }
    const mismatch = tallyMismatch(tally, info);
    if (mismatch !== null) throw new LogCorruptionError(info.zxid, `snapshot ${info.snapshotId}: ${mismatch}`);
  }
}

class LevelSnapshotWriter implements SnapshotWriter {
  readonly zxid: bigint;
  private readonly db: BufferLevel;
  private readonly limits: TxnLogLimits;
  private readonly snapshotId: number;
  private readonly installed: boolean;
  private readonly tally: ChunkTally = { chunkCount: 0, byteCount: 0, checksum: 0 };
  /** Chunks taken but not yet in a batch, and their bytes (at most snapshotWriteBatchBytesMax). */
  private held: { type: 'put'; key: Buffer; value: Buffer }[] = [];
  private heldBytes = 0;
  /** The last batch issued; batches run one after another so chunk order is write order. */
  private chain: Promise<void> = Promise.resolve();
  /** No batch in flight: the next one is issued at once, in the caller's turn. */
  private idle = true;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(options: { db: BufferLevel; limits: TxnLogLimits; snapshotId: number; zxid: bigint; installed: boolean }) {
    this.db = options.db;
    this.limits = options.limits;
    this.snapshotId = options.snapshotId;
    this.zxid = options.zxid;
    this.installed = options.installed;
  }

  write(chunk: Uint8Array): Promise<void> {
    assert(this.state === 'open', `snapshot writer is ${this.state}`);
    if (chunk.byteLength > this.limits.snapshotChunkBytesMax) {
      return Promise.reject(new StorageError('write-failed', `snapshot chunk of ${chunk.byteLength} bytes, max ${this.limits.snapshotChunkBytesMax}`));
    }
    if (this.tally.chunkCount >= this.limits.snapshotChunksMax) {
      return Promise.reject(new StorageError('write-failed', `snapshot has more than ${this.limits.snapshotChunksMax} chunks`));
    }
    const value = encodeChunk(this.snapshotId, this.tally.chunkCount, chunk);
    // A full batch goes before this chunk is held: held bytes never pass the limit.
    const written = this.heldBytes + value.byteLength > this.limits.snapshotWriteBatchBytesMax ? this.issueHeld() : null;
    this.held.push({ type: 'put', key: chunkKey(this.snapshotId, this.tally.chunkCount), value });
    this.heldBytes += value.byteLength;
    tallyChunk(this.tally, chunk);
    return written ?? Promise.resolve();
  }

  flush(): Promise<void> {
    assert(this.state === 'open', `snapshot writer is ${this.state}`);
    return this.issueHeld();
  }

  async commit(): Promise<SnapshotInfo> {
    assert(this.state === 'open', `snapshot writer is ${this.state}`);
    this.state = 'committed';
    const info: SnapshotInfo = { snapshotId: this.snapshotId, zxid: this.zxid, ...this.tally, installed: this.installed };
    // The last chunks and the manifest in one batch: they become durable together.
    this.held.push({ type: 'put', key: manifestKey(this.zxid, this.snapshotId), value: encodeManifest(info) });
    await this.issueHeld();
    return info;
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.held = [];
    this.heldBytes = 0;
    await this.chain.catch(() => undefined);
    await this.db.clear(chunkRange(this.snapshotId));
  }

  /**
   * Writes the held chunks as one sync batch: issued now when no batch is
   * in flight, else after the one in flight (a failed batch fails the ones
   * after it, and commit).
   */
  private issueHeld(): Promise<void> {
    const ops = this.held;
    if (ops.length === 0) return this.chain;
    this.held = [];
    this.heldBytes = 0;
    const write = (): Promise<void> => this.db.batch(ops, { sync: true });
    const written = this.idle ? write() : this.chain.then(write);
    this.idle = false;
    this.chain = written;
    written.then(
      () => {
        if (this.chain === written) this.idle = true;
      },
      () => undefined,
    );
    return written;
  }
}

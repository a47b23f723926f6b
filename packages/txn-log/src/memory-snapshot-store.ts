/**
 * In-memory SnapshotStore on a MemoryDisk. Chunks land on the disk at once;
 * the manifest becomes durable only when its fsync completes (MemoryDisk
 * fsync mode and faults apply), so a crash before that leaves an orphan,
 * removed at the next open.
 */
import { assert, zxidToHex } from '@corral/base';
import { FormatVersionError, LogCorruptionError, StorageError } from './errors.js';
import { formatVersion } from './level-format.js';
import { resolveLimits, snapRetainCountMin, type TxnLogLimits } from './limits.js';
import type { MemoryDisk, MemorySnapshotData } from './memory-disk.js';
import { decodeChunk, encodeChunk, newestFirst, tallyChunk, tallyMismatch, type ChunkTally } from './snapshot-format.js';
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

/** Options of MemorySnapshotStore.open. */
export interface MemorySnapshotStoreOptions {
  readonly limits?: Partial<TxnLogLimits>;
  readonly logger?: StorageLogger;
}

function infoOf(data: MemorySnapshotData): SnapshotInfo | null {
  if (data.manifest === null) return null;
  return { snapshotId: data.snapshotId, zxid: data.zxid, installed: data.installed, ...data.manifest };
}

/** Verifies a stored snapshot; returns the problem or null. */
function verify(data: MemorySnapshotData, info: SnapshotInfo): string | null {
  const tally: ChunkTally = { chunkCount: 0, byteCount: 0, checksum: 0 };
  for (const [chunkIndex, value] of data.chunks.entries()) {
    const payload = decodeChunk(data.snapshotId, chunkIndex, value);
    if (payload === null) return `chunk ${chunkIndex} checksum mismatch`;
    tallyChunk(tally, payload);
  }
  return tallyMismatch(tally, info);
}

/** In-memory snapshot store with the disk's faults. */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly disk: MemoryDisk;
  private readonly limits: TxnLogLimits;
  private readonly logger: StorageLogger;

  private constructor(disk: MemoryDisk, options: MemorySnapshotStoreOptions) {
    this.disk = disk;
    this.limits = resolveLimits(options.limits);
    this.logger = options.logger ?? silentLogger;
  }

  /** Opens the store on `disk`, removing uncommitted snapshots. */
  static open(disk: MemoryDisk, options: MemorySnapshotStoreOptions = {}): Promise<MemorySnapshotStore> {
    if (disk.snapshotFormatVersion > formatVersion) {
      return Promise.reject(
        new FormatVersionError({
          location: 'memory',
          foundVersion: disk.snapshotFormatVersion,
          supportedVersion: formatVersion,
          message: `snapshots format version ${disk.snapshotFormatVersion} is newer than this build supports (${formatVersion})`,
        }),
      );
    }
    for (const [snapshotId, data] of [...disk.snapshots]) if (data.manifest === null) disk.snapshots.delete(snapshotId);
    return Promise.resolve(new MemorySnapshotStore(disk, options));
  }

  beginSnapshot(zxid: bigint, options: BeginSnapshotOptions = {}): SnapshotWriter {
    const data: MemorySnapshotData = { snapshotId: this.disk.nextSnapshotId, zxid, installed: options.installed ?? false, chunks: [], manifest: null };
    this.disk.nextSnapshotId += 1;
    this.disk.snapshots.set(data.snapshotId, data);
    const tally: ChunkTally = { chunkCount: 0, byteCount: 0, checksum: 0 };
    const limits = this.limits;
    const disk = this.disk;
    let state: 'open' | 'committed' | 'aborted' = 'open';
    return {
      zxid,
      write(chunk: Uint8Array): Promise<void> {
        assert(state === 'open', `snapshot writer is ${state}`);
        if (chunk.byteLength > limits.snapshotChunkBytesMax || tally.chunkCount >= limits.snapshotChunksMax) {
          return Promise.reject(new StorageError('write-failed', 'snapshot chunk over its limits'));
        }
        data.chunks.push(encodeChunk(data.snapshotId, tally.chunkCount, chunk));
        tallyChunk(tally, chunk);
        return Promise.resolve();
      },
      flush(): Promise<void> {
        return Promise.resolve();
      },
      async commit(): Promise<SnapshotInfo> {
        assert(state === 'open', `snapshot writer is ${state}`);
        state = 'committed';
        const manifest = { ...tally };
        await disk.sync(() => {
          data.manifest = manifest;
        });
        return { snapshotId: data.snapshotId, zxid, installed: data.installed, ...manifest };
      },
      abort(): Promise<void> {
        if (state === 'open') disk.snapshots.delete(data.snapshotId);
        state = 'aborted';
        return Promise.resolve();
      },
    };
  }

  list(): Promise<readonly SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for (const data of this.disk.snapshots.values()) {
      const info = infoOf(data);
      if (info !== null) out.push(info);
    }
    return Promise.resolve(out.sort(newestFirst));
  }

  open(info: SnapshotInfo): SnapshotReader {
    const disk = this.disk;
    return {
      info,
      chunks: async function* () {
        const data = disk.snapshots.get(info.snapshotId);
        if (data === undefined) throw new LogCorruptionError(info.zxid, `snapshot ${info.snapshotId} is gone`);
        const problem = verify(data, info);
        if (problem !== null) throw new LogCorruptionError(info.zxid, `snapshot ${info.snapshotId}: ${problem}`);
        for (const [chunkIndex, value] of data.chunks.entries()) {
          const payload = decodeChunk(data.snapshotId, chunkIndex, value);
          if (payload === null) throw new LogCorruptionError(info.zxid, `snapshot ${info.snapshotId} chunk ${chunkIndex} checksum mismatch`);
          yield payload;
        }
      },
    };
  }

  async openLatestValidSnapshot(): Promise<SnapshotReader | null> {
    for (const info of await this.list()) {
      const data = this.disk.snapshots.get(info.snapshotId);
      const problem = data === undefined ? 'gone' : verify(data, info);
      if (data !== undefined && problem === null) {
        const chunks = data.chunks.map((value, chunkIndex) => decodeChunk(data.snapshotId, chunkIndex, value) ?? Buffer.alloc(0));
        return {
          info,
          chunks: async function* () {
            yield* chunks;
          },
        };
      }
      this.logger.warn({ snapshotId: info.snapshotId, zxid: zxidToHex(info.zxid), problem }, 'snapshot failed verification; falling back to the previous one');
    }
    return null;
  }

  async purge(snapRetainCount: number): Promise<SnapshotPurgeResult> {
    const retain = Math.max(snapRetainCount, snapRetainCountMin);
    const all = await this.list();
    const removed = all.slice(retain);
    for (const info of removed) this.disk.snapshots.delete(info.snapshotId);
    return { removed, oldestRetainedZxid: all[Math.min(retain, all.length) - 1]?.zxid ?? null };
  }

  async deleteAfter(zxid: bigint): Promise<number> {
    const newer = (await this.list()).filter((info) => info.zxid > zxid);
    for (const info of newer) this.disk.snapshots.delete(info.snapshotId);
    return newer.length;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

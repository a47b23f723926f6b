/**
 * A simulated disk for tests and the simulator (STYLE §4). It holds what
 * survives a crash; every fault is driven by the test, never by time:
 * - `fsyncMode: 'manual'` holds each batch's fsync until `completeFsyncs()`
 *   (a slow disk), in the order the writes were issued;
 * - `crash()` drops writes whose fsync had not completed and fails every
 *   store open on the disk (the process died);
 * - `failNextFsync(kind)` makes the next fsync fail (EIO or ENOSPC);
 * - `tearTail(n)` / `corruptLogRecord(zxid)` flip bytes in durable records,
 *   as a torn write or bit rot would.
 */
import { assert } from '@corral/base';
import { StorageError } from './errors.js';
import { formatVersion } from './level-format.js';

/** How fsyncs complete on a MemoryDisk. */
export type FsyncMode = 'immediate' | 'manual';

interface PendingFsync {
  readonly apply: () => void;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A durable log entry on the simulated disk: the same encoding as LevelDB's. */
export interface MemoryLogEntry {
  readonly zxid: bigint;
  /** encodeLogEntry output: key ++ payload ++ crc. */
  entry: Buffer;
}

/** One stored snapshot chunk (payload ++ crc). */
export interface MemorySnapshotData {
  readonly snapshotId: number;
  readonly zxid: bigint;
  readonly installed: boolean;
  readonly chunks: Buffer[];
  /** Set by commit: the manifest. Null while being written. */
  manifest: { chunkCount: number; byteCount: number; checksum: number } | null;
}

/** The simulated disk shared by a MemoryTxnLog and a MemorySnapshotStore across "restarts". */
export class MemoryDisk {
  /** How fsyncs complete; tests switch it at any time. */
  fsyncMode: FsyncMode = 'immediate';
  /** Format version "found on disk" (tests raise it to check refusal). */
  logFormatVersion = formatVersion;
  snapshotFormatVersion = formatVersion;
  /** Durable log entries in zxid order. */
  readonly logEntries: MemoryLogEntry[] = [];
  logBaseZxid = 0n;
  logCommittedZxid = 0n;
  readonly snapshots = new Map<number, MemorySnapshotData>();
  nextSnapshotId = 1;
  /** Completed fsyncs, over the disk's life. */
  fsyncCount = 0;
  private readonly pending: PendingFsync[] = [];
  private failNext: 'write-failed' | 'disk-full' | null = null;
  private readonly crashListeners = new Set<(error: StorageError) => void>();

  /** Issues a write whose effect (`apply`) becomes durable when its fsync completes. */
  sync(apply: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ apply, resolve, reject });
      if (this.fsyncMode === 'immediate') this.completeFsyncs();
    });
  }

  /** Number of writes waiting for their fsync. */
  get pendingFsyncCount(): number {
    return this.pending.length;
  }

  /** Completes up to `count` pending fsyncs in order; returns how many. */
  completeFsyncs(count = Number.POSITIVE_INFINITY): number {
    let done = 0;
    while (done < count) {
      const next = this.pending.shift();
      if (next === undefined) break;
      done += 1;
      if (this.failNext !== null) {
        const kind = this.failNext;
        this.failNext = null;
        next.reject(new StorageError(kind, kind === 'disk-full' ? 'simulated ENOSPC' : 'simulated EIO on fsync'));
        continue;
      }
      next.apply();
      this.fsyncCount += 1;
      next.resolve();
    }
    return done;
  }

  /** The next fsync fails with `kind`. */
  failNextFsync(kind: 'write-failed' | 'disk-full' = 'write-failed'): void {
    this.failNext = kind;
  }

  /** The process dies: unsynced writes are lost, open stores fail. */
  crash(): void {
    const error = new StorageError('crashed', 'simulated crash');
    for (const write of this.pending.splice(0)) write.reject(error);
    for (const listener of [...this.crashListeners]) listener(error);
    this.crashListeners.clear();
    this.failNext = null;
  }

  /** Registers a store to fail on crash; returns the unregister function. */
  onCrash(listener: (error: StorageError) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  /** Flips a payload-or-checksum byte in each of the last `count` durable log records. */
  tearTail(count: number): void {
    assert(count <= this.logEntries.length, 'tearTail beyond the log');
    for (let index = this.logEntries.length - count; index < this.logEntries.length; index += 1) {
      const record = this.logEntries[index];
      if (record !== undefined) record.entry = flipLastByte(record.entry);
    }
  }

  /** Flips a byte in the durable record `zxid`. */
  corruptLogRecord(zxid: bigint): void {
    const record = this.logEntries.find((candidate) => candidate.zxid === zxid);
    assert(record !== undefined, `no record ${zxid}`);
    record.entry = flipLastByte(record.entry);
  }

  /** Flips a byte in chunk `chunkIndex` of a snapshot. */
  corruptSnapshotChunk(snapshotId: number, chunkIndex: number): void {
    const chunks = this.snapshots.get(snapshotId)?.chunks;
    const chunk = chunks?.[chunkIndex];
    assert(chunks !== undefined && chunk !== undefined, `no chunk ${snapshotId}/${chunkIndex}`);
    chunks[chunkIndex] = flipLastByte(chunk);
  }
}

function flipLastByte(buffer: Buffer): Buffer {
  const copy = Buffer.from(buffer);
  const index = copy.byteLength - 1;
  copy[index] = (copy[index] ?? 0) ^ 0xff;
  return copy;
}

/**
 * A learner loads a SNAP's tree while its chunks arrive: each SnapChunk's
 * bytes go through a de-framer (replica's snapshot-frames: u32 length, then
 * one snapshot chunk; wire chunks cut frames anywhere) into data-tree's
 * incremental loader, so loading overlaps the transfer instead of following
 * it. Each snapshot chunk also goes to a staging sink (the Driver's disk
 * writes it, invisible until the install commits it), so storing overlaps
 * the transfer too. The loaded tree and the staging are filed under the
 * reassembled SNAP bytes: the Replica's `preloadedSnapshot` takes the tree
 * (`takePreloadedTree`) and the disk the staging (`takeSnapshotStaging`).
 *
 * Nothing here decides anything: a preload that fails (a corrupt frame, a
 * loader error, a stream cut off) is dropped silently, and the install then
 * deserializes the bytes itself, failing exactly as it did before. A broken
 * stream leaves only garbage: no tree is filed before the last chunk.
 */
import { CorruptDataError, createSnapshotLoader, snapshotChunkBytesMax, type DataTree, type SnapshotLoaderHandle } from '@corral/data-tree';
import { serverTreeOptions } from '../storage/server-tree.js';

const frameHeaderBytes = 4;

/** Where a SNAP's snapshot chunks are written as they arrive (invisible until installed). */
export interface SnapshotStaging {
  /** One snapshot chunk, in order. */
  write(chunk: Uint8Array): void;
  /** The SNAP will not be installed (stream cut, corrupt): its chunks go. */
  abort(): void;
}

/** Starts staging the SNAP at `zxid` (a learner's disk), or null for none. */
export type SnapshotStagingFactory = (zxid: bigint) => SnapshotStaging | null;

/** What a SNAP stream prepared, by the SNAP's bytes (identity); weak, so an uninstalled one is collected. */
interface Prepared {
  tree: DataTree | null;
  staging: SnapshotStaging | null;
}
const prepared = new WeakMap<Uint8Array, Prepared>();

/** One part of what `snapshot`'s stream prepared, handed out once. */
function takePrepared<K extends keyof Prepared>(snapshot: Uint8Array, part: K): Prepared[K] | null {
  const entry = prepared.get(snapshot);
  if (entry === undefined) return null;
  const value = entry[part];
  entry[part] = null;
  return value;
}

/** The tree loaded while `snapshot` arrived, once (null if none was). */
export function takePreloadedTree(snapshot: Uint8Array): DataTree | null {
  return takePrepared(snapshot, 'tree');
}

/** The staging that wrote `snapshot`'s chunks while it arrived, once (null if none did). */
export function takeSnapshotStaging(snapshot: Uint8Array): SnapshotStaging | null {
  return takePrepared(snapshot, 'staging');
}

/** One SNAP's incremental load (and staging), fed the wire chunks in order. */
export class SnapshotPreload {
  private loader: SnapshotLoaderHandle | null = createSnapshotLoader(serverTreeOptions);
  private staging: SnapshotStaging | null;
  /** Bytes received and not yet part of a complete frame (at most one frame's worth). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(staging: SnapshotStaging | null = null) {
    this.staging = staging;
  }

  /** Feeds one wire chunk; loads every frame it completes. */
  push(data: Uint8Array): void {
    if (this.loader === null || data.byteLength === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.byteLength;
    try {
      this.loadCompleteFrames();
    } catch (error) {
      // The install deserializes the bytes itself and reports the corruption there.
      if (!(error instanceof CorruptDataError)) throw error;
      this.drop();
    }
  }

  /** The last chunk arrived: files the tree under the reassembled bytes when the load completed. */
  finish(snapshot: Uint8Array): void {
    const loader = this.loader;
    const staging = this.staging;
    this.staging = null;
    // Bytes left over are a frame the last chunk cut short: the install reports it.
    const complete = loader !== null && this.pendingBytes === 0;
    this.drop();
    if (!complete) return;
    try {
      prepared.set(snapshot, { tree: loader.finish(), staging });
    } catch (error) {
      // No END record: the install reports the truncation.
      if (!(error instanceof CorruptDataError)) throw error;
      staging?.abort();
    }
  }

  /** The stream ended before the last chunk: nothing is filed, the staged chunks go. */
  abandon(): void {
    this.drop();
  }

  private drop(): void {
    this.loader = null;
    this.pending = [];
    this.pendingBytes = 0;
    this.staging?.abort();
    this.staging = null;
  }

  private loadCompleteFrames(): void {
    const loader = this.loader;
    if (loader === null) return;
    for (;;) {
      if (this.pendingBytes < frameHeaderBytes) return;
      const length = this.peekLength();
      if (length > snapshotChunkBytesMax) throw new CorruptDataError(`SNAP frame of ${length} bytes over limit`);
      if (this.pendingBytes < frameHeaderBytes + length) return;
      this.take(frameHeaderBytes);
      const chunk = this.take(length);
      loader.push(chunk);
      this.staging?.write(chunk);
    }
  }

  private peekLength(): number {
    const head = this.pending[0];
    if (head !== undefined && head.byteLength >= frameHeaderBytes) return new DataView(head.buffer, head.byteOffset, frameHeaderBytes).getUint32(0);
    const header = this.peek(frameHeaderBytes);
    return new DataView(header.buffer, header.byteOffset, frameHeaderBytes).getUint32(0);
  }

  /** The first `count` pending bytes, copied (only a header split across wire chunks). */
  private peek(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let offset = 0;
    for (const piece of this.pending) {
      const part = piece.subarray(0, count - offset);
      out.set(part, offset);
      offset += part.byteLength;
      if (offset === count) break;
    }
    return out;
  }

  /** Removes the first `count` pending bytes: a view when one piece holds them, else a copy. */
  private take(count: number): Uint8Array {
    const head = this.pending[0];
    if (head !== undefined && head.byteLength >= count) {
      const taken = head.subarray(0, count);
      if (head.byteLength === count) this.pending.shift();
      else this.pending[0] = head.subarray(count);
      this.pendingBytes -= count;
      return taken;
    }
    const out = this.peek(count);
    let left = count;
    while (left > 0) {
      const piece = this.pending[0];
      if (piece === undefined) break;
      if (piece.byteLength <= left) {
        left -= piece.byteLength;
        this.pending.shift();
      } else {
        this.pending[0] = piece.subarray(left);
        left = 0;
      }
    }
    this.pendingBytes -= count;
    return out;
  }
}

/**
 * Snapshot encoding shared by the LevelDB and in-memory snapshot stores.
 *
 * Chunk value   = [payload][crc32c u32 BE], CRC seeded with [snapshotId u32][chunkIndex u32]
 *                 so a chunk read under the wrong snapshot or position fails.
 * Manifest value = [snapshotId u32][chunkCount u32][byteCount u64][checksum u32][flags u8][crc32c u32]
 *                 checksum = CRC32C of all payload bytes in order; flags bit 0 = installed;
 *                 the trailing CRC covers the manifest's own fields.
 */
import { crc32c } from '@node-rs/crc32';
import type { SnapshotInfo } from './store.js';

const chunkChecksumBytes = 4;
const manifestBytes = 4 + 4 + 8 + 4 + 1 + 4;

function chunkSeed(snapshotId: number, chunkIndex: number): number {
  const header = Buffer.allocUnsafe(8);
  header.writeUInt32BE(snapshotId, 0);
  header.writeUInt32BE(chunkIndex, 4);
  return crc32c(header);
}

/** Encodes one chunk with its checksum. */
export function encodeChunk(snapshotId: number, chunkIndex: number, payload: Uint8Array): Buffer {
  const value = Buffer.allocUnsafe(payload.byteLength + chunkChecksumBytes);
  value.set(payload, 0);
  value.writeUInt32BE(crc32c(payload, chunkSeed(snapshotId, chunkIndex)), payload.byteLength);
  return value;
}

/** The chunk's payload, or null when its checksum fails. */
export function decodeChunk(snapshotId: number, chunkIndex: number, value: Buffer): Buffer | null {
  if (value.byteLength < chunkChecksumBytes) return null;
  const payload = value.subarray(0, value.byteLength - chunkChecksumBytes);
  const stored = value.readUInt32BE(payload.byteLength);
  return crc32c(payload, chunkSeed(snapshotId, chunkIndex)) === stored ? payload : null;
}

/** Encodes a manifest; `zxid` lives in the key. */
export function encodeManifest(info: SnapshotInfo): Buffer {
  const value = Buffer.allocUnsafe(manifestBytes);
  value.writeUInt32BE(info.snapshotId, 0);
  value.writeUInt32BE(info.chunkCount, 4);
  value.writeBigUInt64BE(BigInt(info.byteCount), 8);
  value.writeUInt32BE(info.checksum, 16);
  value.writeUInt8(info.installed ? 1 : 0, 20);
  const zxid = Buffer.allocUnsafe(8);
  zxid.writeBigUInt64BE(info.zxid, 0);
  value.writeUInt32BE(crc32c(value.subarray(0, 21), crc32c(zxid)), 21);
  return value;
}

/** Decodes a manifest, or null when it is malformed or its checksum fails. */
export function decodeManifest(zxid: bigint, value: Buffer): SnapshotInfo | null {
  if (value.byteLength !== manifestBytes) return null;
  const zxidBytes = Buffer.allocUnsafe(8);
  zxidBytes.writeBigUInt64BE(zxid, 0);
  if (crc32c(value.subarray(0, 21), crc32c(zxidBytes)) !== value.readUInt32BE(21)) return null;
  return {
    snapshotId: value.readUInt32BE(0),
    zxid,
    chunkCount: value.readUInt32BE(4),
    byteCount: Number(value.readBigUInt64BE(8)),
    checksum: value.readUInt32BE(16),
    installed: (value.readUInt8(20) & 1) === 1,
  };
}

/** Running state while verifying or writing a snapshot's chunks. */
export interface ChunkTally {
  chunkCount: number;
  byteCount: number;
  checksum: number;
}

/** Adds one chunk's payload to a tally. */
export function tallyChunk(tally: ChunkTally, payload: Uint8Array): void {
  tally.chunkCount += 1;
  tally.byteCount += payload.byteLength;
  tally.checksum = crc32c(payload, tally.checksum);
}

/** Why a tally does not match its manifest, or null when it does. */
export function tallyMismatch(tally: ChunkTally, info: SnapshotInfo): string | null {
  if (tally.chunkCount !== info.chunkCount) return `chunk count ${tally.chunkCount}, manifest says ${info.chunkCount}`;
  if (tally.byteCount !== info.byteCount) return `byte count ${tally.byteCount}, manifest says ${info.byteCount}`;
  if (tally.checksum !== info.checksum) return 'checksum of all chunks differs from the manifest';
  return null;
}

/** Orders snapshots newest first: higher zxid, then higher id. */
export function newestFirst(a: SnapshotInfo, b: SnapshotInfo): number {
  if (a.zxid !== b.zxid) return a.zxid > b.zxid ? -1 : 1;
  return b.snapshotId - a.snapshotId;
}

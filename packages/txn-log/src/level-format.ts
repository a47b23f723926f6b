/**
 * The format-version meta key of a LevelDB store. Every store writes
 * `\x00format` = [version u32 BE][kind utf8] when created; open refuses a
 * newer version (this code cannot know its layout) and a database of another
 * kind (a snapshot directory passed as the log, or a foreign LevelDB).
 */
import type { ClassicLevel } from 'classic-level';
import { FormatVersionError } from './errors.js';
import { metaKey } from './log-record.js';

/** A LevelDB handle with Buffer keys and values. */
export type BufferLevel = ClassicLevel<Buffer, Buffer>;

/** Which store a database holds. */
export type StoreKind = 'txn-log' | 'snapshots';

/** Current on-disk format version of both stores. Bump on any layout change. */
export const formatVersion = 1;

const formatKey = metaKey('format');

/** Encodes the format meta value. */
export function encodeFormat(kind: StoreKind, version: number): Buffer {
  const kindBytes = Buffer.from(kind, 'utf8');
  const value = Buffer.alloc(4 + kindBytes.byteLength);
  value.writeUInt32BE(version, 0);
  kindBytes.copy(value, 4);
  return value;
}

/**
 * Verifies the format meta key. In an empty database it writes it durably,
 * unless `create` is false (read-only inspection), which refuses instead.
 */
export async function checkFormat(db: BufferLevel, kind: StoreKind, options: { create: boolean } = { create: true }): Promise<void> {
  const value = await db.get(formatKey);
  if (value === undefined) {
    const anyKey = await db.keys({ limit: 1 }).all();
    if (anyKey.length > 0 || !options.create) {
      throw new FormatVersionError({
        location: db.location,
        foundVersion: null,
        supportedVersion: formatVersion,
        message: `not a Corral ${kind} database (no format key)`,
      });
    }
    await db.put(formatKey, encodeFormat(kind, formatVersion), { sync: true });
    return;
  }
  const foundKind = value.byteLength >= 4 ? value.subarray(4).toString('utf8') : '';
  const foundVersion = value.byteLength >= 4 ? value.readUInt32BE(0) : null;
  if (foundKind !== kind || foundVersion === null) {
    throw new FormatVersionError({
      location: db.location,
      foundVersion,
      supportedVersion: formatVersion,
      message: `expected a Corral ${kind} database, found "${foundKind}"`,
    });
  }
  if (foundVersion > formatVersion) {
    throw new FormatVersionError({
      location: db.location,
      foundVersion,
      supportedVersion: formatVersion,
      message: `${kind} format version ${foundVersion} is newer than this build supports (${formatVersion}); upgrade Corral or restore an older data directory`,
    });
  }
}

/** Overwrites the format key (tests use it to simulate a newer format). */
export async function writeFormat(db: BufferLevel, kind: StoreKind, version: number): Promise<void> {
  await db.put(formatKey, encodeFormat(kind, version), { sync: true });
}

/**
 * Backup and restore of a server's state as one portable file:
 * `corral snapshot export` recovers the tree from a (stopped) server's
 * storage and writes it; `corral snapshot restore` installs such a file
 * into empty data dirs (or over existing ones with --force) as the base
 * snapshot, so the server starts from exactly that state.
 *
 * File layout (big-endian): magic "CORRALBK", u32 format version, u64 zxid,
 * then chunks as u32 length + bytes, then a u32 0 terminator and the u32
 * CRC-32 of every chunk byte in order.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeTxn, deserializeSnapshot, serializeSnapshot } from '@corral/data-tree';
import { installSnapshot, openStorage, silentLogger } from '@corral/txn-log';
import type { Logger } from '../logger.js';
import { BackupError } from './backup-error.js';
import { recoverTree } from './recovery.js';

const magic = Buffer.from('CORRALBK', 'latin1');
/** Version of the backup file layout; a newer file is refused. */
export const backupFormatVersion = 1;
/** Largest chunk accepted from a backup file (checked before allocating). */
export const backupChunkBytesMax = 64 * 1024 * 1024;

export { BackupError };

function storageLocked(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (/lock/i.test(current.message) || (current as { code?: string }).code === 'LEVEL_LOCKED') return true;
  }
  return false;
}

/** Writes the state of the storage in dataDir/dataLogDir to `file`. The server must be stopped. */
export async function exportBackup(options: { dataDir: string; dataLogDir: string; file: string; logger: Logger }): Promise<bigint> {
  let storage;
  try {
    storage = await openStorage({ dataDir: options.dataDir, dataLogDir: options.dataLogDir, logger: silentLogger });
  } catch (error) {
    if (storageLocked(error)) throw new BackupError('the data dirs are in use: stop the server before exporting (LevelDB holds a lock)');
    throw error;
  }
  try {
    const tree = await recoverTree({ log: storage.log, snapshots: storage.snapshots, logger: options.logger, decodeTxn });
    const zxid = tree.lastProcessedZxid;
    const temporary = `${options.file}.partial`;
    const handle = await open(temporary, 'w');
    try {
      const header = Buffer.alloc(magic.length + 12);
      magic.copy(header, 0);
      header.writeUInt32BE(backupFormatVersion, 8);
      header.writeBigUInt64BE(BigInt.asUintN(64, zxid), 12);
      await handle.write(header);
      let checksum = 0;
      for (const chunk of serializeSnapshot(tree)) {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(chunk.length, 0);
        await handle.write(length);
        await handle.write(chunk);
        checksum = crc32(chunk, checksum);
      }
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32BE(0, 0);
      trailer.writeUInt32BE(checksum >>> 0, 4);
      await handle.write(trailer);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, options.file);
    return zxid;
  } finally {
    await storage.close();
  }
}

/** Reads and checks a backup file: its zxid and chunks. */
export async function readBackup(file: string): Promise<{ zxid: bigint; chunks: Uint8Array[] }> {
  const bytes = await readFile(file);
  if (bytes.length < magic.length + 12 || !bytes.subarray(0, magic.length).equals(magic)) throw new BackupError(`${file} is not a Corral backup`);
  const version = bytes.readUInt32BE(8);
  if (version > backupFormatVersion) throw new BackupError(`${file} has backup format ${version}; this Corral reads up to ${backupFormatVersion}`);
  const zxid = BigInt.asIntN(64, bytes.readBigUInt64BE(12));
  const chunks: Uint8Array[] = [];
  let offset = magic.length + 12;
  let checksum = 0;
  for (;;) {
    if (offset + 4 > bytes.length) throw new BackupError(`${file} is truncated`);
    const length = bytes.readUInt32BE(offset);
    offset += 4;
    if (length === 0) break;
    if (length > backupChunkBytesMax || offset + length > bytes.length) throw new BackupError(`${file} is truncated or corrupt`);
    const chunk = bytes.subarray(offset, offset + length);
    checksum = crc32(chunk, checksum);
    chunks.push(chunk);
    offset += length;
  }
  if (offset + 4 !== bytes.length || bytes.readUInt32BE(offset) !== checksum >>> 0) throw new BackupError(`${file} fails its checksum`);
  // Prove it loads before touching any data dir.
  deserializeSnapshot(chunks);
  return { zxid, chunks };
}

function hasData(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((name) => name !== 'myid');
}

/** Installs a backup as the state of the (stopped) server in dataDir/dataLogDir. */
export async function restoreBackup(options: { dataDir: string; dataLogDir: string; file: string; force: boolean }): Promise<bigint> {
  const { zxid, chunks } = await readBackup(options.file);
  const paths = [join(options.dataDir), join(options.dataLogDir)];
  if (!options.force && paths.some(hasData)) throw new BackupError('the data dirs already hold data: restore into empty dirs, or pass --force to replace it');
  let storage;
  try {
    storage = await openStorage({ dataDir: options.dataDir, dataLogDir: options.dataLogDir, logger: silentLogger });
  } catch (error) {
    if (storageLocked(error)) throw new BackupError('the data dirs are in use: stop the server before restoring');
    throw error;
  }
  try {
    await installSnapshot(storage, zxid, chunks);
  } finally {
    await storage.close();
  }
  return zxid;
}

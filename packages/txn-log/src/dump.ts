/**
 * Read-only inspection for the server's CLI (like ZooKeeper's
 * LogFormatter / SnapshotFormatter). Opens the LevelDB directly, never
 * through LevelTxnLog.open, which would truncate a torn tail: a dump must
 * not change what it shows. Txn decoding is the caller's (`describe`).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { zxidToHex } from '@corral/base';
import { checkFormat } from './level-format.js';
import { openBufferLevel, txnLogDirName } from './level-txn-log.js';
import { decodeLogEntry, isLogKey, logKeyEnd, logKeyStart, metaKey } from './log-record.js';
import { chunkKey, readManifests, snapshotDirName } from './level-snapshot-store.js';
import { decodeChunk } from './snapshot-format.js';

/** Options of dumpLog / dumpSnapshots. */
export interface DumpOptions {
  /** Renders one record's (or chunk's) bytes; default: none. */
  readonly describe?: (bytes: Uint8Array) => string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function readU64(value: Buffer | undefined): bigint {
  return value?.byteLength === 8 ? value.readBigUInt64BE(0) : 0n;
}

/** Prints every log entry of `<dataLogDir>/txn-log`: zxid hex, size, checksum. */
export async function dumpLog(dataLogDir: string, out: (line: string) => void, options: DumpOptions = {}): Promise<void> {
  const location = join(dataLogDir, txnLogDirName);
  if (!(await exists(location))) {
    out(`no txn log at ${location}`);
    return;
  }
  const db = await openBufferLevel(location);
  try {
    await checkFormat(db, 'txn-log', { create: false });
    out(`txn log ${location}`);
    out(`base ${zxidToHex(readU64(await db.get(metaKey('base'))))} committed ${zxidToHex(readU64(await db.get(metaKey('committed'))))}`);
    let count = 0;
    let bad = 0;
    for await (const [key, value] of db.iterator({ gte: logKeyStart, lt: logKeyEnd })) {
      if (!isLogKey(key)) {
        out(`malformed key ${key.toString('hex')}`);
        bad += 1;
        continue;
      }
      const entry = decodeLogEntry(key, value);
      count += 1;
      if (!entry.checksumOk) bad += 1;
      const described = entry.checksumOk && options.describe !== undefined ? ` ${options.describe(entry.bytes)}` : '';
      out(`${zxidToHex(entry.zxid)} size=${entry.bytes.byteLength} checksum=${entry.checksumOk ? 'ok' : 'BAD'}${described}`);
    }
    out(`${count} records, ${bad} bad`);
  } finally {
    await db.close();
  }
}

/** Prints every snapshot manifest of `<dataDir>/snapshots`, verifying each chunk. */
export async function dumpSnapshots(dataDir: string, out: (line: string) => void, options: DumpOptions = {}): Promise<void> {
  const location = join(dataDir, snapshotDirName);
  if (!(await exists(location))) {
    out(`no snapshots at ${location}`);
    return;
  }
  const db = await openBufferLevel(location);
  try {
    await checkFormat(db, 'snapshots', { create: false });
    out(`snapshots ${location}`);
    const logger = { info: (): void => undefined, warn: (fields: Record<string, unknown>) => out(`corrupt manifest ${String(fields.key)}`) };
    for (const info of await readManifests(db, logger)) {
      let badChunks = 0;
      let chunkIndex = 0;
      const lines: string[] = [];
      for await (const [key, value] of db.iterator({ gte: chunkKey(info.snapshotId, 0), lte: chunkKey(info.snapshotId, 0xffffffff) })) {
        const index = key.readUInt32BE(5);
        const payload = decodeChunk(info.snapshotId, index, value);
        if (payload === null || index !== chunkIndex) badChunks += 1;
        if (payload !== null && options.describe !== undefined) lines.push(`  chunk ${index} size=${payload.byteLength} ${options.describe(payload)}`);
        chunkIndex += 1;
      }
      const ok = badChunks === 0 && chunkIndex === info.chunkCount;
      out(
        `snapshot id=${info.snapshotId} zxid=${zxidToHex(info.zxid)} chunks=${info.chunkCount} bytes=${info.byteCount} ` +
          `installed=${info.installed} checksum=${ok ? 'ok' : 'BAD'}`,
      );
      for (const line of lines) out(line);
    }
  } finally {
    await db.close();
  }
}

/**
 * The log's record and its on-disk encoding. A record is opaque bytes keyed
 * by zxid; txn-log never looks inside (STYLE §1).
 *
 * Entry layout, one Buffer per record so append allocates once:
 *   key   = [0x01][zxid u64 BE]            (9 bytes: big-endian sorts as bigint)
 *   value = [payload][crc32c u32 BE]       (CRC over key ++ payload)
 * The CRC covers the key too, so a value found under the wrong zxid fails.
 */
import { crc32c } from '@node-rs/crc32';

/** One logged txn: its zxid and the caller's encoded bytes. */
export interface LogRecord {
  readonly zxid: bigint;
  readonly bytes: Uint8Array;
}

/** Key prefix of metadata keys; sorts before every log entry. */
export const metaKeyPrefix = 0x00;
/** Key prefix of log entries. */
export const logKeyPrefix = 0x01;
/** Bytes of a log entry key. */
export const logKeyBytes = 9;
/** Bytes of the trailing checksum of every value. */
export const checksumBytes = 4;
/** Largest zxid (u64). */
export const zxidMax = 0xffffffffffffffffn;

/** Key of the log entry for `zxid`. */
export function logKey(zxid: bigint): Buffer {
  const key = Buffer.allocUnsafe(logKeyBytes);
  key[0] = logKeyPrefix;
  key.writeBigUInt64BE(zxid, 1);
  return key;
}

/** First key after every log entry (exclusive upper bound of the log range). */
export const logKeyEnd: Buffer = Buffer.from([logKeyPrefix + 1]);
/** First possible log key (inclusive lower bound). */
export const logKeyStart: Buffer = Buffer.from([logKeyPrefix]);

/** Key of a metadata entry. */
export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([metaKeyPrefix]), Buffer.from(name, 'utf8')]);
}

/**
 * Encodes one record as key ++ value in a single buffer; `entry.subarray(0,
 * logKeyBytes)` is the key and the rest the value.
 */
export function encodeLogEntry(record: LogRecord): Buffer {
  const payloadBytes = record.bytes.byteLength;
  // allocUnsafe: every byte is written below, and the buffer never reaches a client.
  const entry = Buffer.allocUnsafe(logKeyBytes + payloadBytes + checksumBytes);
  entry[0] = logKeyPrefix;
  entry.writeBigUInt64BE(record.zxid, 1);
  entry.set(record.bytes, logKeyBytes);
  const crc = crc32c(entry.subarray(0, logKeyBytes + payloadBytes));
  entry.writeUInt32BE(crc, logKeyBytes + payloadBytes);
  return entry;
}

/** Zxid of a log key; the caller has checked the prefix and length. */
export function zxidOfLogKey(key: Uint8Array): bigint {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readBigUInt64BE(1);
}

/** True when `key` is a well-formed log entry key. */
export function isLogKey(key: Uint8Array): boolean {
  return key.byteLength === logKeyBytes && key[0] === logKeyPrefix;
}

/** Decoded entry; `checksumOk` false means the payload must not be served. */
export interface DecodedEntry {
  readonly zxid: bigint;
  readonly bytes: Uint8Array;
  readonly checksumOk: boolean;
}

/** Decodes a stored key / value pair and verifies its checksum (paired check, STYLE §5). */
export function decodeLogEntry(key: Uint8Array, value: Uint8Array): DecodedEntry {
  const zxid = zxidOfLogKey(key);
  if (value.byteLength < checksumBytes) return { zxid, bytes: new Uint8Array(0), checksumOk: false };
  const payloadBytes = value.byteLength - checksumBytes;
  const bytes = value.subarray(0, payloadBytes);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const stored = view.getUint32(payloadBytes);
  const crc = crc32c(bytes, crc32c(key));
  return { zxid, bytes, checksumOk: crc === stored };
}

/**
 * The records today's election node keeps on its simulated disk. Each is
 * nine bytes: a tag and two unsigned 32-bit values.
 * - `epoch e`: the server's currentEpoch (ZooKeeper keeps it in a file);
 * - `txn e c`: a logged txn at zxid (e << 32 | c); only the last one matters
 *   to election, which proposes the last logged zxid;
 * - `decided leader peerEpoch`: written when the server decides, before it
 *   talks to its leader (the stand-in for ZAB's acceptedEpoch write, so the
 *   persist-before-send path and disk faults are exercised today).
 */
import { assert, makeZxid } from '@corral/base';
import type { LogPosition } from '@corral/election';

const recordBytes = 9;

/** Kinds of record, by tag byte. */
export const RecordTag = { epoch: 1, txn: 2, decided: 3 } as const;

function encode(tag: number, a: number, b: number): Uint8Array {
  assert(Number.isSafeInteger(a) && a >= 0 && a <= 0xffffffff, 'record field out of range');
  assert(Number.isSafeInteger(b) && b >= 0 && b <= 0xffffffff, 'record field out of range');
  const bytes = new Uint8Array(recordBytes);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, tag);
  view.setUint32(1, a);
  view.setUint32(5, b);
  return bytes;
}

/** A currentEpoch record. */
export const epochRecord = (epoch: number): Uint8Array => encode(RecordTag.epoch, epoch, 0);
/** A logged txn at zxid (epoch, counter). */
export const txnRecord = (epoch: number, counter: number): Uint8Array => encode(RecordTag.txn, epoch, counter);
/** A decision: the leader and its peer epoch. */
export const decidedRecord = (leader: number, peerEpoch: number): Uint8Array => encode(RecordTag.decided, leader, peerEpoch);

/** The log position election proposes, read from recovered records (later records win). */
export function positionOf(records: readonly Uint8Array[]): LogPosition {
  let currentEpoch = 0n;
  let lastLoggedZxid = 0n;
  for (const bytes of records) {
    assert(bytes.byteLength === recordBytes, 'records are nine bytes');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tag = view.getUint8(0);
    if (tag === RecordTag.epoch) currentEpoch = BigInt(view.getUint32(1));
    else if (tag === RecordTag.txn) lastLoggedZxid = makeZxid(view.getUint32(1), view.getUint32(5));
  }
  return { currentEpoch, lastLoggedZxid };
}

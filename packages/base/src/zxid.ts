/**
 * Zxids are 64-bit: epoch in the high 32 bits, counter in the low 32
 * (ZooKeeper's ZxidUtils). They are bigints everywhere: a number silently
 * loses precision above 2^53.
 */
import { assert } from './assert.js';

/** A ZooKeeper transaction id: epoch << 32 | counter. */
export type Zxid = bigint;

const counterMask = 0xffffffffn;

/** Builds a zxid from an epoch and a counter, both unsigned 32-bit. */
export function makeZxid(epoch: number, counter: number): Zxid {
  assert(Number.isInteger(epoch) && epoch >= 0 && epoch <= 0xffffffff, `epoch out of range: ${epoch}`);
  assert(Number.isInteger(counter) && counter >= 0 && counter <= 0xffffffff, `counter out of range: ${counter}`);
  return (BigInt(epoch) << 32n) | BigInt(counter);
}

/** The epoch half of a zxid. */
export function zxidEpoch(zxid: Zxid): number {
  return Number(zxid >> 32n);
}

/** The counter half of a zxid. */
export function zxidCounter(zxid: Zxid): number {
  return Number(zxid & counterMask);
}

/** "0x1a" form, as ZooKeeper prints zxids in logs and four-letter words. */
export function zxidToHex(zxid: Zxid): string {
  return `0x${zxid.toString(16)}`;
}

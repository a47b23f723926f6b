/**
 * When does zxid `next` directly follow `previous`? ZAB numbers txns with a
 * counter that goes +1 within an epoch; a new leader's first proposal is
 * counter 1 of a higher epoch (Leader.java: zxid = epoch << 32, then
 * ++counter). Anything else means a txn is missing.
 */
import { zxidCounter, zxidEpoch } from '@corral/base';
import { LogGapError } from './errors.js';

/** Decides whether `next` may directly follow `previous` in the log. */
export type ContiguityCheck = (previous: bigint, next: bigint) => boolean;

/** ZAB's rule: counter + 1 in the same epoch, or counter 1 of a later epoch. */
export const zabContiguous: ContiguityCheck = (previous, next) => {
  const previousEpoch = zxidEpoch(previous);
  const nextEpoch = zxidEpoch(next);
  if (nextEpoch === previousEpoch) return zxidCounter(next) === zxidCounter(previous) + 1;
  return nextEpoch > previousEpoch && zxidCounter(next) === 1;
};

/** Only requires zxids to increase (for callers that log sparse zxids). */
export const increasingOnly: ContiguityCheck = (previous, next) => next > previous;

/**
 * Checks that `next` may follow `previous`. Zxid 0 is "before everything":
 * an empty log with no base accepts any first zxid. With `check` false only
 * a strict increase is required (keys would otherwise overwrite).
 */
export function follows(check: ContiguityCheck | false, previous: bigint, next: bigint): boolean {
  if (next <= previous) return false;
  if (previous === 0n || check === false) return true;
  return check(previous, next);
}

/** The gap, if any, in `records` appended right after truncating to `zxid` (null: they follow it). */
export function rewriteGap(check: ContiguityCheck | false, zxid: bigint, records: readonly { readonly zxid: bigint }[]): LogGapError | null {
  let previous = zxid;
  for (const record of records) {
    if (!follows(check, previous, record.zxid)) return new LogGapError(previous, record.zxid, 'truncate and append');
    previous = record.zxid;
  }
  return null;
}

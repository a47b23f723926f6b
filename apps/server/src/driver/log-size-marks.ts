/**
 * How many log bytes lie in a zxid range, at least, without reading it. A
 * leader deciding between a DIFF from disk and a SNAP used to read every
 * record up to the DIFF's byte limit only to throw them away (~35,000
 * records, ~170 ms of its event loop, for a follower 100,000 txns behind).
 * ZooKeeper decides from its log files' sizes; this keeps a mark per durable
 * write instead: (last zxid written, bytes written so far). Records between
 * two marks are all in the log, so the bytes between them are a lower bound
 * on the range's bytes (records written before this process started, or cut
 * by a TRUNC, count as none). Only a lower bound above the limit is used.
 */
import type { Zxid } from '@corral/base';

/** Marks kept; the oldest go first (one per durable write, so ~1,000 writes of history per 1,000 marks). */
export const logSizeMarksMax = 100_000;

interface Mark {
  readonly zxid: Zxid;
  /** Bytes of the records written up to and including `zxid`, since tracking began. */
  readonly bytes: number;
}

/** Marks of the durable log writes, in zxid order. */
export class LogSizeMarks {
  private marks: Mark[] = [];
  private total = 0;

  /** Records were appended durably (in zxid order, above every mark). */
  appended(records: readonly { readonly zxid: Zxid; readonly bytes: Uint8Array }[]): void {
    const last = records.at(-1);
    if (last === undefined) return;
    // Not above the last mark (not expected: a rewrite comes with truncated or reset): start over.
    const first = records[0]?.zxid ?? last.zxid;
    if ((this.marks.at(-1)?.zxid ?? -1n) >= first) this.reset();
    // The first write tracked also marks where it starts: its own records count.
    if (this.marks.length === 0) this.marks.push({ zxid: first - 1n, bytes: this.total });
    for (const record of records) this.total += record.bytes.byteLength;
    this.marks.push({ zxid: last.zxid, bytes: this.total });
    if (this.marks.length > logSizeMarksMax) this.marks = this.marks.slice(this.marks.length - logSizeMarksMax / 2);
  }

  /**
   * The log was truncated to `zxid`: marks above it go (their records are
   * gone), and counting goes on from the last mark left, so the records
   * between it and `zxid` count as none.
   */
  truncated(zxid: Zxid): void {
    while ((this.marks.at(-1)?.zxid ?? -1n) > zxid) this.marks.pop();
    this.total = this.marks.at(-1)?.bytes ?? 0;
  }

  /** Records below `zxid` were purged: no mark may start a range below it. */
  purgedBelow(zxid: Zxid): void {
    const keep = this.firstAtOrAbove(zxid - 1n);
    if (keep > 0) this.marks = this.marks.slice(keep);
  }

  /** The log was emptied (a SNAP install resets it). */
  reset(): void {
    this.marks = [];
    this.total = 0;
  }

  /** At least this many bytes of records lie in [fromZxid, upToZxid]. */
  bytesAtLeast(fromZxid: Zxid, upToZxid: Zxid): number {
    // Records after mark `a` and up to mark `b` are all in the range: a.zxid >= fromZxid - 1, b.zxid <= upToZxid.
    const a = this.firstAtOrAbove(fromZxid - 1n);
    let b = this.firstAtOrAbove(upToZxid + 1n) - 1;
    if (b >= this.marks.length) b = this.marks.length - 1;
    const start = this.marks[a];
    const end = this.marks[b];
    if (start === undefined || end === undefined || b <= a) return 0;
    return end.bytes - start.bytes;
  }

  /** Index of the first mark with zxid >= `zxid` (marks.length when none). */
  private firstAtOrAbove(zxid: Zxid): number {
    let low = 0;
    let high = this.marks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.marks[middle]?.zxid ?? 0n) < zxid) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

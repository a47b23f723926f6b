/**
 * The run's trace: every delivery, event and fault folds into a hash, so
 * two runs of one seed can be compared by one value (STYLE §4: one test
 * runs a seed twice and compares the trace hashes). The last lines are kept
 * for failure reports; keeping them all would cost memory on long runs.
 */

/** Lines kept for the failure report. */
const recentLinesMax = 60;

/** Rolling trace hash plus the most recent lines. */
export class Trace {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;
  private readonly recent: string[] = [];
  private lineCount = 0;

  /** Folds integers in (cheap: used for every delivery). */
  mix(a: number, b: number, c: number, d: number): void {
    this.fold(a);
    this.fold(b);
    this.fold(c);
    this.fold(d);
  }

  /** Folds a line in and keeps it among the recent lines. */
  line(text: string): void {
    for (let i = 0; i < text.length; i++) this.fold(text.charCodeAt(i));
    this.lineCount++;
    this.recent.push(text);
    if (this.recent.length > recentLinesMax) this.recent.shift();
  }

  /** The hash so far, as 16 hex digits. */
  hash(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }

  /** The most recent lines, oldest first. */
  recentLines(): readonly string[] {
    return this.recent;
  }

  get lines(): number {
    return this.lineCount;
  }

  private fold(value: number): void {
    // FNV-1a in one lane, a multiply-rotate in the other: 64 bits together.
    this.h1 = Math.imul(this.h1 ^ (value & 0xffff), 0x01000193);
    this.h1 = Math.imul(this.h1 ^ (value >>> 16), 0x01000193);
    this.h2 = Math.imul((this.h2 << 5) | (this.h2 >>> 27), 0x9e3779b1) ^ value;
  }
}

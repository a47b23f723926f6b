/** Defaults of a fuzz campaign (STYLE §6: named limits). */
export const defaultLimits = {
  /** Attacker connections at once: enough to interleave, few enough for a shared 2-core machine. */
  workers: 4,
  /**
   * RSS bound for the server. A healthy server under this fuzz stays well
   * below it (its per-connection output limit is 64 MiB); 400 pipelined
   * 1 MiB reads that were all buffered took it to ~500 MiB (issue 7, item 6).
   */
  rssMaxBytes: 512 * 2 ** 20,
  /** One oracle read may take this long on a loaded machine before the server counts as hung. */
  replyDeadlineMs: 10_000,
  /** Seconds `npm test` fuzzes for. */
  testSeconds: 25,
} as const;

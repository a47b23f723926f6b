/**
 * How many learners this server synced as a leader, by kind (Apache's
 * ServerMetrics DIFF_COUNT and SNAP_COUNT, `mntr`'s zk_diff_count and
 * zk_snap_count). A TRUNC counts as a DIFF: the txns that follow it are a
 * diff, as in ZooKeeper's LearnerHandler. Kept for the process's life (`srst`
 * does not reset them, as Apache's metrics).
 */
export interface LearnerSyncCounts {
  diff: number;
  snap: number;
}

/** Counts one sync message a leader sent. */
export function countLearnerSync(counts: LearnerSyncCounts, type: 'DIFF' | 'TRUNC' | 'SNAP'): void {
  if (type === 'SNAP') counts.snap += 1;
  else counts.diff += 1;
}

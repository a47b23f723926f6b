/** Broadcast's limits as the server's Driver runs it, from zoo.cfg. */
import { defaultBroadcastLimits, type BroadcastLimits } from '@corral/broadcast';
import type { ServerConfig } from '../config/server-config.js';

/** Proposals in flight (proposed, not yet committed); above broadcast's default of 1,000. */
export const standalonePendingProposalsMax = 5_000;

/**
 * Broadcast's limits: zoo.cfg's initLimit and syncLimit in ticks, and room at
 * start-up for the log above the snapshot (up to snapCount txns, plus what
 * was logged while a snapshot was being written). A leader re-commits that
 * log and then prunes its window back to windowTxnsMax, so memory stays at
 * broadcast's default window; a learner syncing it holds as many.
 */
export function standaloneBroadcastLimits(config: Pick<ServerConfig, 'snapCount' | 'initLimit' | 'syncLimit' | 'commitLogCount'>): BroadcastLimits {
  const learnerPendingTxnsMax = Math.max(defaultBroadcastLimits.learnerPendingTxnsMax, config.snapCount + 20_000, config.commitLogCount);
  return {
    ...defaultBroadcastLimits,
    windowTxnsMax: config.commitLogCount,
    // Many clients' writes in flight at once: while one append is on the disk the next Ready
    // collects everything proposed meanwhile (broadcast's default of 1,000 halved throughput).
    // The window holds the proposals in flight too, so they stay below it.
    pendingProposalsMax: Math.min(standalonePendingProposalsMax, Math.floor(config.commitLogCount / 2)),
    learnerPendingTxnsMax,
    outboundMessagesPerPeerMax: Math.max(defaultBroadcastLimits.outboundMessagesPerPeerMax, 2 * learnerPendingTxnsMax + 4),
    initLimitTicks: config.initLimit,
    syncLimitTicks: config.syncLimit,
  };
}

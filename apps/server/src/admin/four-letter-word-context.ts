/**
 * What the four-letter words read: the server's state, reached through
 * plain values and providers so the words stay independent of the core
 * (the Driver, standalone or in an ensemble) and of the transport.
 */
import type { LearnerSyncCounts } from '../stats/learner-sync-counts.js';
import type { DataTree, WatchManager } from '@corral/data-tree';
import type { ServerConfig } from '../config/server-config.js';
import type { SessionTable } from '../session/session-table.js';
import type { ConnectionStats } from '../stats/connection-stats.js';
import type { ServerStats } from '../stats/server-stats.js';
import type { EnsembleReport } from './ensemble-report.js';

/** ZooKeeper version string Corral reports (clients and tools parse the leading "3.8.0"). */
export const reportedVersion = '3.8.0-corral, built on 2026-11-30 00:00 UTC';

/** One open client connection, as `cons` and `stat` list it. */
export interface ConnectionReport {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** NIO interest set: 1 reading, 4 output pending, 0 for a four-letter-word connection. */
  readonly interestOps: number;
  /** Requests in flight on this connection. */
  readonly queued: number;
  readonly stats: ConnectionStats;
  readonly session: { readonly id: bigint; readonly timeoutMs: number } | null;
}

/** Storage figures for `mntr` (zk_cnt_fsynctime etc.). */
export interface StorageReport {
  readonly fsyncCount: number;
  readonly fsyncMsSum: number;
  readonly fsyncMsMin: number;
  readonly fsyncMsMax: number;
  readonly logBytes: number;
  readonly snapshotBytes: number;
}

/** What the four-letter words read. */
export interface FourLetterWordContext {
  readonly config: ServerConfig;
  readonly tree: DataTree;
  readonly watches: WatchManager;
  readonly sessions: SessionTable;
  readonly stats: ServerStats;
  readonly connections: () => readonly ConnectionReport[];
  readonly outstandingRequests: () => number;
  readonly storage: () => StorageReport;
  readonly openFileDescriptorCount: () => number;
  readonly resetConnectionStats: () => void;
  readonly clock: () => number;
  /**
   * This server's role and ensemble state, asked once per word. Standalone:
   * `standaloneEnsembleReport(config)`; in an ensemble the Driver builds it
   * (the contract is in apps/server/README.md, "Four-letter words in an ensemble").
   */
  readonly ensemble: () => EnsembleReport;
  /** Learners synced by this server as a leader (zk_diff_count, zk_snap_count); zeros standalone. */
  readonly learnerSyncs: () => Readonly<LearnerSyncCounts>;
}

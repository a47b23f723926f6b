/**
 * How the Driver gets a role for its Replica and talks to peers: an
 * ensemble of one leads at once and has no peers (`SoloRole`); an ensemble
 * member runs fast leader election over its PeerNetwork and starts the
 * decided Leader or Learner (`EnsembleRole`). The Driver executes Readies;
 * the runner only routes broadcast messages and owns the role's lifetime.
 */
import type { LearnerSyncCounts } from '../stats/learner-sync-counts.js';
import type { OutMsg, Ready } from '@corral/broadcast';
import type { Replica } from '@corral/replica';
import type { EnsembleReport } from '../admin/ensemble-report.js';
import type { Logger } from '../logger.js';
import type { DriverDisk } from './driver-disk.js';

/** What a runner needs from its Driver. */
export interface RoleHost {
  readonly replica: Replica;
  readonly disk: DriverDisk;
  readonly logger: Logger;
  /** True when the Replica is LOOKING and nothing of the previous role is outstanding. */
  idle(): boolean;
  scheduleTurn(): void;
  /** The server cannot continue (storage failed): never acknowledge; the caller exits. */
  fatal(error: unknown): void;
}

/** ZooKeeper's names of this server's state (`srvr` Mode). */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'looking';

/** The role side of the Driver. */
export interface RoleRunner {
  readonly mode: ServerMode;
  /** Learners synced while leading (mntr's zk_diff_count, zk_snap_count). */
  readonly learnerSyncs: Readonly<LearnerSyncCounts>;
  /** Once per turn, before Readies are taken: election output, a decided role started. */
  pump(): void;
  /** One base tick (election time, connect retries). */
  tick(): void;
  /** Broadcast messages of a Ready to peers (a message to this server is never passed here). */
  send(messages: readonly OutMsg[]): void;
  /** `Ready.disconnect`: close these learner streams. */
  disconnect(refs: Ready['disconnect']): void;
  /** The role's machine stopped and its last Ready was advanced: back to election. */
  stopped(reason: string, rebuildAtOrBelow: bigint | null): void;
  /** What the four-letter words print about the role (admin/role-reports.ts), built now. */
  ensembleReport(): EnsembleReport;
  /** The role is established (serving) or lost. */
  roleChanged(role: Replica['role']): void;
  close(): Promise<void>;
}

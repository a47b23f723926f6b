/**
 * An ensemble of one (the standalone server): it leads from start-up, has
 * no peers, and a stop of its Leader is fatal — nothing could elect it again.
 */
import { assert, type Zxid } from '@corral/base';
import { Leader, MajorityQuorum, type BroadcastLimits, type OutMsg, type Ready } from '@corral/broadcast';
import type { Replica } from '@corral/replica';
import { standaloneEnsembleReport, type EnsembleReport } from '../admin/ensemble-report.js';
import type { ServerConfig } from '../config/server-config.js';
import type { RoleHost, RoleRunner, ServerMode } from './role-runner.js';

/** The standalone server's role. */
export class SoloRole implements RoleRunner {
  readonly mode: ServerMode = 'standalone';
  /** An ensemble of one has no learners. */
  readonly learnerSyncs = { diff: 0, snap: 0 };
  private readonly host: RoleHost;
  private readonly report: EnsembleReport;

  private constructor(host: RoleHost, config: ServerConfig) {
    this.host = host;
    this.report = standaloneEnsembleReport(config);
  }

  /** Leads at once, from what is on disk. */
  static async start(host: RoleHost, config: ServerConfig, sid: number, limits: BroadcastLimits): Promise<SoloRole> {
    const applied: Zxid = host.replica.dataTree.lastProcessedZxid;
    const state = await host.disk.initialState(applied);
    host.replica.lead(new Leader({ sid, quorum: new MajorityQuorum([sid]), observers: [], limits, state }));
    return new SoloRole(host, config);
  }

  pump(): void {
    // Nothing to elect.
  }

  tick(): void {
    // The Replica's tick is the Driver's.
  }

  send(messages: readonly OutMsg[]): void {
    assert(messages.length === 0, 'an ensemble of one has no peers to send to');
  }

  disconnect(refs: Ready['disconnect']): void {
    assert(refs.length === 0, 'an ensemble of one has no learner streams');
  }

  stopped(reason: string): void {
    this.host.fatal(new Error(`the leader of an ensemble of one stopped: ${reason}`));
  }

  ensembleReport(): EnsembleReport {
    return this.report;
  }

  roleChanged(_role: Replica['role']): void {
    // Always leading.
  }

  async close(): Promise<void> {
    // No resources of its own.
  }
}

/**
 * LeaderLatch (Curator): a candidate that stays in the election until
 * closed and reports whether it leads. Leadership is conservative: it is
 * dropped ('notLeader') as soon as the connection is suspended, because the
 * session may expire unseen, and regained ('isLeader') only after the
 * reconnect confirms the node is still first.
 */
import { EventEmitter } from 'node:events';
import type { CallOptions, ZkClient } from '../client.js';
import type { ConnectionState } from '../session.js';
import { abortReason } from '../errors.js';
import { retryOnLoss } from './common.js';
import { LeaderElection } from './leader-election.js';
import { contenders } from './lock-queue.js';
import type { Lease } from './lease.js';

/** Events: 'isLeader' (lease), 'notLeader', 'failed' (the campaign failed, e.g. session expired). */
export class LeaderLatch extends EventEmitter {
  private readonly election: LeaderElection;
  private readonly controller = new AbortController();
  private lease: Lease | null = null;
  private leading = false;
  private running: Promise<void> | null = null;
  private readonly onState = (state: ConnectionState): void => {
    if (state === 'suspended' || state === 'expired' || state === 'closed') this.setLeading(false);
    if (state === 'connected' && this.lease !== null) void this.recheck();
  };

  constructor(
    private readonly client: ZkClient,
    dir: string,
    readonly id: string,
  ) {
    super();
    this.election = new LeaderElection(client, dir);
  }

  /** Joins the election (once). */
  start(): void {
    if (this.running !== null) return;
    this.client.on('state', this.onState);
    this.running = this.election.campaign(this.id, { signal: this.controller.signal }).then(
      (lease) => {
        this.lease = lease;
        this.setLeading(this.client.state === 'connected');
      },
      (error: unknown) => {
        if (!this.controller.signal.aborted) this.emit('failed', error);
      },
    );
  }

  /** True while this latch leads and its connection is up. */
  hasLeadership(): boolean {
    return this.leading;
  }

  /** The lease while leading (its fencing token orders leaders). */
  get currentLease(): Lease | null {
    return this.leading ? this.lease : null;
  }

  /** Resolves once leading. */
  await(options: CallOptions = {}): Promise<Lease> {
    if (this.leading) return Promise.resolve(this.lease!);
    return new Promise((resolve, reject) => {
      const onLeader = (lease: Lease): void => done(() => resolve(lease));
      const onError = (error: Error): void => done(() => reject(error));
      const onAbort = (): void => done(() => reject(abortReason(options.signal!)));
      const done = (settle: () => void): void => {
        this.off('isLeader', onLeader);
        this.off('failed', onError);
        options.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      this.on('isLeader', onLeader);
      this.on('failed', onError);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Leaves the election (deleting the candidate node). Idempotent. */
  async close(): Promise<void> {
    this.controller.abort();
    this.client.off('state', this.onState);
    await this.running;
    this.setLeading(false);
    await this.lease?.release();
    this.lease = null;
    this.removeAllListeners();
  }

  private async recheck(): Promise<void> {
    const lease = this.lease!;
    const dir = this.election.dir;
    try {
      const children = await retryOnLoss(this.client, () => this.client.getChildren(dir));
      const first = contenders(children, ['candidate-'])[0];
      this.setLeading(first !== undefined && `${dir}/${first}` === lease.path && this.client.state === 'connected');
    } catch (error) {
      this.emit('failed', error);
    }
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (leading) this.emit('isLeader', this.lease);
    else this.emit('notLeader');
  }
}

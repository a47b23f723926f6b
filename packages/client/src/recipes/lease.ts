/**
 * Lease: what a lock, semaphore or election hands to its holder. It holds
 * the node that grants it, the fencing token (that node's czxid), and a
 * signal aborted when the lease may be gone: the session expired or the
 * client closed. While the connection is only suspended the lease still
 * holds on the server, but the holder cannot know for how long — that gap
 * is what the fencing token closes (see the README).
 */
import type { ZkClient } from '../client.js';
import type { ConnectionState } from '../session.js';
import { deleteQuietly } from './common.js';

/** A held lock, permit or leadership. */
export class Lease {
  /** Aborted when the session expires or the client closes: stop using the resource. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private released = false;
  private readonly onState = (state: ConnectionState): void => {
    if (state === 'expired' || state === 'closed') this.controller.abort(new Error(`lease lost: session ${state}`));
  };

  constructor(
    private readonly client: ZkClient,
    /** The node whose existence is the lease. */
    readonly path: string,
    /**
     * The node's czxid. Later leases on the same lock have larger tokens, so
     * a resource that remembers the largest token it has seen can refuse a
     * holder whose lease was lost (Kleppmann's fencing token).
     */
    readonly fencingToken: bigint,
    /** Runs after the node is deleted on release (e.g. removing stray duplicates). */
    private readonly afterRelease: () => Promise<void> = async () => undefined,
  ) {
    this.signal = this.controller.signal;
    client.on('state', this.onState);
    if (client.state === 'expired' || client.state === 'closed') this.onState(client.state);
  }

  /** Gives the lease back (deletes its node). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.client.off('state', this.onState);
    await deleteQuietly(this.client, this.path);
    if (this.client.state !== 'expired' && this.client.state !== 'closed') await this.afterRelease();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

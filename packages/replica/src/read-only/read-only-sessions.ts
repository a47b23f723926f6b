/**
 * The sessions a read-only server created itself (ZooKeeper's
 * ReadOnlyZooKeeperServer makes them local: they never reach a leader and
 * never enter the replicated table). They expire here, in ticks, as a local
 * session tracker's do; the server forgets them all when it rejoins a quorum.
 * Pure: time is counted in ticks.
 */
import { assert } from '@corral/base';
import { SessionExpiry } from '../session/session-expiry.js';

/** Local sessions of a read-only server, with their timeouts and deadlines. */
export class ReadOnlySessions {
  private readonly timeouts = new Map<bigint, number>();
  private readonly expiry: SessionExpiry;

  constructor(options: { tickMs: number }) {
    this.expiry = new SessionExpiry({ tickMs: options.tickMs });
  }

  get size(): number {
    return this.timeouts.size;
  }

  has(sessionId: bigint): boolean {
    return this.timeouts.has(sessionId);
  }

  add(sessionId: bigint, timeoutMs: number): void {
    assert(!this.timeouts.has(sessionId), 'a read-only session id is handed out once');
    this.timeouts.set(sessionId, timeoutMs);
    this.expiry.touch(sessionId, timeoutMs);
  }

  /** Activity on a session pushes its deadline out (sessions that are not local here are ignored). */
  touch(sessionId: bigint): void {
    const timeoutMs = this.timeouts.get(sessionId);
    if (timeoutMs !== undefined) this.expiry.touch(sessionId, timeoutMs);
  }

  remove(sessionId: bigint): void {
    this.timeouts.delete(sessionId);
    this.expiry.remove(sessionId);
  }

  /** One tick: the sessions whose deadline passed, now forgotten. */
  tick(): bigint[] {
    const expired = this.expiry.tick();
    for (const sessionId of expired) this.timeouts.delete(sessionId);
    return expired;
  }
}

/**
 * Lets the Lock and Election services wait for the tree to change without a
 * ZooKeeper watch (their replies go to unary calls, not to a session's
 * stream). After txns are applied, one check per event-loop turn wakes every
 * waiter whose condition holds; nothing runs while nobody waits.
 */
import { ZkCode, ZkError } from '@corral/base';
import { recipeWaitersMax } from './limits.js';

interface Waiter {
  readonly ready: () => boolean;
  readonly wake: () => void;
}

/** Wakes waiters when the applied tree satisfies their condition. */
export class TreeWaiters {
  private readonly waiters = new Set<Waiter>();
  private scheduled = false;
  private closed = false;

  /** Waiting at the moment. */
  get size(): number {
    return this.waiters.size;
  }

  /** Called after every applied txn. */
  onApplied(): void {
    if (this.scheduled || this.waiters.size === 0) return;
    this.scheduled = true;
    setImmediate(() => this.check());
  }

  /**
   * Resolves once `ready()` holds (checked now and after each applied batch),
   * or rejects when `signal` aborts or the waiters close.
   */
  async until(ready: () => boolean, signal: AbortSignal): Promise<void> {
    if (this.closed) throw new ZkError(ZkCode.CONNECTIONLOSS, { message: 'server is shutting down' });
    signal.throwIfAborted();
    if (ready()) return;
    if (this.waiters.size >= recipeWaitersMax) throw new ZkError(ZkCode.THROTTLEDOP, { message: `more than ${recipeWaitersMax} lock and election waiters` });
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(signal.reason instanceof Error ? signal.reason : new ZkError(ZkCode.OPERATIONTIMEOUT));
      };
      const waiter: Waiter = {
        ready,
        wake: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private check(): void {
    this.scheduled = false;
    for (const waiter of this.waiters) {
      if (!waiter.ready()) continue;
      this.waiters.delete(waiter);
      waiter.wake();
    }
  }

  /** Wakes everyone (their next step sees the server closing) and refuses new waits. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters) waiter.wake();
    this.waiters.clear();
  }
}

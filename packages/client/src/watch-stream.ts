/**
 * WatchStream: a persistent watch as an async iterator. Events are buffered
 * (at most watchIteratorEventsMax; beyond that the iterator fails rather
 * than grow), the watch is added on the first next() and removed when the
 * loop ends (return), the signal aborts, or the session ends.
 */
import { ClientClosedError, ClientLimitError, abortReason, sessionExpired } from './errors.js';
import { watchIteratorEventsMax } from './limits.js';
import type { ConnectionState, Session } from './session.js';
import type { WatchEvent, Watcher } from './watch-registry.js';

/** Options of a WatchStream. */
export interface WatchStreamOptions {
  start: (watcher: Watcher) => Promise<void>;
  stop: (watcher: Watcher) => Promise<void>;
  session: Session;
  signal?: AbortSignal;
}

/** See the file comment. */
export class WatchStream implements AsyncIterableIterator<WatchEvent> {
  private readonly buffer: WatchEvent[] = [];
  private waiter: { resolve: (result: IteratorResult<WatchEvent>) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;
  private done = false;
  private started: Promise<void> | null = null;
  private readonly watcher: Watcher = (event) => this.push(event);
  private readonly onState = (state: ConnectionState): void => {
    if (state === 'expired') this.fail(sessionExpired());
    else if (state === 'closed') this.fail(new ClientClosedError());
  };
  private readonly onAbort = (): void => this.fail(abortReason(this.options.signal!));

  constructor(private readonly options: WatchStreamOptions) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<WatchEvent>> {
    if (this.started === null) {
      this.options.session.on('state', this.onState);
      this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.started = this.options.start(this.watcher);
      try {
        await this.started;
      } catch (error) {
        this.fail(error as Error);
      }
    }
    const event = this.buffer.shift();
    if (event !== undefined) return { value: event, done: false };
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      throw failure;
    }
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<WatchEvent>> {
    await this.end();
    return { value: undefined, done: true };
  }

  private push(event: WatchEvent): void {
    if (this.done) return;
    if (this.waiter !== null) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.buffer.length >= watchIteratorEventsMax) {
      this.fail(new ClientLimitError(`more than ${watchIteratorEventsMax} unread watch events`));
      return;
    }
    this.buffer.push(event);
  }

  private fail(error: Error): void {
    if (this.done) return;
    const waiter = this.waiter;
    this.waiter = null;
    void this.end();
    if (waiter !== null) waiter.reject(error);
    else this.failure = error;
  }

  private async end(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.options.session.off('state', this.onState);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (this.waiter !== null) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter.resolve({ value: undefined, done: true });
    }
    if (this.started !== null && this.options.session.state !== 'closed' && this.options.session.state !== 'expired') {
      await this.options.stop(this.watcher);
    }
  }
}

/**
 * A recorded concurrent history: each operation with the logical time it was
 * invoked and the time its answer arrived. Times come from one monotonic
 * counter of the recorder (the simulator's step, or a shared sequence in a
 * real-process test), never from wall clocks of different processes.
 */
export interface Operation<Input, Output> {
  /** The client (session) that issued it; one client has one operation in flight at a time or several in FIFO order. */
  readonly clientId: number;
  /** When the request was sent. */
  readonly call: number;
  /** When the answer arrived; `null` when it never did (the operation may or may not have happened). */
  readonly ret: number | null;
  readonly input: Input;
  /** The answer; `null` exactly when `ret` is null. */
  readonly output: Output | null;
  /** The handle HistoryRecorder gave its invocation, so the caller can tell what it knows of it. */
  readonly handle?: number;
}

/** Collects a history from concurrent clients with one logical clock. */
export class HistoryRecorder<Input, Output> {
  private time = 0;
  private readonly pending = new Map<number, { clientId: number; call: number; input: Input; handle: number }>();
  private readonly done: Operation<Input, Output>[] = [];
  private nextHandle = 0;

  /** Records an invocation; returns a handle for its answer. */
  invoke(clientId: number, input: Input): number {
    const handle = this.nextHandle++;
    this.pending.set(handle, { clientId, call: this.time++, input, handle });
    return handle;
  }

  /** Records the answer of an invocation. */
  complete(handle: number, output: Output): void {
    const entry = this.pending.get(handle);
    if (entry === undefined) throw new Error(`unknown or completed handle ${handle}`);
    this.pending.delete(handle);
    this.done.push({ ...entry, ret: this.time++, output });
  }

  /** Records that an invocation's answer will never be known (timeout, connection loss, crash). */
  abandon(handle: number): void {
    const entry = this.pending.get(handle);
    if (entry === undefined) throw new Error(`unknown or completed handle ${handle}`);
    this.pending.delete(handle);
    this.done.push({ ...entry, ret: null, output: null });
  }

  /** The history so far; invocations still pending count as abandoned. */
  operations(): Operation<Input, Output>[] {
    const open = [...this.pending.values()].map((entry) => ({ ...entry, ret: null, output: null }));
    return [...this.done, ...open];
  }
}

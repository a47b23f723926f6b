/**
 * One simulated ensemble: the Driver of STYLE §3 for every server at once,
 * synchronous and deterministic. Each step, in this order:
 * 1. fsyncs due complete: `persisted` goes to the node and the messages
 *    held for that write leave; a failed fsync crashes the server;
 * 2. messages due are delivered (`step`), in (delivery step, send order);
 * 3. servers whose clock ticks on this step `tick`, in sid order;
 * 4. every server with output has its Ready executed: `send` leaves,
 *    `persist` becomes one disk write, `sendAfterPersist` waits for it,
 *    events go to the checkers, then `advance`.
 * Checkers look at every event and, after a step with output, at the views.
 */
import { AssertionError, assert } from '@corral/base';
import type { ServerId } from '@corral/base';
import type { CheckContext, Checker, Violation } from './checkers/checker.js';
import type { SimClock } from './clock.js';
import type { SimDisk } from './disk.js';
import type { Network } from './network.js';
import type { Envelope, NodeEvent, NodeFactory, SimNode } from './node.js';
import type { Trace } from './trace.js';

/** Options of {@link Simulation}. */
export interface SimulationOptions<M extends { readonly kind: string }, V, E extends NodeEvent> {
  readonly voters: readonly ServerId[];
  readonly observers: readonly ServerId[];
  readonly factory: NodeFactory<M, V, E>;
  readonly clock: SimClock;
  readonly network: Network<M>;
  readonly disks: ReadonlyMap<ServerId, SimDisk>;
  readonly checkers: readonly Checker<V, E>[];
  readonly trace: Trace;
}

/** Counters for the run summary. */
export interface SimulationStats {
  crashCount: number;
  restartCount: number;
  eventCount: number;
}

/** N servers, their network, disks and clocks, and the checkers watching them. */
export class Simulation<M extends { readonly kind: string }, V, E extends NodeEvent> {
  readonly stats: SimulationStats = { crashCount: 0, restartCount: 0, eventCount: 0 };
  readonly violations: Violation[] = [];
  readonly members: readonly ServerId[];
  private readonly options: SimulationOptions<M, V, E>;
  private readonly nodes = new Map<ServerId, SimNode<M, V, E>>();
  /** Servers whose process is stopped (SIGSTOP): no ticks, no deliveries (their links are clogged), no Readies. */
  private readonly paused = new Set<ServerId>();
  /** Messages that reached a paused server anyway (a heal unclogged its links): its socket buffers. */
  private readonly pausedInbox = new Map<ServerId, { from: ServerId; message: M }[]>();
  /** Messages waiting for a write to be durable, by server and write id. */
  private readonly afterPersist = new Map<ServerId, Map<number, readonly Envelope<M>[]>>();

  constructor(options: SimulationOptions<M, V, E>) {
    this.options = options;
    this.members = [...options.voters, ...options.observers];
    for (const sid of this.members) this.start(sid);
  }

  get now(): number {
    return this.options.clock.now;
  }

  get network(): Network<M> {
    return this.options.network;
  }

  disk(sid: ServerId): SimDisk {
    const disk = this.options.disks.get(sid);
    assert(disk !== undefined, `no disk for ${sid}`);
    return disk;
  }

  isUp(sid: ServerId): boolean {
    return this.nodes.has(sid);
  }

  /** The running node of `sid` (a new object after each restart), for client workloads. */
  nodeOf(sid: ServerId): SimNode<M, V, E> | undefined {
    return this.nodes.get(sid);
  }

  /** Runs one step (see the file comment). Stops at the first violation. */
  step(): void {
    if (this.violations.length > 0) return;
    try {
      this.stepUnchecked();
    } catch (error) {
      // The reporting boundary: a node's failed assertion is this seed's
      // failure, reported with its repro command instead of ending the run of seeds.
      if (!(error instanceof AssertionError)) throw error;
      this.violations.push({ checker: 'assertion', step: this.now, message: error.message });
    }
    this.options.clock.advance();
  }

  /** The process of `sid` dies: unsynced writes are lost and its inbound messages vanish. */
  crash(sid: ServerId, tearTail: boolean): void {
    if (!this.nodes.delete(sid)) return;
    // A paused process can die too: its links unclog, and what waited for it is dropped below.
    this.pausedInbox.delete(sid);
    this.resume(sid);
    this.stats.crashCount++;
    this.disk(sid).crash();
    if (tearTail) this.disk(sid).tearTail();
    this.afterPersist.delete(sid);
    this.network.dropTo(sid);
    this.options.trace.line(`${this.now} crash ${sid}${tearTail ? ' torn' : ''}`);
  }

  /**
   * Stops the process of `sid` as SIGSTOP does: its clock does not tick, messages to and from it
   * wait in the network (clogged) and its disk's completions wait too, until `resume`.
   */
  pause(sid: ServerId): void {
    if (this.paused.has(sid) || !this.nodes.has(sid)) return;
    this.paused.add(sid);
    this.options.trace.line(`${this.now} pause ${sid}`);
    for (const other of this.members) {
      if (other === sid) continue;
      this.network.clog(sid, other);
      this.network.clog(other, sid);
    }
  }

  /** SIGCONT: the process of `sid` runs again, still believing what it believed. */
  resume(sid: ServerId): void {
    if (!this.paused.delete(sid)) return;
    const node = this.nodes.get(sid);
    for (const held of this.pausedInbox.get(sid) ?? []) node?.step(held.from, held.message);
    this.pausedInbox.delete(sid);
    this.options.trace.line(`${this.now} resume ${sid}`);
    for (const other of this.members) {
      if (other === sid) continue;
      this.network.unclog(sid, other, this.now);
      this.network.unclog(other, sid, this.now);
    }
  }

  isPaused(sid: ServerId): boolean {
    return this.paused.has(sid);
  }

  /** Restarts `sid` from what its disk recovers. */
  restart(sid: ServerId): void {
    if (this.nodes.has(sid)) return;
    this.stats.restartCount++;
    this.options.trace.line(`${this.now} restart ${sid}`);
    this.start(sid);
  }

  /** The views of the servers that are up, for checkers and goals. */
  context(): CheckContext<V> {
    const views = new Map<ServerId, V>();
    for (const [sid, node] of this.nodes) views.set(sid, node.view());
    return { now: this.now, views, voters: this.options.voters, observers: this.options.observers };
  }

  private start(sid: ServerId): void {
    const node = this.options.factory({ sid, recovered: this.disk(sid).recover() });
    // Insert in sid order so that iteration (ticks, Ready processing) never depends on restart order.
    const entries = [...this.nodes.entries(), [sid, node] as const].sort((a, b) => a[0] - b[0]);
    this.nodes.clear();
    for (const [s, n] of entries) this.nodes.set(s, n);
    this.afterPersist.set(sid, new Map());
  }

  private stepUnchecked(): void {
    const now = this.now;
    const trace = this.options.trace;
    for (const sid of this.members) if (!this.paused.has(sid)) this.completeFsyncs(sid, now);
    for (const m of this.network.deliverDue(now)) {
      const node = this.nodes.get(m.to);
      if (node === undefined) continue;
      if (this.paused.has(m.to)) {
        const inbox = this.pausedInbox.get(m.to) ?? [];
        inbox.push({ from: m.from, message: m.message });
        this.pausedInbox.set(m.to, inbox);
        continue;
      }
      trace.mix(now, m.from, m.to, m.message.kind.length);
      node.step(m.from, m.message);
    }
    for (const sid of this.options.clock.dueTicks()) if (!this.paused.has(sid)) this.nodes.get(sid)?.tick();
    let output = false;
    for (const node of this.nodes.values()) {
      if (this.paused.has(node.sid) || !node.hasReady()) continue;
      output = true;
      try {
        this.execute(node, now);
      } catch (error) {
        // Name the server whose assertion failed, for the failure report.
        if (error instanceof AssertionError) throw new AssertionError(`server ${node.sid}: ${error.message}`);
        throw error;
      }
      if (this.violations.length > 0) return;
    }
    if (output) this.checkState();
  }

  private completeFsyncs(sid: ServerId, now: number): void {
    for (const result of this.disk(sid).completeDue(now)) {
      const node = this.nodes.get(sid);
      if (node === undefined) return;
      if (!result.ok) {
        // Corral's storage path exits on a failed fsync; restart recovers from the log (STYLE §5).
        this.crash(sid, false);
        return;
      }
      node.persisted(result.writeId);
      const held = this.afterPersist.get(sid);
      for (const envelope of held?.get(result.writeId) ?? []) this.send(node, envelope, now);
      held?.delete(result.writeId);
    }
  }

  private execute(node: SimNode<M, V, E>, now: number): void {
    const ready = node.ready();
    for (const envelope of ready.send) this.send(node, envelope, now);
    let writeId: number | null = null;
    if (ready.persist.length > 0) {
      writeId = this.disk(node.sid).write(ready.persist, now);
      if (ready.sendAfterPersist.length > 0) this.afterPersist.get(node.sid)?.set(writeId, ready.sendAfterPersist);
    } else {
      for (const envelope of ready.sendAfterPersist) this.send(node, envelope, now);
    }
    if (ready.events.length > 0) {
      const context = this.context();
      for (const event of ready.events) {
        this.stats.eventCount++;
        this.options.trace.line(`${now} ${event.text}`);
        for (const checker of this.options.checkers) this.report(checker.name, checker.onEvent?.(event, context) ?? null);
      }
    }
    node.advance(ready, writeId);
  }

  private send(node: SimNode<M, V, E>, envelope: Envelope<M>, now: number): void {
    const leaving = node.leaving?.(envelope) ?? envelope;
    this.network.send(node.sid, leaving.to, leaving.message, now);
  }

  private checkState(): void {
    const withHook = this.options.checkers.filter((c) => c.afterStep !== undefined);
    if (withHook.length === 0) return;
    const context = this.context();
    for (const checker of withHook) this.report(checker.name, checker.afterStep?.(context) ?? null);
  }

  private report(checker: string, message: string | null): void {
    if (message !== null) this.violations.push({ checker, step: this.now, message });
  }
}

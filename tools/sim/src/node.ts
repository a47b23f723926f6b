/**
 * The node abstraction the simulator drives: the Ready shape of STYLE §2
 * seen from outside. The simulator plays the Driver of §3 for each server:
 * it steps delivered messages, ticks on the server's own clock, and, when
 * the node has a Ready, sends `send` at once, writes `persist` as one group
 * commit, sends `sendAfterPersist` only once that write is durable, reports
 * the fsync result with `persisted`, and then calls `advance`.
 *
 * Today's node is the election machine plus ZAB's step-down rule
 * (election-node.ts). The replica+broadcast stack plugs in by implementing
 * this interface over `packages/replica` and mapping its Ready onto
 * NodeReady (broadcast's `append`/`hardState` become `persist`,
 * `messagesAfterPersist` becomes `sendAfterPersist`).
 */
import type { ServerId } from '@corral/base';

/** A message to one peer. */
export interface Envelope<M> {
  readonly to: ServerId;
  readonly message: M;
}

/** Something a checker must see, emitted by a node in its Ready (decisions, role changes, commits later). */
export interface NodeEvent {
  readonly kind: string;
  /** One line for the trace and for failure reports. */
  readonly text: string;
}

/** One batch of a node's output (STYLE §2). */
export interface NodeReady<M, E extends NodeEvent = NodeEvent> {
  /** Messages that may leave now. */
  readonly send: readonly Envelope<M>[];
  /** Records to write as one group commit. */
  readonly persist: readonly Uint8Array[];
  /** Messages that may leave only once `persist` is durable (ACKs, STYLE §2). */
  readonly sendAfterPersist: readonly Envelope<M>[];
  readonly events: readonly E[];
}

/** What the simulator gives a node when it starts or restarts. */
export interface NodeStart {
  readonly sid: ServerId;
  /** The records a restart recovered from the server's disk, oldest first. */
  readonly recovered: readonly Uint8Array[];
}

/** One server as the simulator sees it. */
export interface SimNode<M, V, E extends NodeEvent = NodeEvent> {
  readonly sid: ServerId;
  /** A message from a peer. Malformed or unexpected input is ignored, never asserted. */
  step(from: ServerId, message: M): void;
  /** One tick of this server's clock. */
  tick(): void;
  /** The fsync of a `persist` batch finished (I/O results are inputs, STYLE §2). */
  persisted(writeId: number): void;
  hasReady(): boolean;
  ready(): NodeReady<M, E>;
  /** Acknowledges the Ready last returned; `writeId` names its `persist` write, or null if it had none. */
  advance(ready: NodeReady<M, E>, writeId: number | null): void;
  /** A read-only view of the node's state, for checkers. */
  view(): V;
  /**
   * Called as each message is handed to the network, in the order they leave (a message held
   * for an fsync leaves after those sent meanwhile): a node numbering its streams does it here.
   */
  leaving?(envelope: Envelope<M>): Envelope<M>;
}

/** Creates a node for a server on start and on every restart. */
export type NodeFactory<M, V, E extends NodeEvent = NodeEvent> = (start: NodeStart) => SimNode<M, V, E>;

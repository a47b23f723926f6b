/**
 * The leader's learners, one handle per open stream, and the sending to them:
 * every message to a learner names its stream, a learner whose Ready queue
 * passes outboundMessagesPerPeerMax is dropped, a dropped learner's stream is
 * closed. Also the per-learner half of the liveness check (ZooKeeper's
 * LearnerHandler.ping / Leader.lead loop): silent learners are dropped.
 */
import type { BroadcastLimits } from './limits.js';
import { isForwarding, type LearnerHandle } from './learner-handle.js';
import type { ReadyBuilder } from './ready-builder.js';
import type { PeerMsg, ServerId } from './types.js';

/** The learners of one leader and the Ready their messages go into. */
export class LearnerStreams {
  private readonly handles = new Map<ServerId, LearnerHandle>();
  private readonly builder: ReadyBuilder;
  private readonly limits: BroadcastLimits;
  /** Called when a learner is dropped (its epoch no longer counts in discovery). */
  private readonly onDrop: (sid: ServerId) => void;

  constructor(builder: ReadyBuilder, limits: BroadcastLimits, onDrop: (sid: ServerId) => void) {
    this.builder = builder;
    this.limits = limits;
    this.onDrop = onDrop;
  }

  get(sid: ServerId): LearnerHandle | undefined {
    return this.handles.get(sid);
  }

  has(sid: ServerId): boolean {
    return this.handles.has(sid);
  }

  add(h: LearnerHandle): void {
    this.handles.set(h.sid, h);
  }

  all(): IterableIterator<LearnerHandle> {
    return this.handles.values();
  }

  /** Voters and observers that acknowledged NEWLEADER. */
  synced(): LearnerHandle[] {
    return [...this.handles.values()].filter((h) => h.state === 'synced');
  }

  /** The stream of `sid` closed (driver): forget it, unless it already reconnected on another. */
  closed(sid: ServerId, stream: number): void {
    if (this.handles.get(sid)?.stream !== stream) return;
    this.handles.delete(sid);
    this.onDrop(sid);
  }

  sendTo(h: LearnerHandle, msg: PeerMsg): void {
    const count = this.builder.send(h.sid, msg, false, h.stream);
    if (count > this.limits.outboundMessagesPerPeerMax) this.drop(h, 'outbound limit');
  }

  /**
   * Sends `msg` to every learner that synchronises or is synchronised (voters only with
   * `votersOnly`). Iterates the live map: a send drops at most the learner it went to.
   */
  sendToForwarding(msg: PeerMsg, votersOnly = false): void {
    for (const h of this.handles.values()) if (isForwarding(h) && !(votersOnly && h.observer)) this.sendTo(h, msg);
  }

  /** Gives up on a learner: its stream is closed (it goes LOOKING). The reason is for debugging. */
  drop(h: LearnerHandle, _reason: string): void {
    this.handles.delete(h.sid);
    this.onDrop(h.sid);
    this.builder.disconnectPeer({ sid: h.sid, stream: h.stream });
  }

  /** The leader stops: every stream closes. */
  dropAll(): void {
    for (const h of this.handles.values()) this.builder.disconnectPeer({ sid: h.sid, stream: h.stream });
    this.handles.clear();
  }

  /**
   * One tick of broadcast: learners silent beyond syncLimit (synced) or initLimit (still
   * synchronising) are dropped, the others pinged. Returns the sids of the synced ones left.
   */
  tick(tickCount: number): ServerId[] {
    for (const h of [...this.handles.values()]) {
      const limit = h.state === 'synced' ? this.limits.syncLimitTicks : this.limits.initLimitTicks;
      if (tickCount - h.lastHeardTick > limit) this.drop(h, 'learner silent');
      else if (isForwarding(h)) this.sendTo(h, { type: 'PING' });
    }
    return this.synced().map((h) => h.sid);
  }
}

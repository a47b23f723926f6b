/**
 * The leader's bookkeeping of discovery (Leader.getEpochToPropose,
 * waitForEpochAck, waitForNewLeaderAck in ZooKeeper): the acceptedEpochs
 * learners report, who acknowledged the new epoch, and who acknowledged
 * NEWLEADER.
 */
import type { LearnerHandle } from './learner-handle.js';
import type { LearnerStreams } from './learner-streams.js';
import { mark } from './marks.js';
import type { QuorumVerifier } from './quorum.js';
import type { ReadyBuilder } from './ready-builder.js';
import type { AckEpochMsg, Epoch, ServerId } from './types.js';

/** Who connected with which acceptedEpoch, and who acked the epoch and NEWLEADER. */
export class Discovery {
  private readonly self: ServerId;
  private readonly connectingEpochs = new Map<ServerId, Epoch>();
  private readonly epochAcks = new Set<ServerId>();
  private readonly newLeaderAcks = new Set<ServerId>();

  constructor(self: ServerId, acceptedEpoch: Epoch) {
    this.self = self;
    this.connectingEpochs.set(self, acceptedEpoch);
  }

  /** A voter or observer connected (before the epoch is chosen) reporting its acceptedEpoch. */
  connect(sid: ServerId, acceptedEpoch: Epoch): void {
    this.connectingEpochs.set(sid, acceptedEpoch);
  }

  /** A learner's stream is gone: its acceptedEpoch no longer counts toward choosing the epoch. */
  forget(sid: ServerId): void {
    this.connectingEpochs.delete(sid);
  }

  /**
   * The epoch to propose, once the leader and the connected learners form a quorum: above every
   * acceptedEpoch they reported. Null until then.
   */
  epochToPropose(quorum: QuorumVerifier, connected: (sid: ServerId) => boolean): Epoch | null {
    const voters = new Set([...this.connectingEpochs.keys()].filter((sid) => sid === this.self || connected(sid)));
    if (!quorum.containsQuorum(voters)) return null;
    let max = 0;
    for (const epoch of this.connectingEpochs.values()) max = Math.max(max, epoch);
    return max + 1;
  }

  /**
   * The epoch is chosen: acceptedEpoch persisted, and LEADERINFO to every connected learner once
   * it is durable; the leader's own ack counts at once (its write precedes every ACKEPOCH's use).
   */
  announce(epoch: Epoch, currentEpoch: Epoch, out: { readonly builder: ReadyBuilder; readonly streams: LearnerStreams }): void {
    out.builder.persistHardState({ acceptedEpoch: epoch, currentEpoch });
    for (const h of out.streams.all()) {
      h.state = 'epoch';
      out.builder.send(h.sid, { type: 'LEADERINFO', newEpoch: epoch }, true, h.stream);
    }
    this.epochAcks.add(this.self);
  }

  /**
   * A learner's ACKEPOCH of `epoch` in discovery. 'ahead' when it is ahead of the leader's
   * `summary` (the election chose wrongly: the leader gives up, as waitForEpochAck). A learner
   * that had accepted this epoch number before it connected (from this leader on an earlier
   * stream, or from another leader that chose the same number) acks without promising anything
   * new: not counted, as ZooKeeper's ACKEPOCH of -1. Counting it would let two leaders collect a
   * quorum for one epoch.
   */
  ackEpoch(h: LearnerHandle, msg: AckEpochMsg, epoch: Epoch, summary: { readonly currentEpoch: Epoch; readonly lastZxid: bigint }): 'ahead' | 'ok' {
    const ahead = msg.currentEpoch > summary.currentEpoch || (msg.currentEpoch === summary.currentEpoch && msg.lastZxid > summary.lastZxid);
    if (ahead) return 'ahead';
    if (h.acceptedEpoch < epoch) this.epochAcks.add(h.sid);
    else mark('discovery-ack-not-counted');
    return 'ok';
  }

  epochQuorum(quorum: QuorumVerifier): boolean {
    return quorum.containsQuorum(this.epochAcks);
  }

  ackNewLeader(sid: ServerId): void {
    this.newLeaderAcks.add(sid);
  }

  /** A quorum acknowledged NEWLEADER, the leader's own (durable) ack among them. */
  newLeaderQuorum(quorum: QuorumVerifier): boolean {
    return this.newLeaderAcks.has(this.self) && quorum.containsQuorum(this.newLeaderAcks);
  }
}

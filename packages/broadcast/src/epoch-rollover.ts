/**
 * An epoch change the leader runs in band (README, "Epoch rollover"): at the
 * zxid counter's maximum (ZooKeeper throws XidRolloverException and forces an
 * election instead), or for a straggler whose acceptedEpoch is above the led
 * epoch. Discovery's and synchronisation's steps on the open streams:
 *
 * 1. 'epoch': LEADERINFO(e') to every forwarding learner (the others are
 *    dropped; new ones are refused until the end); each persists acceptedEpoch
 *    and answers ACKEPOCH, the leader too (self-addressed, once durable);
 * 2. 'newleader': with a quorum of those, currentEpoch = e' (durable after the
 *    log) and NEWLEADER(e', 0) to every forwarding learner, which raises its
 *    currentEpoch on it and ACKs once durable. A learner that raised it at
 *    ACKEPOCH would name a history of e' that e' may never get: another
 *    leader can establish e' by discovery when this quorum fails (sim seed 42
 *    at 6a12d05);
 * 3. with a quorum of ACKs the rollover ends and proposals resume in e'.
 *
 * Each step needs a quorum of voters, the leader's own self-addressed ack included.
 */
import { assert, makeZxid, type Zxid } from '@corral/base';
import type { LearnerStreams } from './learner-streams.js';
import { mark } from './marks.js';
import type { QuorumVerifier } from './quorum.js';
import type { ReadyBuilder } from './ready-builder.js';
import type { Epoch, ServerId } from './types.js';

/** What a rollover needs of its leader. */
export interface RolloverLeader {
  readonly sid: ServerId;
  readonly quorum: QuorumVerifier;
  readonly builder: ReadyBuilder;
  readonly streams: LearnerStreams;
}

/** Where the leader stands when a rollover starts. */
export interface RolloverStart {
  readonly epoch: Epoch;
  readonly tick: number;
  readonly currentEpoch: Epoch;
  readonly lastZxid: Zxid;
  readonly committedZxid: Zxid;
}

/** The progress of one rollover. */
export class EpochRollover {
  readonly epoch: Epoch;
  readonly startTick: number;
  private step: 'epoch' | 'newleader' = 'epoch';
  private acks = new Set<ServerId>();

  private constructor(epoch: Epoch, startTick: number) {
    this.epoch = epoch;
    this.startTick = startTick;
  }

  /** Step 1: acceptedEpoch = e' (the caller's), LEADERINFO out, the leader's own ACKEPOCH after its write. */
  static start(leader: RolloverLeader, at: RolloverStart): EpochRollover {
    assert(at.epoch > at.currentEpoch, 'a rollover moves to a later epoch');
    leader.builder.persistHardState({ acceptedEpoch: at.epoch, currentEpoch: at.currentEpoch });
    for (const h of [...leader.streams.all()]) {
      if (h.state !== 'syncing' && h.state !== 'synced') leader.streams.drop(h, 'still in discovery at an epoch rollover');
    }
    leader.streams.sendToForwarding({ type: 'LEADERINFO', newEpoch: at.epoch });
    leader.builder.send(leader.sid, { type: 'ACKEPOCH', currentEpoch: at.currentEpoch, lastZxid: at.lastZxid, committedZxid: at.committedZxid }, true);
    return new EpochRollover(at.epoch, at.tick);
  }

  get phase(): 'epoch' | 'newleader' {
    return this.step;
  }

  /** The zxid of the rollover's NEWLEADER. */
  get newLeaderZxid(): Zxid {
    return makeZxid(this.epoch, 0);
  }

  /** A voter's ACKEPOCH, counted in the 'epoch' step only (a late one is ignored). */
  ackEpoch(sid: ServerId): void {
    if (this.step === 'epoch') this.acks.add(sid);
  }

  /** A voter's ACK of the NEWLEADER, counted in the 'newleader' step only. */
  ackNewLeader(sid: ServerId): void {
    if (this.step === 'newleader') this.acks.add(sid);
  }

  /**
   * Moves on once the current step has a quorum: 'newleader' when step 2 just began (the caller
   * raises its currentEpoch), 'done' when the rollover is over, null while it waits.
   */
  advance(leader: RolloverLeader, acceptedEpoch: Epoch): 'newleader' | 'done' | null {
    if (!this.acks.has(leader.sid) || !leader.quorum.containsQuorum(this.acks)) return null;
    if (this.step === 'newleader') return 'done';
    this.step = 'newleader';
    this.acks = new Set();
    mark('rollover-newleader');
    leader.builder.persistHardState({ acceptedEpoch, currentEpoch: this.epoch });
    leader.streams.sendToForwarding({ type: 'NEWLEADER', zxid: this.newLeaderZxid });
    leader.builder.send(leader.sid, { type: 'ACK', zxid: this.newLeaderZxid }, true);
    return 'newleader';
  }
}

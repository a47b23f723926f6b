/**
 * The leader's view of one learner: ZooKeeper's LearnerHandler state, one per
 * learner stream, without the thread.
 */
import type { Zxid } from '@corral/base';
import type { Epoch, ServerId } from './types.js';

/** One learner as the leader tracks it. */
export interface LearnerHandle {
  readonly sid: ServerId;
  readonly observer: boolean;
  /**
   * info: sent FOLLOWERINFO; epoch: sent LEADERINFO; epoch-acked: ACKEPOCH in discovery;
   * log-read: waiting for the driver's disk read; syncing: sent NEWLEADER; synced: acked it.
   */
  state: 'info' | 'epoch' | 'epoch-acked' | 'log-read' | 'syncing' | 'synced';
  /** The acceptedEpoch its FOLLOWERINFO reported. */
  readonly acceptedEpoch: Epoch;
  peerLastZxid: Zxid;
  peerCommittedZxid: Zxid;
  lastHeardTick: number;
  /** The highest leadership round this learner echoed (Leader.confirmRound). */
  echoedRound: number;
  /** The NEWLEADER zxid this learner must acknowledge. */
  newLeaderZxid: Zxid;
  /** Last proposal queued to it before NEWLEADER: its NEWLEADER ack vouches for all of them. */
  coveredZxid: Zxid;
  /** The driver's number for the stream this learner is on. */
  readonly stream: number;
}

/** Options of {@link newLearnerHandle}. */
export interface NewLearnerHandle {
  readonly sid: ServerId;
  readonly stream: number;
  readonly observer: boolean;
  readonly acceptedEpoch: Epoch;
  readonly tick: number;
}

/** A learner that just sent FOLLOWERINFO/OBSERVERINFO. */
export function newLearnerHandle(options: NewLearnerHandle): LearnerHandle {
  return {
    sid: options.sid,
    observer: options.observer,
    state: 'info',
    acceptedEpoch: options.acceptedEpoch,
    peerLastZxid: 0n,
    peerCommittedZxid: 0n,
    lastHeardTick: options.tick,
    newLeaderZxid: 0n,
    coveredZxid: 0n,
    echoedRound: 0,
    stream: options.stream,
  };
}

/** Synchronising or synchronised: the learner gets every broadcast message from here on. */
export function isForwarding(h: LearnerHandle): boolean {
  return h.state === 'syncing' || h.state === 'synced';
}

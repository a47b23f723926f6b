/**
 * The safety checkers of whole ensembles (issue 8 item 5), fed by the
 * replica node's events:
 * - `one-leader-per-epoch`: at most one server establishes leadership of an epoch;
 * - `agreement`: no two servers apply different txns at one zxid;
 * - `apply-order`: each server (each incarnation) applies in zxid order with
 *   no gap: within an epoch the counter grows by one, a new epoch starts at 1;
 * - `digest`: the data-tree digests of all servers agree at equal zxids;
 * - `leader-completeness`: a leader that establishes epoch e already applied
 *   every txn of an earlier epoch that any server applied (applied means a
 *   quorum had it durable) — so acknowledged writes are never lost;
 * - `current-epoch`: every server whose currentEpoch is e took it from one
 *   and the same leader: currentEpoch names that leader's history, and the
 *   election ranks servers by it (seed 42 at 6a12d05: a learner raised it at
 *   an epoch rollover's ACKEPOCH, the rollover found no quorum, another leader
 *   established the same epoch, and the learner's uncommitted tail outranked
 *   that leader's history).
 */
import { zxidCounter, zxidEpoch, type ServerId, type Zxid } from '@corral/base';
import type { ReplicaNodeEvent, ReplicaNodeView } from '../replica-node.js';
import type { CheckContext, Checker } from './checker.js';

const hex = (zxid: Zxid): string => `0x${zxid.toString(16)}`;

/** The ensemble's committed history as the checkers learned it. */
export class CommittedHistory {
  /** zxid → txn hash, from every server's applies. */
  readonly txns = new Map<Zxid, number>();
  /** zxid → the digest a server reported with its tree at exactly that zxid. */
  readonly digests = new Map<Zxid, string>();
  /** The highest applied zxid per epoch. */
  readonly lastOfEpoch = new Map<number, Zxid>();

  noteApplied(zxid: Zxid): void {
    const epoch = zxidEpoch(zxid);
    const last = this.lastOfEpoch.get(epoch);
    if (last === undefined || zxid > last) this.lastOfEpoch.set(epoch, zxid);
  }

  /** The highest committed zxid of an epoch below `epoch`. */
  highestBefore(epoch: number): Zxid {
    let best = 0n;
    for (const [e, zxid] of this.lastOfEpoch) if (e < epoch && zxid > best) best = zxid;
    return best;
  }
}

/** All the safety checks over one shared history. */
export class ReplicaSafetyChecker implements Checker<ReplicaNodeView, ReplicaNodeEvent> {
  readonly name = 'replica-safety';
  readonly history = new CommittedHistory();
  private readonly leaders = new Map<number, ServerId>();
  /** currentEpoch → the leader servers took it from. */
  private readonly epochSources = new Map<number, ServerId>();
  /** Per server: the incarnation and the zxid its tree stands at. */
  private readonly positions = new Map<ServerId, { incarnation: number; zxid: Zxid }>();

  onEvent(event: ReplicaNodeEvent, _context: CheckContext<ReplicaNodeView>): string | null {
    switch (event.kind) {
      case 'started':
        this.positions.set(event.sid, { incarnation: event.incarnation, zxid: event.zxid });
        return null;
      case 'installed':
        this.positions.set(event.sid, { incarnation: event.incarnation, zxid: event.zxid });
        return this.checkDigest(event.sid, event.zxid, event.digest);
      case 'applied':
        return this.onApplied(event);
      case 'established':
        return this.onEstablished(event);
      case 'current-epoch':
        return this.onCurrentEpoch(event);
      default:
        return null;
    }
  }

  private onApplied(event: Extract<ReplicaNodeEvent, { kind: 'applied' }>): string | null {
    const position = this.positions.get(event.sid);
    let last = position?.incarnation === event.incarnation ? position.zxid : 0n;
    for (const { zxid, hash } of event.txns) {
      const sameEpoch = zxidEpoch(zxid) === zxidEpoch(last);
      const next = sameEpoch ? zxidCounter(last) + 1 : 1;
      if (zxid <= last || zxidCounter(zxid) !== next) return `apply-order: server ${event.sid} applied ${hex(zxid)} after ${hex(last)}`;
      const known = this.history.txns.get(zxid);
      if (known !== undefined && known !== hash) return `agreement: server ${event.sid} applied a different txn at ${hex(zxid)}`;
      this.history.txns.set(zxid, hash);
      this.history.noteApplied(zxid);
      last = zxid;
    }
    this.positions.set(event.sid, { incarnation: event.incarnation, zxid: last });
    return this.checkDigest(event.sid, last, event.digest);
  }

  private checkDigest(sid: ServerId, zxid: Zxid, digest: string): string | null {
    const known = this.history.digests.get(zxid);
    if (known === undefined) this.history.digests.set(zxid, digest);
    else if (known !== digest) return `digest: server ${sid} has digest ${digest} at ${hex(zxid)}, another server had ${known}`;
    return null;
  }

  private onCurrentEpoch(event: Extract<ReplicaNodeEvent, { kind: 'current-epoch' }>): string | null {
    const known = this.epochSources.get(event.epoch);
    if (known === undefined) this.epochSources.set(event.epoch, event.leaderSid);
    else if (known !== event.leaderSid) return `current-epoch: server ${event.sid} took currentEpoch ${event.epoch} from leader ${event.leaderSid}, another server from ${known}`;
    return null;
  }

  private onEstablished(event: Extract<ReplicaNodeEvent, { kind: 'established' }>): string | null {
    if (event.role !== 'leading') return null;
    const other = this.leaders.get(event.epoch);
    if (other !== undefined && other !== event.sid) return `one-leader-per-epoch: servers ${other} and ${event.sid} both lead epoch ${event.epoch}`;
    this.leaders.set(event.epoch, event.sid);
    const needed = this.history.highestBefore(event.epoch);
    if (event.appliedZxid < needed) {
      return `leader-completeness: leader ${event.sid} of epoch ${event.epoch} stands at ${hex(event.appliedZxid)}, but ${hex(needed)} was committed before`;
    }
    return null;
  }
}

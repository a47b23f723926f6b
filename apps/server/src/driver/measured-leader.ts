/**
 * broadcast's Leader as the Replica drives it, recording the size of each
 * txn it accepts (Apache's Leader.proposalStats, for `srvr`/`mntr`). The
 * Replica calls `propose`; this is the one place that sees every accepted one.
 */
import type { Zxid } from '@corral/base';
import type { Inbound, Leader, LogRead, PeerMsg, ProposeResult, Ready, Txn } from '@corral/broadcast';
import type { LeaderMachine } from '@corral/replica';
import type { ProposalSizeStats } from '../stats/proposal-size-stats.js';

/** A Leader whose accepted proposals are measured. */
export class MeasuredLeader implements LeaderMachine {
  constructor(
    readonly leader: Leader,
    private readonly sizes: ProposalSizeStats,
  ) {}

  propose(bytes: Uint8Array): ProposeResult {
    const result = this.leader.propose(bytes);
    if (result.ok) this.sizes.record(bytes.byteLength);
    return result;
  }

  step(from: number, msg: PeerMsg, stream?: number): void {
    this.leader.step(from, msg, stream);
  }

  tick(): void {
    this.leader.tick();
  }

  hasReady(): boolean {
    return this.leader.hasReady();
  }

  ready(): Ready {
    return this.leader.ready();
  }

  advance(ready: Ready): void {
    this.leader.advance(ready);
  }

  takeInbound(): Inbound[] {
    return this.leader.takeInbound();
  }

  nextZxid(): Zxid | null {
    return this.leader.nextZxid();
  }

  revalidate(to: number, payload: Uint8Array): void {
    this.leader.revalidate(to, payload);
  }

  learnerDisconnected(sid: number, stream: number): void {
    this.leader.learnerDisconnected(sid, stream);
  }

  logRead(read: LogRead, txns: readonly Txn[]): void {
    this.leader.logRead(read, txns);
  }

  logCompacted(zxid: Zxid): void {
    this.leader.logCompacted(zxid);
  }

  confirmRound(): number {
    return this.leader.confirmRound();
  }

  roundConfirmed(round: number): boolean {
    return this.leader.roundConfirmed(round);
  }
}

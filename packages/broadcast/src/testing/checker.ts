/**
 * ZAB's safety properties, checked as the harness runs (Zab.tla's
 * invariants, in the words of issue 8):
 * - no two servers apply different txns at the same zxid;
 * - a txn a leader committed (a quorum acked it) is in the history of every
 *   leader established after it;
 * - every server whose currentEpoch is e took it from one and the same leader
 *   (currentEpoch names the history of that epoch's leader: a server that
 *   raised it for a leader that never had a quorum outranks the real leader
 *   of e in the next election with a history that is not e's).
 * Each server applying in zxid order is checked by the cluster itself.
 */
import type { Zxid } from '@corral/base';
import type { ServerId, Txn } from '../types.js';
import { decodeText, formatZxid } from './format.js';

/** Collects violations instead of throwing, so a run reports all it found. */
export class Checker {
  readonly violations: string[] = [];
  private readonly applied = new Map<Zxid, { readonly sid: ServerId; readonly text: string }>();
  private readonly committed = new Map<Zxid, string>();
  /** currentEpoch → the leader whose history it names. */
  private readonly epochLeaders = new Map<number, ServerId>();

  violation(text: string): void {
    this.violations.push(text);
  }

  onApply(sid: ServerId, txn: Txn): void {
    const text = decodeText(txn.bytes);
    const seen = this.applied.get(txn.zxid);
    if (seen === undefined) this.applied.set(txn.zxid, { sid, text });
    else if (seen.text !== text) {
      this.violation(`zxid ${formatZxid(txn.zxid)} applied as ${seen.text} on ${seen.sid} and as ${text} on ${sid}`);
    }
  }

  /** Server `sid` makes currentEpoch `epoch` durable, taken from leader `leaderSid`. */
  onCurrentEpoch(sid: ServerId, epoch: number, leaderSid: ServerId): void {
    const known = this.epochLeaders.get(epoch);
    if (known === undefined) this.epochLeaders.set(epoch, leaderSid);
    else if (known !== leaderSid) this.violation(`server ${sid} took currentEpoch ${epoch} from leader ${leaderSid}, another server from leader ${known}`);
  }

  onQuorumCommit(txn: Txn): void {
    this.committed.set(txn.zxid, decodeText(txn.bytes));
  }

  /** Every committed txn must be in a newly established leader's history. */
  checkLeaderHistory(sid: ServerId, history: readonly Txn[]): void {
    const byZxid = new Map<Zxid, string>();
    for (const txn of history) byZxid.set(txn.zxid, decodeText(txn.bytes));
    for (const [zxid, text] of this.committed) {
      const held = byZxid.get(zxid);
      if (held !== text) {
        this.violation(`leader ${sid} established without committed ${formatZxid(zxid)}:${text}${held === undefined ? '' : ` (holds ${held})`}`);
      }
    }
  }
}

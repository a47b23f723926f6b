/**
 * The server's link drops a turn's redundant broadcast messages
 * (apps/server/src/peer/supersede-rules.ts): a leader's COMMIT superseded by a
 * later COMMIT with only PROPOSALs between them, and a learner's ACK of a
 * proposal superseded by a later one with only REQUEST, REVALIDATE or PING
 * between them (its leader counts ACKs cumulatively; an ACK of a NEWLEADER,
 * counter 0, is never dropped). The simulator applies the same rules to each
 * batch a node hands out at once, so the seeds exercise cumulative COMMITs and
 * ACKs as the server sends them.
 */
import { zxidCounter } from '@corral/base';
import type { PeerMsg } from '@corral/broadcast';
import type { Envelope } from './node.js';

type Peer = { readonly kind: 'peer'; readonly msg: PeerMsg; readonly stream: number };

interface Rule {
  supersedes(msg: PeerMsg): boolean;
  passes(msg: PeerMsg): boolean;
}

const commitRule: Rule = {
  supersedes: (msg) => msg.type === 'COMMIT',
  passes: (msg) => msg.type === 'PROPOSAL',
};

const ackRule: Rule = {
  supersedes: (msg) => msg.type === 'ACK' && zxidCounter(msg.zxid) !== 0,
  passes: (msg) => msg.type === 'REQUEST' || msg.type === 'REVALIDATE' || msg.type === 'PING',
};

const rules: readonly Rule[] = [commitRule, ackRule];

/** `batch` without the messages a later one of the same stream supersedes; the order is kept. */
export function withoutSuperseded<M extends { readonly kind: string }>(batch: readonly Envelope<M>[]): Envelope<M>[] {
  const dropped = new Set<number>();
  // Per (peer, stream) and rule: the index of the last message that a later one may supersede.
  const open = new Map<string, number>();
  batch.forEach((envelope, index) => {
    if (envelope.message.kind !== 'peer') return;
    const { msg, stream } = envelope.message as unknown as Peer;
    rules.forEach((rule, ruleIndex) => {
      const key = `${envelope.to}:${stream}:${ruleIndex}`;
      if (rule.supersedes(msg)) {
        const earlier = open.get(key);
        if (earlier !== undefined) dropped.add(earlier);
        open.set(key, index);
      } else if (!rule.passes(msg)) {
        open.delete(key);
      }
    });
  });
  return dropped.size === 0 ? [...batch] : batch.filter((_, index) => !dropped.has(index));
}

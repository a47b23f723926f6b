/**
 * A whole ensemble of election machines behind a scripted network, for the
 * data-driven scripts and the property tests (etcd-io/raft's
 * rafttest/interaction_env.go is the model). Pure: no I/O, no clock; every
 * message sits in a per-link FIFO until the script delivers, drops or
 * duplicates it. Not part of the package's public surface.
 */
import { assert, majorityQuorum, zxidToHex } from '@corral/base';
import type { QuorumVerifier, ServerId } from '@corral/base';
import { Election } from './election.js';
import type { LogPosition } from './election.js';
import type { ElectionLimits } from './limits.js';
import type { ElectionResult, Notification } from './types.js';

/** Small limits so that scripts show timeouts within a few ticks. */
export const testLimits: Partial<ElectionLimits> = {
  notificationIntervalTicksMin: 2,
  notificationIntervalTicksMax: 8,
  finalizeWaitTicks: 2,
  finalizeTicksMax: 6,
};

/** One line for a notification: `1->2 LOOKING leader=3 zxid=0x5 peerEpoch=1 round=1`. */
export function formatNotification(to: ServerId, n: Notification): string {
  return `${n.sid}->${to} ${n.state} leader=${n.leader} zxid=${zxidToHex(n.zxid)} peerEpoch=${n.peerEpoch} round=${n.electionEpoch}`;
}

function formatResult(sid: ServerId, r: ElectionResult): string {
  return `${sid} decided ${r.state} leader=${r.leader} zxid=${zxidToHex(r.zxid)} peerEpoch=${r.peerEpoch} round=${r.electionEpoch}`;
}

const linkKey = (from: ServerId, to: ServerId): string => `${from}->${to}`;

/** Options of {@link TestCluster.addNodes}. */
export interface AddNodesOptions {
  readonly voterCount: number;
  readonly observerCount?: number;
  /** Per voter, by position; default 0. */
  readonly zxids?: readonly bigint[];
  readonly epochs?: readonly bigint[];
  readonly limits?: Partial<ElectionLimits>;
  /** Default: a majority of the voters. */
  readonly verifier?: QuorumVerifier;
}

/** N election machines and the messages between them. */
export class TestCluster {
  readonly nodes = new Map<ServerId, Election>();
  /** Every decision each server handed over, in order. */
  readonly decisions = new Map<ServerId, ElectionResult[]>();
  private verifier: QuorumVerifier | null = null;
  private limits: Partial<ElectionLimits> = testLimits;
  private readonly inFlight = new Map<string, { from: ServerId; to: ServerId; n: Notification }[]>();
  private readonly cutLinks = new Set<string>();

  /** Creates voters 1..voterCount and observers after them, all LOOKING in round 1. */
  addNodes(options: AddNodesOptions): string[] {
    assert(this.nodes.size === 0, 'add-nodes once per script');
    const voters = Array.from({ length: options.voterCount }, (_, i) => i + 1);
    const observers = Array.from({ length: options.observerCount ?? 0 }, (_, i) => options.voterCount + i + 1);
    this.verifier = options.verifier ?? majorityQuorum({ voters, observers });
    this.limits = { ...testLimits, ...options.limits };
    for (const sid of [...voters, ...observers]) {
      const index = sid - 1;
      const position = { lastLoggedZxid: options.zxids?.[index] ?? 0n, currentEpoch: options.epochs?.[index] ?? 0n };
      this.nodes.set(sid, new Election({ sid, verifier: this.verifier, limits: this.limits, ...position }));
      this.decisions.set(sid, []);
    }
    return ['ok'];
  }

  /** Replaces a server's machine as after a process restart (logical clock back to 0). */
  restart(sid: ServerId, position: LogPosition): string[] {
    assert(this.verifier !== null && this.nodes.has(sid), `no server ${sid}`);
    this.nodes.set(sid, new Election({ sid, verifier: this.verifier, limits: this.limits, ...position }));
    for (const key of [...this.inFlight.keys()]) if (key.startsWith(`${sid}->`) || key.endsWith(`->${sid}`)) this.inFlight.delete(key);
    return ['ok'];
  }

  /** The server goes back to LOOKING (its leader failed) and starts a new round. */
  look(sid: ServerId, position: LogPosition): string[] {
    this.node(sid).startElection(position);
    return ['ok'];
  }

  node(sid: ServerId): Election {
    const node = this.nodes.get(sid);
    assert(node !== undefined, `no server ${sid}`);
    return node;
  }

  sids(): ServerId[] {
    return [...this.nodes.keys()];
  }

  tick(sid: ServerId, count: number): string[] {
    for (let i = 0; i < count; i++) this.node(sid).tick();
    return [];
  }

  /** Takes one server's Ready: queues its messages on their links (or drops them at a cut) and records its result. */
  processReady(sid: ServerId): string[] {
    const node = this.node(sid);
    if (!node.hasReady()) return [];
    const ready = node.ready();
    const out: string[] = [];
    for (const { to, notification } of ready.messages) {
      const key = linkKey(sid, to);
      if (this.cutLinks.has(key)) {
        out.push(`${formatNotification(to, notification)} (cut)`);
        continue;
      }
      out.push(formatNotification(to, notification));
      const queue = this.inFlight.get(key) ?? [];
      queue.push({ from: sid, to, n: notification });
      this.inFlight.set(key, queue);
    }
    if (ready.result !== null) {
      out.push(formatResult(sid, ready.result));
      this.decisions.get(sid)?.push(ready.result);
    }
    node.advance(ready);
    return out;
  }

  /** Delivers up to `count` queued messages of one link, in order. */
  deliver(from: ServerId, to: ServerId, count = Infinity): string[] {
    const queue = this.inFlight.get(linkKey(from, to)) ?? [];
    const out: string[] = [];
    while (queue.length > 0 && out.length < count) {
      const message = queue.shift();
      assert(message !== undefined, 'queue is not empty');
      out.push(`${formatNotification(to, message.n)}: ${this.node(to).step(message.n)}`);
    }
    return out;
  }

  /** Drops every queued message of one link. */
  drop(from: ServerId, to: ServerId): string[] {
    const queue = this.inFlight.get(linkKey(from, to)) ?? [];
    const out = queue.map((m) => `${formatNotification(to, m.n)} (dropped)`);
    queue.length = 0;
    return out;
  }

  /** Duplicates the oldest queued message of one link (the copy follows it). */
  duplicate(from: ServerId, to: ServerId): string[] {
    const queue = this.inFlight.get(linkKey(from, to)) ?? [];
    const head = queue[0];
    if (head === undefined) return ['nothing to duplicate'];
    queue.splice(1, 0, head);
    return [`${formatNotification(to, head.n)} (duplicated)`];
  }

  /** Cuts both directions between every pair across `a` and `b`. */
  cut(a: readonly ServerId[], b: readonly ServerId[]): string[] {
    for (const x of a) for (const y of b) {
      this.cutLinks.add(linkKey(x, y));
      this.cutLinks.add(linkKey(y, x));
    }
    return ['ok'];
  }

  heal(): string[] {
    this.cutLinks.clear();
    return ['ok'];
  }

  /** Every queued message, as [from, to, index] handles, for property tests. */
  queuedLinks(): [ServerId, ServerId][] {
    const links: [ServerId, ServerId][] = [];
    for (const queue of this.inFlight.values()) {
      const head = queue[0];
      if (head !== undefined) links.push([head.from, head.to]);
    }
    return links;
  }

  /** Processes Readies and delivers messages until nothing moves; no ticks pass. */
  stabilize(): string[] {
    const out: string[] = [];
    for (let round = 0; ; round++) {
      assert(round < 1000, 'stabilize did not settle');
      let moved = false;
      for (const sid of this.sids()) {
        const lines = this.processReady(sid);
        if (lines.length > 0) out.push(`> ${sid} ready`, ...lines.map((l) => `  ${l}`));
        moved ||= lines.length > 0;
      }
      for (const [from, to] of this.queuedLinks()) {
        const lines = this.deliver(from, to);
        out.push(`> deliver ${from}->${to}`, ...lines.map((l) => `  ${l}`));
        moved = true;
      }
      if (!moved) return out;
    }
  }

  status(): string[] {
    return this.sids().map((sid) => {
      const s = this.node(sid).status();
      const finalizing = s.finalizing ? ' finalizing' : '';
      return `${sid} ${s.state} round=${s.logicalClock} vote=(leader=${s.vote.leader} zxid=${zxidToHex(s.vote.zxid)} peerEpoch=${s.vote.peerEpoch} round=${s.vote.electionEpoch})${finalizing}`;
    });
  }
}

/**
 * A scripted scenario that truncates an observer (crash-coverage.ts): an
 * observer's log holds only what a leader's sync gave it, so it is truncated
 * only after a leader synced it with a tail of an old epoch and then never
 * established, while the next leader lacks that tail. The swarm's dice make
 * that about 1 seed in 700; this director makes it the plan of the seed:
 *
 * 1. `wait`: a leader A is established with an observer O under it;
 * 2. `isolate`: A's links to the other voters are cut one way, and theirs to
 *    each other both ways (nobody can elect without A); a session created on
 *    A makes a proposal P that only A logs; A then steps down (no quorum);
 * 3. `resync`: the links heal and A, the only voter with P, is elected again,
 *    but the other voters never receive their sync from it (their streams
 *    break), so A never establishes; O gets its DIFF with P and the NEWLEADER,
 *    and writes them;
 * 4. `truncate`: A is crashed and kept down; the others elect a leader
 *    without P, which must send O a TRUNC. A restarts later (a TRUNC of its
 *    own, as a follower).
 *
 * The random fault plan is off in these seeds (`quietFaults`), so that it
 * neither heals the cuts nor restarts A early; network loss, duplication and
 * delay stay. The safety phase lasts until the scenario is over (at least
 * the seed's drawn length). A phase that overruns its budget ends the
 * scenario (the links heal, the seed goes on as any other).
 */
import { type ServerId, type Zxid } from '@corral/base';
import { lastLoggedZxid } from '@corral/replica/testing';
import type { FaultRates } from './swarm.js';
import type { ReplicaNode } from './replica-node.js';
import type { Trace } from './trace.js';

/** The fault plan's rates in a directed seed: no random crash, partition, heal or fsync failure. */
export function quietFaults(rates: FaultRates): FaultRates {
  return { ...rates, crashPerTick: 0, fsyncFailurePerWrite: 0, partitionPerTick: 0, oneWayCutPerTick: 0, swizzlePerTick: 0, healPerTick: 0 };
}

/** What the director drives. */
export interface ObserverTruncTarget {
  readonly voters: readonly ServerId[];
  readonly observers: readonly ServerId[];
  readonly now: number;
  nodeOf(sid: ServerId): ReplicaNode | undefined;
  cutOneWay(from: ServerId, to: ServerId): void;
  heal(): void;
  crash(sid: ServerId): void;
  restart(sid: ServerId): void;
}

type Phase =
  | { readonly name: 'wait' }
  | { readonly name: 'isolate'; readonly leader: ServerId; readonly observer: ServerId; readonly othersLast: Zxid }
  | { readonly name: 'resync'; readonly leader: ServerId; readonly observer: ServerId; readonly tail: Zxid }
  | { readonly name: 'truncate'; readonly leader: ServerId; readonly restartTick: number }
  | { readonly name: 'done'; readonly outcome: string };

/** Base ticks a phase may last before the scenario gives up. */
const phaseTicksMax = 400;
/** The session origin of the director's proposal (apart from the clients' and the liveness probes'). */
const directorOrigin = 2_000_000;

/** Drives one seed through the scenario, one base tick at a time. */
export class ObserverTruncDirector {
  private phase: Phase = { name: 'wait' };
  private phaseTicks = 0;
  private tick = 0;

  constructor(
    private readonly target: ObserverTruncTarget,
    private readonly trace: Trace,
    /** Base ticks A stays down in `truncate`: long enough for the others to elect and sync O. */
    private readonly downTicks: number,
  ) {}

  /** Whether the scenario ran to its end, or why it stopped (for tests). */
  get outcome(): string | null {
    return this.phase.name === 'done' ? this.phase.outcome : null;
  }

  /** Servers the director holds down: the fault plan must not restart them. */
  holds(sid: ServerId): boolean {
    return this.phase.name === 'truncate' && this.phase.leader === sid;
  }

  /** One base tick of the safety phase. */
  onTick(): void {
    this.tick++;
    if (this.phase.name === 'done') return;
    if (++this.phaseTicks > phaseTicksMax) return this.end(`gave up in ${this.phase.name}`);
    switch (this.phase.name) {
      case 'wait':
        return this.onWait();
      case 'isolate':
        return this.onIsolate(this.phase);
      case 'resync':
        return this.onResync(this.phase);
      case 'truncate':
        if (this.tick >= this.phase.restartTick) {
          this.target.restart(this.phase.leader);
          this.end('ran');
        }
        return;
    }
  }

  /** The safety phase is over: nothing may stay cut or held. */
  finish(): void {
    if (this.phase.name === 'truncate') this.target.restart(this.phase.leader);
    if (this.phase.name !== 'done') this.end(`cut short in ${this.phase.name}`);
  }

  private onWait(): void {
    const t = this.target;
    const leader = t.voters.find((sid) => {
      const view = t.nodeOf(sid)?.view();
      return view?.role === 'leading' && view.established;
    });
    if (leader === undefined) return;
    const under = (sid: ServerId): boolean => {
      const view = t.nodeOf(sid)?.view();
      return view !== undefined && view.established && view.leaderSid === leader;
    };
    const observer = t.observers.find(under);
    if (observer === undefined) return;
    const others = t.voters.filter((sid) => sid !== leader);
    for (const from of others) {
      t.cutOneWay(leader, from);
      for (const to of others) if (to !== from) t.cutOneWay(from, to);
    }
    const othersLast = others.reduce((max, sid) => {
      const last = this.lastLogged(sid);
      return last > max ? last : max;
    }, 0n);
    t.nodeOf(leader)?.connect(directorOrigin + this.tick, 60_000);
    this.trace.line(`${t.now} director: isolate leader ${leader} (observer ${observer})`);
    this.enter({ name: 'isolate', leader, observer, othersLast });
  }

  private onIsolate(phase: Extract<Phase, { name: 'isolate' }>): void {
    const view = this.target.nodeOf(phase.leader)?.view();
    if (view === undefined) return this.end('leader down in isolate');
    const tail = this.lastLogged(phase.leader);
    if (view.role !== 'looking' || tail <= phase.othersLast) return;
    this.target.heal();
    this.trace.line(`${this.target.now} director: heal, ${phase.leader} holds a tail to 0x${tail.toString(16)}`);
    this.enter({ name: 'resync', leader: phase.leader, observer: phase.observer, tail });
  }

  private onResync(phase: Extract<Phase, { name: 'resync' }>): void {
    const t = this.target;
    // Set each tick: a voter that restarted is a new node.
    for (const sid of t.voters) {
      const node = t.nodeOf(sid);
      if (node !== undefined && sid !== phase.leader) node.dropSyncFrom = phase.leader;
    }
    if (this.lastLogged(phase.observer) < phase.tail) return;
    this.clearDrops();
    t.crash(phase.leader);
    this.trace.line(`${t.now} director: observer ${phase.observer} logged the tail; ${phase.leader} crashed`);
    this.enter({ name: 'truncate', leader: phase.leader, restartTick: this.tick + this.downTicks });
  }

  private lastLogged(sid: ServerId): Zxid {
    const node = this.target.nodeOf(sid);
    return node === undefined ? 0n : lastLoggedZxid(node.view().disk);
  }

  private clearDrops(): void {
    for (const sid of this.target.voters) {
      const node = this.target.nodeOf(sid);
      if (node !== undefined) node.dropSyncFrom = null;
    }
  }

  private enter(phase: Phase): void {
    this.phase = phase;
    this.phaseTicks = 0;
  }

  private end(outcome: string): void {
    if (this.phase.name === 'resync') this.clearDrops();
    if (this.phase.name !== 'wait' && this.phase.name !== 'done') this.target.heal();
    this.trace.line(`${this.target.now} director: ${outcome}`);
    this.phase = { name: 'done', outcome };
  }
}

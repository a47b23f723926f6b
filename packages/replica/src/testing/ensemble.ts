/**
 * An in-memory ensemble of Replicas for tests: a tiny Driver per server
 * (STYLE §3's loop, without awaits) over a FIFO network and an array disk.
 * Persistence completes at once unless a server's disk is held, so tests
 * can look at the state between "appended" and "durable".
 */
import { assert } from '@corral/base';
import type { LeaderMachine, LearnerMachine, PeerMsg, ServerId, Txn } from '../broadcast-port.js';
import type { ClientOutput, ReplicaReady, RoleChange } from '../outputs.js';
import { Replica, type ReplicaOptions } from '../replica.js';

/** A deterministic stand-in for the server's secret-keyed password hash. */
export function testSessionPassword(sessionId: bigint): Uint8Array {
  const out = new Uint8Array(16);
  let x = BigInt.asUintN(64, sessionId ^ 0x9e3779b97f4a7c15n);
  for (let index = 0; index < 16; index += 1) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    out[index] = Number(x >> 56n);
  }
  return out;
}

/** One server of the test ensemble: its Replica, its disk and what it handed its clients. */
export interface TestServer {
  readonly sid: ServerId;
  readonly replica: Replica;
  readonly disk: Txn[];
  readonly outputs: ClientOutput[];
  readonly roles: RoleChange[];
  /** A Ready whose writes are not durable yet (disk held). */
  held: ReplicaReady | null;
  holdDisk: boolean;
}

/** N Replicas, a FIFO network and the Driver loop. */
export class TestEnsemble {
  readonly servers = new Map<ServerId, TestServer>();
  private readonly network: { from: ServerId; to: ServerId; msg: PeerMsg }[] = [];
  /** Every Ready taken, in order (for tests of the Ready stream itself). */
  readonly readies: { sid: ServerId; ready: ReplicaReady }[] = [];

  add(sid: ServerId, options: Partial<ReplicaOptions> = {}): TestServer {
    const replica = new Replica({ serverId: sid, tickMs: 100, startMs: 1_000_000, sessionPassword: testSessionPassword, ...options });
    const server: TestServer = { sid, replica, disk: [], outputs: [], roles: [], held: null, holdDisk: false };
    this.servers.set(sid, server);
    return server;
  }

  server(sid: ServerId): TestServer {
    const server = this.servers.get(sid);
    assert(server !== undefined, `server ${sid} exists`);
    return server;
  }

  lead(sid: ServerId, machine: LeaderMachine): void {
    this.server(sid).replica.lead(machine);
  }

  follow(sid: ServerId, machine: LearnerMachine, observer = false): void {
    this.server(sid).replica.follow(machine, observer);
  }

  /** Runs Driver turns and deliveries until nothing moves. */
  run(): void {
    for (let rounds = 0; rounds < 100_000; rounds += 1) {
      if (!this.stepOnce()) return;
    }
    assert(false, 'the ensemble settles');
  }

  /**
   * One Driver turn on every server, then one message delivered (the
   * oldest, or the one `pick` chooses among the first `window` in flight:
   * messages between one pair of servers stay in order, as on a stream).
   * False when nothing moved.
   */
  stepOnce(pick?: (count: number) => number): boolean {
    let moved = false;
    for (const server of this.servers.values()) moved = this.turn(server) || moved;
    const index = pick === undefined ? 0 : this.deliverable(pick);
    const [next] = this.network.splice(index, 1);
    if (next !== undefined) {
      this.server(next.to).replica.step(next.from, next.msg);
      moved = true;
    }
    return moved;
  }

  /** The index of a message that is the oldest of its (from, to) pair, chosen by `pick`. */
  private deliverable(pick: (count: number) => number): number {
    const seen = new Set<string>();
    const heads: number[] = [];
    this.network.forEach((message, index) => {
      const pair = `${message.from}>${message.to}`;
      if (seen.has(pair)) return;
      seen.add(pair);
      heads.push(index);
    });
    if (heads.length === 0) return 0;
    return heads[pick(heads.length)] ?? 0;
  }

  /** Messages in flight. */
  get inFlight(): number {
    return this.network.length;
  }

  /** One Driver turn: take Readies while there are any, executing each. */
  private turn(server: TestServer): boolean {
    let moved = false;
    while (server.replica.hasReady()) {
      if (server.held !== null && !this.hasClientOnlyReady(server)) break;
      const ready = server.replica.ready();
      this.readies.push({ sid: server.sid, ready });
      moved = true;
      server.outputs.push(...ready.clientOutputs);
      if (ready.role !== null) server.roles.push(ready.role);
      const broadcast = ready.broadcast;
      if (broadcast === null) {
        server.replica.advance(ready);
        continue;
      }
      for (const out of broadcast.messages) this.network.push({ from: server.sid, to: out.to, msg: out.msg });
      server.disk.push(...broadcast.append);
      if (server.holdDisk) {
        server.held = ready;
        continue;
      }
      this.persisted(server, ready);
    }
    return moved;
  }

  /** While a Ready is held, only Readies without a broadcast part can come out. */
  private hasClientOnlyReady(server: TestServer): boolean {
    return server.replica.hasReady();
  }

  private persisted(server: TestServer, ready: ReplicaReady): void {
    const broadcast = ready.broadcast;
    assert(broadcast !== null, 'only broadcast Readies persist');
    for (const out of broadcast.messagesAfterPersist) {
      // The self-ack is the "persisted" input: delivered straight back (after the write).
      if (out.to === server.sid) server.replica.step(server.sid, out.msg);
      else this.network.push({ from: server.sid, to: out.to, msg: out.msg });
    }
    server.replica.advance(ready);
  }

  /** The held disk of `sid` finishes its write. */
  releaseDisk(sid: ServerId): void {
    const server = this.server(sid);
    server.holdDisk = false;
    const held = server.held;
    server.held = null;
    if (held !== null) this.persisted(server, held);
  }

  /** Replies and other outputs of `sid` so far, then forgotten. */
  takeOutputs(sid: ServerId): ClientOutput[] {
    return this.server(sid).outputs.splice(0);
  }
}

/**
 * Simulated ZooKeeper clients of a replica ensemble. Each base tick a client
 * may act: connect to a random server (a new session), issue creates, sets,
 * CAS (a set at the version it last read), reads, `sync`+read and ephemeral
 * creates, or walk away without closing (its session then expires on the
 * leader). A client whose server crashed or closed the connection abandons
 * what it had in flight (the answer is unknown) and connects again.
 *
 * The clients record a history for @corral/lincheck: writes to the keys
 * /k0../k2 and sync+reads are checked; plain reads are not (ZooKeeper serves
 * them from the local server: sequentially consistent, not linearizable),
 * nor ephemerals (their deletion by expiry is not in the model).
 * A `sync` followed by a read is recorded as ONE read from the sync's call to
 * the read's answer: ZooKeeper promises such a read sees every write
 * acknowledged before the sync was called (ZOOKEEPER-1675).
 *
 * It is also a checker: replies of one connection must come in its request
 * order (`fifo`), and a watch event must come before the data it announces
 * (`watch-order`): once a getData left a data watch on a path at version v,
 * a later read on that connection that sees the path changed (another
 * version, or gone) must come after the watch's event.
 */
import { ZkCode, type ServerId } from '@corral/base';
import { openAclUnsafe } from '@corral/data-tree';
import { HistoryRecorder, type Operation, type ZnodeInput, type ZnodeOutput } from '@corral/lincheck';
import { OpCode, type ClientRequest, type ClientResponse } from '@corral/wire';
import type { CheckContext, Checker } from './checkers/checker.js';
import { CommittedRequests } from './committed-requests.js';
import type { Xoshiro128 } from './prng.js';
import type { ReplicaNode, ReplicaNodeEvent, ReplicaNodeView } from './replica-node.js';

/** Rates of the workload, drawn by the swarm. */
export interface ClientRates {
  readonly clientCount: number;
  /** Chance per base tick that a client acts. */
  readonly actPerTick: number;
  /** Chance per action that a connected client walks away (its session expires). */
  readonly walkAwayPerAction: number;
  readonly sessionTimeoutMs: number;
  /** Operations issued per seed at most (bounds the linearizability search). */
  readonly opsMax: number;
  /** Test-only: a sync+read skips the sync (a plain local read recorded as a linearizable one). */
  readonly skipSync?: boolean;
}

type Pending =
  | { readonly kind: 'op'; readonly cxid: number; readonly path: string; readonly handle: number | null; readonly input: ZnodeInput | null; readonly watch?: boolean }
  /** A sync whose read follows: recorded as one read from here. */
  | { readonly kind: 'sync'; readonly cxid: number; readonly handle: number; readonly path: string };

interface Client {
  readonly id: number;
  state: 'idle' | 'connecting' | 'connected';
  node: ReplicaNode | null;
  sid: ServerId;
  origin: number;
  sessionId: bigint;
  cxid: number;
  readonly inflight: Pending[];
  /** Version last read per key, for CAS. */
  readonly versions: Map<string, number>;
  /** Data watches this connection holds and not yet fired: path → the version the watching read saw. */
  readonly watches: Map<string, number>;
}

const keys = ['/k0', '/k1', '/k2'];
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | null): string => (data === null ? '' : new TextDecoder().decode(data));

/** The clients of one seed. */
export class SimClients implements Checker<ReplicaNodeView, ReplicaNodeEvent> {
  readonly name = 'clients';
  readonly recorder = new HistoryRecorder<ZnodeInput, ZnodeOutput>();
  /** Acknowledged writes: the zxid each was answered at. */
  readonly acknowledged: bigint[] = [];
  private readonly clients: Client[] = [];
  private readonly byOrigin = new Map<number, Client>();
  private nextOrigin = 1;
  private opsIssued = 0;
  private dataCounter = 0;
  private readonly rates: ClientRates;
  private readonly prng: Xoshiro128;
  private readonly committed = new CommittedRequests();
  /** The session and cxid of each recorded write, to resolve it if abandoned. */
  private readonly writes = new Map<number, { readonly sessionId: bigint; readonly cxid: number }>();

  constructor(rates: ClientRates, prng: Xoshiro128) {
    this.rates = rates;
    this.prng = prng;
    for (let id = 0; id < rates.clientCount; id++) {
      this.clients.push({ id, state: 'idle', node: null, sid: 0, origin: 0, sessionId: 0n, cxid: 0, inflight: [], versions: new Map(), watches: new Map() });
    }
  }

  get operationCount(): number {
    return this.opsIssued;
  }

  /**
   * The recorded history, without the abandoned operations known to have had no effect: reads
   * (an unknown answer constrains nothing) and writes that were never committed and never will be
   * (committed-requests.ts). What remains abandoned may or may not have happened.
   */
  history(): Operation<ZnodeInput, ZnodeOutput>[] {
    return this.recorder.operations().filter((op) => {
      if (op.ret !== null) return true;
      if (op.input.kind === 'get' || op.input.kind === 'exists') return false;
      const write = op.handle === undefined ? undefined : this.writes.get(op.handle);
      return write === undefined || !this.committed.neverHappens(write.sessionId, write.cxid);
    });
  }

  /** One base tick: clients whose server is gone abandon; some act. */
  tick(members: readonly ServerId[], nodeOf: (sid: ServerId) => ReplicaNode | undefined): void {
    for (const client of this.clients) {
      if (client.state !== 'idle' && nodeOf(client.sid) !== client.node) this.lose(client);
      if (!this.prng.chance(this.rates.actPerTick)) continue;
      if (client.state === 'idle') this.connect(client, members, nodeOf);
      else if (client.state === 'connected') this.act(client);
    }
  }

  onEvent(event: ReplicaNodeEvent, _context: CheckContext<ReplicaNodeView>): string | null {
    if (event.kind === 'applied') this.committed.applied(event.txns);
    if (event.kind !== 'client') return null;
    const output = event.output;
    const client = this.byOrigin.get(output.origin);
    if (client === undefined || client.sid !== event.sid) return null;
    switch (output.kind) {
      case 'connected':
        if (client.state === 'connecting' && output.sessionId === client.sessionId) client.state = 'connected';
        return null;
      case 'refused':
      case 'close':
        this.lose(client);
        return null;
      case 'event':
        client.watches.delete(output.path);
        return null;
      case 'reply':
        return this.onReply(client, output.cxid, output.err, output.zxid, output.response);
    }
  }

  private connect(client: Client, members: readonly ServerId[], nodeOf: (sid: ServerId) => ReplicaNode | undefined): void {
    const sid = this.prng.pick(members);
    const node = nodeOf(sid);
    if (node === undefined) return;
    const origin = this.nextOrigin++;
    const sessionId = node.connect(origin, this.rates.sessionTimeoutMs);
    if (sessionId === null) return;
    this.byOrigin.set(origin, client);
    Object.assign(client, { state: 'connecting', node, sid, origin, sessionId, cxid: 0 });
    client.versions.clear();
    client.watches.clear();
  }

  /** The connection is gone: what was in flight may or may not have happened. */
  private lose(client: Client): void {
    for (const pending of client.inflight) if (pending.handle !== null) this.recorder.abandon(pending.handle);
    client.inflight.length = 0;
    this.byOrigin.delete(client.origin);
    client.state = 'idle';
    client.node = null;
  }

  private act(client: Client): void {
    const node = client.node;
    if (node === null || client.inflight.length >= 2 || this.opsIssued >= this.rates.opsMax) return;
    if (this.prng.chance(this.rates.walkAwayPerAction)) {
      node.detach(client.sessionId, client.origin);
      this.lose(client);
      return;
    }
    this.opsIssued++;
    const path = this.prng.pick(keys);
    const data = `d${this.dataCounter++}`;
    const choice = this.prng.below(7);
    const cxid = ++client.cxid;
    let request: ClientRequest;
    let input: ZnodeInput | null;
    switch (choice) {
      case 0:
        request = { type: OpCode.create, path, data: bytes(data), acl: openAclUnsafe, flags: 0 };
        input = { kind: 'create', path, data };
        break;
      case 1:
        request = { type: OpCode.setData, path, data: bytes(data), version: -1 };
        input = { kind: 'set', path, data, version: -1 };
        break;
      case 2: {
        const version = client.versions.get(path) ?? 0;
        request = { type: OpCode.setData, path, data: bytes(data), version };
        input = { kind: 'set', path, data, version };
        break;
      }
      case 3: {
        // A plain read may be stale on a follower (ZooKeeper promises sequential consistency, not
        // linearizability, for it): it only feeds CAS versions and watches, not the history.
        const watch = this.prng.chance(0.5);
        client.inflight.push({ kind: 'op', cxid, path, handle: null, input: null, watch });
        node.submit(client.sessionId, cxid, { type: OpCode.getData, path, watch });
        return;
      }
      case 4: {
        const handle = this.recorder.invoke(client.id, { kind: 'get', path });
        if (this.rates.skipSync === true) {
          client.inflight.push({ kind: 'op', cxid, path, handle, input: { kind: 'get', path } });
          node.submit(client.sessionId, cxid, { type: OpCode.getData, path, watch: false });
          return;
        }
        client.inflight.push({ kind: 'sync', cxid, handle, path });
        node.submit(client.sessionId, cxid, { type: OpCode.sync, path });
        return;
      }
      case 5:
        request = { type: OpCode.create, path: `/e${client.id}-${cxid}`, data: bytes(data), acl: openAclUnsafe, flags: 1 };
        input = null;
        break;
      default:
        request = { type: OpCode.delete, path, version: -1 };
        input = { kind: 'delete', path, version: -1 };
        break;
    }
    const handle = input === null ? null : this.recorder.invoke(client.id, input);
    if (handle !== null) this.writes.set(handle, { sessionId: client.sessionId, cxid });
    client.inflight.push({ kind: 'op', cxid, path, handle, input });
    node.submit(client.sessionId, cxid, request);
  }

  private onReply(client: Client, cxid: number, err: number, zxid: bigint, response: ClientResponse | null): string | null {
    const head = client.inflight[0];
    if (head === undefined || head.cxid !== cxid) {
      return `fifo: client ${client.id} on server ${client.sid} got the reply to cxid ${cxid}, expected ${head?.cxid ?? 'none'}`;
    }
    client.inflight.shift();
    if (head.kind === 'sync') {
      if (err !== ZkCode.OK) {
        this.recorder.abandon(head.handle);
        return null;
      }
      // The read of sync+read: answered later, still recorded from the sync's call.
      const readCxid = ++client.cxid;
      client.inflight.push({ kind: 'op', cxid: readCxid, path: head.path, handle: head.handle, input: { kind: 'get', path: head.path } });
      client.node?.submit(client.sessionId, readCxid, { type: OpCode.getData, path: head.path, watch: false });
      return null;
    }
    const isRead = head.input === null ? head.watch !== undefined : head.input.kind === 'get';
    if (isRead) {
      const watched = client.watches.get(head.path);
      const seen = err === ZkCode.OK && response !== null && 'stat' in response ? response.stat.version : null;
      if (watched !== undefined && seen !== watched && (seen !== null || err === ZkCode.NONODE)) {
        return `watch-order: client ${client.id} on server ${client.sid} read ${head.path} changed (version ${watched} → ${seen ?? 'gone'}) before its watch event`;
      }
      if (head.watch === true && seen !== null && watched === undefined) client.watches.set(head.path, seen);
    }
    if (head.kind === 'op' && head.handle === null && err === ZkCode.OK && response !== null && response.type === OpCode.getData) {
      client.versions.set(head.path, response.stat.version);
    }
    if (head.handle === null || head.input === null) return null;
    if (err === ZkCode.CONNECTIONLOSS || err === ZkCode.SESSIONEXPIRED || err === ZkCode.SESSIONMOVED) {
      this.recorder.abandon(head.handle);
      return null;
    }
    const output: { code: number; data?: string; version?: number } = { code: err };
    if (err === ZkCode.OK && response !== null) {
      if ('stat' in response) output.version = response.stat.version;
      if (response.type === OpCode.getData && 'data' in response) output.data = text(response.data);
      if (output.version !== undefined && 'path' in head.input) client.versions.set(head.input.path, output.version);
    }
    if (err === ZkCode.OK && head.input.kind !== 'get') this.acknowledged.push(zxid);
    this.recorder.complete(head.handle, output);
    return null;
  }
}

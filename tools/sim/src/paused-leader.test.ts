// Goal: ZOOKEEPER-1675's interleaving, scripted on the full stack: the
// leader L is paused (SIGSTOP: no ticks, links clogged); the others elect a
// new leader and acknowledge a client's set; a client of L calls sync+read
// on L while it is paused; L resumes still believing it leads. The sync must
// not be answered from L's stale tree: the history stays linearizable.
// Before leadership rounds (bd61c35) L answered the sync at once after
// resuming and the read returned the old value after the acknowledged set.
// Method: a Simulation of three ReplicaNodes on a fault-free network, clients
// driven by hand through the nodes, the history checked by @corral/lincheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode, majorityQuorum, type ServerId } from '@corral/base';
import { defaultBroadcastLimits } from '@corral/broadcast';
import { openAclUnsafe } from '@corral/data-tree';
import { HistoryRecorder, checkLinearizable, znodeModel, type ZnodeInput, type ZnodeOutput } from '@corral/lincheck';
import type { ClientOutput } from '@corral/replica';
import { OpCode } from '@corral/wire';
import type { Checker } from './checkers/checker.js';
import { SimClock } from './clock.js';
import { SimDisk } from './disk.js';
import { Network } from './network.js';
import { Xoshiro128 } from './prng.js';
import { RecordStore, ReplicaNode, type ReplicaMessage, type ReplicaNodeEvent, type ReplicaNodeView } from './replica-node.js';
import { Simulation } from './simulation.js';
import { Trace } from './trace.js';

const voters: ServerId[] = [1, 2, 3];
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | null): string => (data === null ? '' : new TextDecoder().decode(data));

/** Collects client outputs by connection number. */
class Outputs implements Checker<ReplicaNodeView, ReplicaNodeEvent> {
  readonly name = 'outputs';
  readonly byOrigin = new Map<number, ClientOutput[]>();
  onEvent(event: ReplicaNodeEvent): string | null {
    if (event.kind !== 'client') return null;
    const list = this.byOrigin.get(event.output.origin) ?? [];
    list.push(event.output);
    this.byOrigin.set(event.output.origin, list);
    return null;
  }
}

function ensemble(): { sim: Simulation<ReplicaMessage, ReplicaNodeView, ReplicaNodeEvent>; outputs: Outputs; node: (sid: ServerId) => ReplicaNode | undefined } {
  const verifier = majorityQuorum({ voters, observers: [] });
  const records = new RecordStore();
  let streams = 0;
  const incarnations = new Map<ServerId, number>();
  const outputs = new Outputs();
  const limits = { ...defaultBroadcastLimits, initLimitTicks: 20, syncLimitTicks: 10 };
  const sim = new Simulation<ReplicaMessage, ReplicaNodeView, ReplicaNodeEvent>({
    voters,
    observers: [],
    factory: (start) => {
      const incarnation = (incarnations.get(start.sid) ?? -1) + 1;
      incarnations.set(start.sid, incarnation);
      return new ReplicaNode({
        ...start, verifier, voters, observers: [], electionLimits: { finalizeWaitTicks: 2 }, limits, records, nextStream: () => ++streams,
        incarnation, snapshotEvery: 0, purgeLog: false, tickMs: 100,
      });
    },
    clock: new SimClock({ tickPeriodSteps: new Map(voters.map((sid) => [sid, 10])), firstTickStep: new Map(voters.map((sid) => [sid, sid])) }),
    network: new Network<ReplicaMessage>({
      prng: new Xoshiro128(1), faults: { lossProbability: 0, duplicateProbability: 0, reorderProbability: 0, delayStepsMin: 1, delayStepsMax: 1 }, inFlightMax: 10_000,
      streamed: (message) => message.kind === 'peer',
    }),
    disks: new Map(voters.map((sid) => [sid, new SimDisk({ recordsMax: 100_000, pendingWritesMax: 10_000 })])),
    checkers: [outputs],
    trace: new Trace(),
  });
  return { sim, outputs, node: (sid) => sim.nodeOf(sid) as ReplicaNode | undefined };
}

test('sync+read through a paused and resumed old leader stays linearizable (ZOOKEEPER-1675)', () => {
  const { sim, outputs, node } = ensemble();
  const run = (until: () => boolean, stepsMax = 20_000): void => {
    for (let i = 0; i < stepsMax && !until(); i++) sim.step();
    assert.deepEqual(sim.violations, []);
    assert.ok(until(), 'the condition holds within the step budget');
  };
  const leaderOf = (among: readonly ServerId[]): ServerId | undefined => among.find((sid) => {
    const view = node(sid)?.view();
    return view?.role === 'leading' && view.established;
  });
  const last = (origin: number): ClientOutput | undefined => outputs.byOrigin.get(origin)?.at(-1);
  const connect = (sid: ServerId, origin: number): bigint => {
    const sessionId = node(sid)?.connect(origin, 60_000) ?? null;
    assert.notEqual(sessionId, null);
    run(() => last(origin)?.kind === 'connected');
    return sessionId as bigint;
  };
  const history = new HistoryRecorder<ZnodeInput, ZnodeOutput>();

  run(() => leaderOf(voters) !== undefined && voters.every((sid) => node(sid)?.view().established === true));
  const old = leaderOf(voters) as ServerId;
  const others = voters.filter((sid) => sid !== old);
  const a = connect(old, 1);
  const b = connect(others[0] as ServerId, 2);
  const create = history.invoke(2, { kind: 'create', path: '/k', data: 'v0' });
  node(others[0] as ServerId)?.submit(b, 1, { type: OpCode.create, path: '/k', data: bytes('v0'), acl: openAclUnsafe, flags: 0 });
  run(() => last(2)?.kind === 'reply');
  history.complete(create, { code: ZkCode.OK });

  sim.pause(old);
  run(() => leaderOf(others) !== undefined);
  const leader = leaderOf(others) as ServerId;
  const b2 = connect(leader, 3);
  const set = history.invoke(3, { kind: 'set', path: '/k', data: 'v1', version: -1 });
  node(leader)?.submit(b2, 1, { type: OpCode.setData, path: '/k', data: bytes('v1'), version: -1 });
  run(() => last(3)?.kind === 'reply');
  const setReply = last(3);
  assert.ok(setReply?.kind === 'reply' && setReply.err === ZkCode.OK);
  history.complete(set, { code: ZkCode.OK, version: 1 });

  // A, on the paused old leader, calls sync+read after the set was acknowledged.
  const read = history.invoke(1, { kind: 'get', path: '/k' });
  node(old)?.submit(a, 1, { type: OpCode.sync, path: '/k' });
  sim.resume(old);
  const settled = (cxid: number): boolean => {
    const out = last(1);
    return (out?.kind === 'reply' && out.cxid === cxid) || out?.kind === 'close' || out?.kind === 'refused';
  };
  run(() => settled(1));
  let answer = last(1);
  if (answer?.kind === 'reply' && answer.err === ZkCode.OK) {
    node(old)?.submit(a, 2, { type: OpCode.getData, path: '/k', watch: false });
    run(() => settled(2));
    answer = last(1);
  }
  if (answer?.kind === 'reply' && answer.cxid === 2 && answer.err === ZkCode.OK && answer.response !== null && 'data' in answer.response && 'stat' in answer.response) {
    history.complete(read, { code: ZkCode.OK, data: text(answer.response.data), version: answer.response.stat.version });
  } else {
    // The old leader gave up (the connection closed): the read's outcome is unknown.
    history.abandon(read);
  }
  const result = checkLinearizable(znodeModel, history.operations());
  assert.equal(result.verdict, 'linearizable', result.failures.map((f) => f.history.join(' | ')).join('\n'));
});

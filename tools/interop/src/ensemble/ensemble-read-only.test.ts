/**
 * Read-only mode (`readonlymode.enabled`; a zoo.cfg key for Corral, the
 * `-Dreadonlymode.enabled=true` system property for Apache), real processes:
 * three members, two killed with SIGKILL. The survivor, LOOKING without a
 * quorum, turns read-only after QuorumPeer's grace period: `isro` says `ro`,
 * `srvr` says `Mode: read-only`; kazoo with read_only=True and Corral's client
 * with canBeReadOnly connect read-only, read what was written before, and get
 * NOTREADONLY for create, set, delete and sync; a client that did not ask for
 * read-only is refused, and so is a session of the replicated table (its
 * client stays suspended). The two restart: the read-only connection is
 * closed, `isro` says `rw`, the suspended session is back read-write with the
 * same id, and a new client connects read-write and writes. On Corral the
 * same holds over gRPC: Corral's client on the survivor's grpcPort with
 * canBeReadOnly (OpenSession.read_only) is read-only, reads, and gets
 * NOTREADONLY for a create.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateMode, GrpcSessionTransport, ZkClient, ZkCode, ZkError } from '@corral/client';
import { missingReason, pythonBin } from '../paths.js';
import { runPythonJson } from '../python-check.js';
import { ensembleSuite } from './ensemble-suite.js';
import type { TestEnsemble } from './test-ensemble.js';

const skip = missingReason([pythonBin]);
/** Longer than QuorumPeer's grace (max(2 s, tickTime)) plus a few failed election rounds. */
const readOnlyWithinMs = 20_000;
/** How long a client that did not ask for read-only keeps trying before the test calls it refused. */
const refusedAfterMs = 3_000;

async function waitForIsro(ensemble: TestEnsemble, sid: number, answer: 'ro' | 'rw'): Promise<number> {
  const startedMs = Date.now();
  for (;;) {
    const got = await ensemble.fourLetter(sid, 'isro').catch(() => 'unreachable');
    if (got.trim() === answer) return Date.now() - startedMs;
    if (Date.now() - startedMs > readOnlyWithinMs) throw new Error(`isro of ${sid} is ${got}, not ${answer}\n${ensemble.describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitFor(condition: () => boolean, what: () => string): Promise<void> {
  for (let waitedMs = 0; !condition(); waitedMs += 100) {
    if (waitedMs > readOnlyWithinMs) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function codeOf(error: unknown): number | string {
  return error instanceof ZkError ? error.code : String(error);
}

describe('read-only mode (real processes)', { skip }, () => {
  const suite = ensembleSuite();

  it('a member cut off from its quorum serves read-only clients, and read-write again once the quorum is back', async (t) => {
    t.diagnostic(suite.note);
    // Apache 3.8 answers a new session on a read-only server with a bare NOTREADONLY header
    // (kazoo: "invalid server response") unless sessions may be local: it runs with them.
    const apacheOnly: Record<string, string> = suite.kind === 'apache' ? { localSessionsEnabled: 'true', localSessionsUpgradingEnabled: 'true' } : {};
    const grpc = suite.kind === 'corral';
    const ensemble = await suite.start({ size: 3, grpc, settings: { 'readonlymode.enabled': 'true', ...apacheOnly }, apacheProperties: ['-Dreadonlymode.enabled=true'] });
    const leader = await ensemble.waitForQuorum();
    // The survivor is a follower: the case of a server whose leader and peer went away.
    const survivor = ensemble.sids.find((sid) => sid !== leader) ?? 1;
    const others = ensemble.sids.filter((sid) => sid !== survivor);
    const only = ensemble.connectStringOf([survivor]);
    const writer = await ZkClient.connect(ensemble.connectString);
    await writer.create('/ro', 'before');
    await writer.close();
    assert.equal((await ensemble.fourLetter(survivor, 'isro')).trim(), 'rw');
    // A read-write session whose client accepts read-only servers: the survivor refuses it while
    // read-only (Apache: "Refusing global session reconnection in RO mode"), the quorum takes it back.
    const keeper = await ZkClient.connect(only, { canBeReadOnly: true, sessionTimeoutMs: 10_000 });
    const keeperId = keeper.sessionId;
    assert.equal(keeper.state, 'connected');
    // An ephemeral makes it global on Apache with local sessions (a local session of the
    // follower is unknown to the read-only server it becomes: expired); Corral's are all global.
    await keeper.create('/ro-keeper', '', { mode: CreateMode.EPHEMERAL });

    for (const sid of others) await ensemble.kill9(sid);
    const roMs = await waitForIsro(ensemble, survivor, 'ro');
    t.diagnostic(`${suite.kind}: server ${survivor} read-only ${roMs} ms after its peers were killed`);
    assert.equal(await ensemble.mode(survivor), 'read-only');

    const kazoo = await runPythonJson('ensemble_read_only_kazoo.py', [only, '/ro']);
    assert.deepEqual(kazoo, {
      clientState: 'CONNECTED_RO', read: 'before', children: ['ro', 'ro-keeper', 'zookeeper'],
      create: 'NotReadOnlyCallError', set: 'NotReadOnlyCallError', delete: 'NotReadOnlyCallError', sync: 'NotReadOnlyCallError',
    });

    const readOnly = await ZkClient.connect(only, { canBeReadOnly: true, sessionTimeoutMs: 10_000 });
    const states: string[] = [readOnly.state];
    readOnly.on('state', (state: string) => states.push(state));
    assert.equal(readOnly.state, 'read-only');
    assert.equal(Buffer.from((await readOnly.getData('/ro')).data ?? new Uint8Array()).toString(), 'before');
    assert.equal(codeOf(await readOnly.create('/ro/child', 'x').then(() => 'created', (error: unknown) => error)), ZkCode.NOTREADONLY);
    assert.equal(codeOf(await readOnly.setData('/ro', 'x').then(() => 'set', (error: unknown) => error)), ZkCode.NOTREADONLY);

    if (grpc) {
      const grpcOnly = `127.0.0.1:${ensemble.members.find((member) => member.sid === survivor)?.grpcPort ?? 0}`;
      const overGrpc = await ZkClient.connect(grpcOnly, { transport: new GrpcSessionTransport(), canBeReadOnly: true, sessionTimeoutMs: 10_000 });
      assert.equal(overGrpc.state, 'read-only');
      assert.equal(Buffer.from((await overGrpc.getData('/ro')).data ?? new Uint8Array()).toString(), 'before');
      assert.equal(codeOf(await overGrpc.create('/ro/grpc', 'x').then(() => 'created', (error: unknown) => error)), ZkCode.NOTREADONLY);
      await overGrpc.close();
    }

    const refused = await ZkClient.connect(only, { signal: AbortSignal.timeout(refusedAfterMs) }).then(async (client) => {
      await client.close();
      return 'connected';
    }, () => 'refused');
    assert.equal(refused, 'refused');
    // By now the keeper has been refused for seconds.
    assert.equal(keeper.state, 'suspended');

    for (const sid of others) ensemble.restart(sid);
    await ensemble.waitForQuorum({ sids: ensemble.sids, timeoutMs: 30_000 });
    await waitForIsro(ensemble, survivor, 'rw');
    // The read-only connection was closed when the survivor rejoined (its client left read-only).
    for (let waitedMs = 0; !states.slice(1).some((state) => state !== 'read-only') && waitedMs < 10_000; waitedMs += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.diagnostic(`${suite.kind}: the read-only client went ${states.join(' → ')}`);
    assert.notEqual(states[1], undefined, 'the read-only connection was closed');
    await readOnly.close();

    // The session of the replicated table lives on: read-write again, same id.
    await waitFor(() => keeper.state === 'connected', () => `the read-write session read-write again (it is ${keeper.state})`);
    assert.equal(keeper.sessionId, keeperId);
    await keeper.close();
    const again = await ZkClient.connect(only, { canBeReadOnly: true });
    assert.equal(again.state, 'connected');
    await again.setData('/ro', 'after');
    assert.equal(Buffer.from((await again.getData('/ro')).data ?? new Uint8Array()).toString(), 'after');
    await again.close();
    await ensemble.close();
  });
});

// Goal: a connection's flow control bounds the server's memory whatever the
// client does (issue 7, item 6): pipelined big reads from a client that never
// reads, reads queued behind a write, a multiRead whose reply alone is
// enormous, and many connections against globalOutstandingLimit. Method: real
// JuteConnections on a loopback listener (random port in 40000-49999) over a
// real Driver on the in-memory disk, whose fsyncs the test releases by hand.
// Assertions read the server's own accounting (outboundBytes, inFlightCount),
// sampled after every request the connections hand to the core; waits are
// for conditions, never for time.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { ZkCode } from '@corral/base';
import { OpCode, type ClientRequest, type ConnectRequest } from '@corral/wire';
import type { ClientCore } from '../core/client-core.js';
import type { Driver } from '../driver/driver.js';
import type { ClientTransport, Session } from '../session/session.js';
import { startMemoryDriver } from '../testing/memory-driver.js';
import { RawClient, type RawReply } from '../testing/raw-client.js';
import { JuteConnection } from './jute-connection.js';
import { outboundBytesPauseThreshold, outboundBytesPerConnectionMax } from './limits.js';

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const nodeBytes = 1_000_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Samples of the server's accounting, one per request handed to the core. */
interface Sample {
  readonly type: number;
  readonly outboundBytes: number;
  readonly inFlightCount: number;
}

/** The Driver, recording the accounting after each request the connections submit. */
class SamplingCore implements ClientCore {
  readonly samples: Sample[] = [];
  private readonly driver: Driver;

  constructor(driver: Driver) {
    this.driver = driver;
  }

  get outstandingCount(): number {
    return this.driver.outstandingCount;
  }

  get inFlightCount(): number {
    return this.driver.inFlightCount;
  }

  estimateReplyBytes(session: Session, request: ClientRequest): number {
    return this.driver.estimateReplyBytes(session, request);
  }

  connect(transport: ClientTransport, request: ConnectRequest, onSession: (session: Session | null) => void): void {
    this.driver.connect(transport, request, onSession);
  }

  submit(session: Session, xid: number, type: number, request: ClientRequest | null): void {
    this.driver.submit(session, xid, type, request);
    const connection = session.transport;
    this.samples.push({
      type, outboundBytes: connection instanceof JuteConnection ? connection.outboundBytes : 0, inFlightCount: this.inFlightCount,
    });
  }

  submitMalformed(session: Session, xid: number, type: number): void {
    this.driver.submitMalformed(session, xid, type);
  }

  detach(session: Session | null, transport: ClientTransport): void {
    this.driver.detach(session, transport);
  }

  proposeDeleteContainer(path: string): void {
    this.driver.proposeDeleteContainer(path);
  }
}

async function listen(server: Server): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const port = 40000 + Math.floor(Math.random() * 10000);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port, host: '127.0.0.1' }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return port;
    } catch (error) {
      if (attempt > 10 || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
}

async function harness(options: { globalOutstandingLimit?: number } = {}) {
  const { driver, disk, config } = await startMemoryDriver(cleanups, { extra: 'jute.maxbuffer=2000000\n' });
  const core = new SamplingCore(driver);
  const connections = new Set<JuteConnection>();
  const server = createServer((socket) => {
    connections.add(new JuteConnection(socket, {
      core, maxFrameBytes: config.juteMaxBuffer, globalOutstandingLimit: options.globalOutstandingLimit ?? 1000, clock: () => Date.now(),
      isFourLetterWord: () => false, runFourLetterWord: () => '', onClose: (c) => connections.delete(c), log: () => undefined,
    }));
  });
  const port = await listen(server);
  cleanups.push(async () => {
    for (const connection of connections) connection.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const client = async (): Promise<RawClient> => {
    const c = await RawClient.open(port);
    cleanups.push(() => c.close());
    return c;
  };
  return { disk, core, connections, client };
}

/** Yields to the event loop until `condition` holds (bounded, so a bug fails instead of hanging). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 200_000; turn += 1) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  assert.fail(`gave up waiting until ${what}`);
}

const getBig = (): ClientRequest => ({ type: OpCode.getData, path: '/big', watch: false });

/** Sends `requests` pipelined and counts replies in order, without keeping their bodies. */
function pipelined(c: RawClient, requests: readonly ClientRequest[]): { answered: () => number; done: Promise<number[]> } {
  let answered = 0;
  const done = Promise.all(requests.map((request) => c.request(request).then((reply: RawReply) => {
    answered += 1;
    return reply.header.err;
  })));
  return { answered: () => answered, done };
}

function peakOutbound(samples: readonly Sample[]): number {
  return Math.max(...samples.map((s) => s.outboundBytes));
}

async function createBig(c: RawClient): Promise<void> {
  const created = await c.request({ type: OpCode.create, path: '/big', data: Buffer.alloc(nodeBytes, 7), acl: open, flags: 0 });
  assert.equal(created.header.err, ZkCode.OK);
}

test('pipelined big reads from a client that does not read stop decoding at the output limit, and resume when it reads', async () => {
  const { core, connections, client } = await harness();
  const c = await client();
  await createBig(c);
  core.samples.length = 0;
  const count = 200;
  c.socket.pause();
  const reads = pipelined(c, Array.from({ length: count }, getBig));
  const connection = [...connections][0];
  assert.ok(connection !== undefined);
  await until(() => core.samples.length > 0 && connection.isReadingPaused, 'the connection stops reading');
  assert.ok(core.samples.length < count, `decoding stopped early (${core.samples.length} of ${count} decoded)`);
  const oneReply = nodeBytes + 200;
  assert.ok(peakOutbound(core.samples) <= outboundBytesPauseThreshold + oneReply, `peak ${peakOutbound(core.samples)} bytes owed`);
  c.socket.resume();
  const errors = await reads.done;
  assert.equal(errors.length, count);
  assert.ok(errors.every((err) => err === ZkCode.OK));
  assert.ok(peakOutbound(core.samples) <= outboundBytesPauseThreshold + oneReply, 'the bound held to the end');
  const after = await c.request({ type: OpCode.exists, path: '/big', watch: false });
  assert.equal(after.header.err, ZkCode.OK, 'the connection still works');
});

test('reads queued behind a write count by their estimated replies before they are built', async () => {
  const { disk, core, connections, client } = await harness();
  const c = await client();
  await createBig(c);
  core.samples.length = 0;
  disk.fsyncMode = 'manual';
  const count = 100;
  const requests: ClientRequest[] = [{ type: OpCode.setData, path: '/big', data: Buffer.alloc(nodeBytes, 8), version: -1 }];
  for (let index = 0; index < count; index += 1) requests.push(getBig());
  const replies = pipelined(c, requests);
  const connection = [...connections][0];
  assert.ok(connection !== undefined);
  await until(() => core.samples.length > 0 && connection.isReadingPaused, 'the connection stops reading');
  const decoded = core.samples.length;
  assert.ok(decoded < 10, `only a few reads are queued (${decoded} decoded)`);
  assert.ok(connection.backlog.replyBytes > outboundBytesPauseThreshold, 'the queued reads are counted before any reply exists');
  assert.equal(replies.answered(), 0);
  disk.fsyncMode = 'immediate';
  disk.completeFsyncs();
  const errors = await replies.done;
  assert.equal(errors.length, count + 1);
  assert.ok(errors.every((err) => err === ZkCode.OK));
  assert.ok(peakOutbound(core.samples) <= outboundBytesPauseThreshold + nodeBytes + 200, `peak ${peakOutbound(core.samples)} bytes owed`);
  assert.equal(connection.backlog.replyBytes, 0);
  assert.equal(connection.backlog.requestCount, 0);
});

test('a multiRead counts as its replies: one that could never fit under the output limit closes the connection unbuilt', async () => {
  const { core, client } = await harness();
  const c = await client();
  await createBig(c);
  core.samples.length = 0;
  // 3 KB of request, about 80 MB of reply.
  const ops = Array.from({ length: Math.ceil(outboundBytesPerConnectionMax / nodeBytes) + 10 }, getBig);
  void c.request({ type: OpCode.multiRead, ops });
  await c.closed;
  assert.deepEqual(core.samples, [], 'the multiRead never reached the core');
  const d = await client();
  const small = await d.request({ type: OpCode.multiRead, ops: [getBig(), getBig()] });
  assert.equal(small.header.err, ZkCode.OK, 'a multiRead within the limit is answered');
});

test('globalOutstandingLimit bounds requests in flight across connections; each resumes as its replies go out', async () => {
  const limit = 5;
  const { disk, core, client } = await harness({ globalOutstandingLimit: limit });
  const clients = [await client(), await client(), await client()];
  core.samples.length = 0;
  disk.fsyncMode = 'manual';
  const perClient = 60;
  const batches = clients.map((c, index) => pipelined(c, Array.from({ length: perClient }, (_, n): ClientRequest => ({
    type: OpCode.create, path: `/c${index}-${n}`, data: new Uint8Array(0), acl: open, flags: 0,
  }))));
  const answered = (): number => batches.reduce((sum, batch) => sum + batch.answered(), 0);
  await until(() => {
    disk.completeFsyncs();
    return answered() === clients.length * perClient;
  }, 'every create is answered');
  for (const batch of batches) assert.ok((await batch.done).every((err) => err === ZkCode.OK));
  const peak = Math.max(...core.samples.map((s) => s.inFlightCount));
  // As ZooKeeperServer.shouldThrottle: a connection with nothing in flight may
  // still send one request, so the bound is the limit plus one per connection.
  assert.ok(peak <= limit + clients.length, `peak ${peak} requests in flight`);
  assert.ok(peak > limit, 'the limit was reached, so the bound was exercised');
  assert.equal(core.inFlightCount, 0);
});

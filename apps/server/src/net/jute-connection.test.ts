// Goal: a connection's flow control bounds the server's memory whatever the
// client does (issue 7, item 6): pipelined big reads from a client that never
// reads, reads queued behind a write, a multiRead whose reply alone is
// enormous, and many connections against globalOutstandingLimit. Method: real
// JuteConnections on a loopback listener (random port in 40000-49999) over a
// real RequestPipeline on the in-memory disk, whose fsyncs the test releases
// by hand. Assertions read the server's own accounting (outboundBytes,
// inFlightCount), sampled after every request the connections hand to the
// pipeline; waits are for conditions, never for time.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { ZkCode } from '@corral/base';
import { DataTree, WatchManager, watchSinkFor } from '@corral/data-tree';
import { MemoryDisk, MemoryTxnLog } from '@corral/txn-log';
import { OpCode, type ClientRequest } from '@corral/wire';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { RequestPipeline, type PipelineOptions } from '../pipeline/request-pipeline.js';
import { SessionTable } from '../session/session-table.js';
import type { Session } from '../session/session.js';
import { ServerStats } from '../stats/server-stats.js';
import { RawClient, type RawReply } from '../testing/raw-client.js';
import { JuteConnection } from './jute-connection.js';
import { outboundBytesPauseThreshold, outboundBytesPerConnectionMax } from './limits.js';

const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const nodeBytes = 1_000_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Samples of the server's accounting, one per request handed to the pipeline. */
interface Sample {
  readonly type: number;
  readonly outboundBytes: number;
  readonly inFlightCount: number;
}

/** Records the accounting after each request the connections submit. */
class SamplingPipeline extends RequestPipeline {
  readonly samples: Sample[] = [];

  constructor(options: PipelineOptions) {
    super(options);
  }

  override submit(session: Session, xid: number, type: number, request: ClientRequest | null): void {
    super.submit(session, xid, type, request);
    const connection = session.transport;
    this.samples.push({
      type, outboundBytes: connection instanceof JuteConnection ? connection.outboundBytes : 0, inFlightCount: this.inFlightCount,
    });
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
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  const config = parseZooCfg('dataDir=/unused\njute.maxbuffer=2000000\n');
  const tree = new DataTree();
  const watches = new WatchManager();
  const sessions = new SessionTable({ tickTimeMs: 2000, nowMs: Date.now(), serverId: 0, sessionsMax: 100 });
  const pipeline = new SamplingPipeline({
    config, tree, watches, sessions, stats: new ServerStats(0), log, clock: () => Date.now(), onFatal: (error) => { throw error; },
  });
  tree.watchSink = watchSinkFor(watches, (s, t, p, acl) => pipeline.deliverEvent(s, t, p, acl));
  const connections = new Set<JuteConnection>();
  const server = createServer((socket) => {
    connections.add(new JuteConnection(socket, {
      pipeline, maxFrameBytes: config.juteMaxBuffer, globalOutstandingLimit: options.globalOutstandingLimit ?? 1000, clock: () => Date.now(),
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
  return { disk, pipeline, connections, client };
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
  const { pipeline, connections, client } = await harness();
  const c = await client();
  await createBig(c);
  pipeline.samples.length = 0;
  const count = 200;
  c.socket.pause();
  const reads = pipelined(c, Array.from({ length: count }, getBig));
  const connection = [...connections][0];
  assert.ok(connection !== undefined);
  await until(() => pipeline.samples.length > 0 && connection.isReadingPaused, 'the connection stops reading');
  assert.ok(pipeline.samples.length < count, `decoding stopped early (${pipeline.samples.length} of ${count} decoded)`);
  const oneReply = nodeBytes + 200;
  assert.ok(peakOutbound(pipeline.samples) <= outboundBytesPauseThreshold + oneReply, `peak ${peakOutbound(pipeline.samples)} bytes owed`);
  c.socket.resume();
  const errors = await reads.done;
  assert.equal(errors.length, count);
  assert.ok(errors.every((err) => err === ZkCode.OK));
  assert.ok(peakOutbound(pipeline.samples) <= outboundBytesPauseThreshold + oneReply, 'the bound held to the end');
  const after = await c.request({ type: OpCode.exists, path: '/big', watch: false });
  assert.equal(after.header.err, ZkCode.OK, 'the connection still works');
});

test('reads queued behind a write count by their estimated replies before they are built', async () => {
  const { disk, pipeline, connections, client } = await harness();
  const c = await client();
  await createBig(c);
  pipeline.samples.length = 0;
  disk.fsyncMode = 'manual';
  const count = 100;
  const requests: ClientRequest[] = [{ type: OpCode.setData, path: '/big', data: Buffer.alloc(nodeBytes, 8), version: -1 }];
  for (let index = 0; index < count; index += 1) requests.push(getBig());
  const replies = pipelined(c, requests);
  const connection = [...connections][0];
  assert.ok(connection !== undefined);
  await until(() => pipeline.samples.length > 0 && connection.isReadingPaused, 'the connection stops reading');
  const decoded = pipeline.samples.length;
  assert.ok(decoded < 10, `only a few reads are queued (${decoded} decoded)`);
  assert.ok(connection.backlog.replyBytes > outboundBytesPauseThreshold, 'the queued reads are counted before any reply exists');
  assert.equal(replies.answered(), 0);
  disk.fsyncMode = 'immediate';
  disk.completeFsyncs();
  const errors = await replies.done;
  assert.equal(errors.length, count + 1);
  assert.ok(errors.every((err) => err === ZkCode.OK));
  assert.ok(peakOutbound(pipeline.samples) <= outboundBytesPauseThreshold + nodeBytes + 200, `peak ${peakOutbound(pipeline.samples)} bytes owed`);
  assert.equal(connection.backlog.replyBytes, 0);
  assert.equal(connection.backlog.requestCount, 0);
});

test('a multiRead counts as its replies: one that could never fit under the output limit closes the connection unbuilt', async () => {
  const { pipeline, client } = await harness();
  const c = await client();
  await createBig(c);
  pipeline.samples.length = 0;
  // 3 KB of request, about 80 MB of reply.
  const ops = Array.from({ length: Math.ceil(outboundBytesPerConnectionMax / nodeBytes) + 10 }, getBig);
  void c.request({ type: OpCode.multiRead, ops });
  await c.closed;
  assert.deepEqual(pipeline.samples, [], 'the multiRead never reached the pipeline');
  const d = await client();
  const small = await d.request({ type: OpCode.multiRead, ops: [getBig(), getBig()] });
  assert.equal(small.header.err, ZkCode.OK, 'a multiRead within the limit is answered');
});

test('globalOutstandingLimit bounds requests in flight across connections; each resumes as its replies go out', async () => {
  const limit = 5;
  const { disk, pipeline, client } = await harness({ globalOutstandingLimit: limit });
  const clients = [await client(), await client(), await client()];
  pipeline.samples.length = 0;
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
  const peak = Math.max(...pipeline.samples.map((s) => s.inFlightCount));
  // As ZooKeeperServer.shouldThrottle: a connection with nothing in flight may
  // still send one request, so the bound is the limit plus one per connection.
  assert.ok(peak <= limit + clients.length, `peak ${peak} requests in flight`);
  assert.ok(peak > limit, 'the limit was reached, so the bound was exercised');
  assert.equal(pipeline.inFlightCount, 0);
});

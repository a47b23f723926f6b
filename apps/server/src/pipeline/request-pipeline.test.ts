// Goal: the pipeline's ordering and durability rules, in process, on the
// simulated disk: nothing is answered before its append is durable, a
// failed fsync is never acknowledged (the server is told to stop), and
// replies leave in request order per session. No sockets, no timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode } from '@corral/base';
import { DataTree, WatchManager, watchSinkFor } from '@corral/data-tree';
import { MemoryDisk, MemoryTxnLog } from '@corral/txn-log';
import { OpCode, type ClientResponse, type ConnectResponse, type ReplyHeader, type WatcherEvent } from '@corral/wire';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { SessionTable } from '../session/session-table.js';
import type { ClientTransport, ReplyBacklog, Session } from '../session/session.js';
import { ConnectionStats } from '../stats/connection-stats.js';
import { ServerStats } from '../stats/server-stats.js';
import { RequestPipeline } from './request-pipeline.js';

class RecordingTransport implements ClientTransport {
  readonly remoteAddress = '127.0.0.1';
  readonly stats = new ConnectionStats(0);
  readonly backlog: ReplyBacklog = { requestCount: 0, replyBytes: 0 };
  readonly replies: { header: ReplyHeader; response: ClientResponse | null }[] = [];
  readonly events: WatcherEvent[] = [];
  connect: ConnectResponse | null = null;
  closedReason: string | null = null;
  sendConnectResponse(response: ConnectResponse): void { this.connect = response; }
  sendReply(header: ReplyHeader, response: ClientResponse | null): void { this.replies.push({ header, response }); }
  sendEvent(event: WatcherEvent): void { this.events.push(event); }
  close(reason: string): void { this.closedReason = reason; }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

async function setup() {
  const disk = new MemoryDisk();
  const log = await MemoryTxnLog.open(disk);
  const config = parseZooCfg('dataDir=/unused\n');
  const tree = new DataTree();
  const watches = new WatchManager();
  const sessions = new SessionTable({ tickTimeMs: 2000, nowMs: 0, serverId: 0, sessionsMax: 100 });
  const fatal: unknown[] = [];
  const pipeline = new RequestPipeline({
    config, tree, watches, sessions, stats: new ServerStats(0), log, clock: () => 1000, onFatal: (error) => fatal.push(error),
  });
  tree.watchSink = watchSinkFor(watches, (s, t, p, acl) => pipeline.deliverEvent(s, t, p, acl));
  const transport = new RecordingTransport();
  let session: Session | null = null;
  pipeline.connect(transport, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false }, (s) => { session = s; });
  await settle();
  assert.ok(session !== null, 'session established after createSession is durable');
  return { disk, pipeline, tree, transport, session: session as Session, fatal };
}

test('a write is answered only once its append is durable', async () => {
  const { disk, pipeline, transport, session } = await setup();
  disk.fsyncMode = 'manual';
  pipeline.submit(session, 1, OpCode.create, { type: OpCode.create, path: '/a', data: new Uint8Array(0), acl: open, flags: 0 });
  await settle();
  assert.equal(transport.replies.length, 0, 'no reply before fsync');
  disk.completeFsyncs();
  await settle();
  await settle();
  assert.equal(transport.replies.length, 1);
  assert.equal(transport.replies[0]?.header.err, ZkCode.OK);
});

test('a failed fsync is never acknowledged and stops the server', async () => {
  const { disk, pipeline, transport, session, tree, fatal } = await setup();
  disk.failNextFsync('disk-full');
  pipeline.submit(session, 1, OpCode.create, { type: OpCode.create, path: '/lost', data: new Uint8Array(0), acl: open, flags: 0 });
  await settle();
  await settle();
  assert.equal(transport.replies.length, 0);
  assert.equal(fatal.length, 1);
  assert.equal(tree.getNode('/lost'), undefined, 'nothing applied that was not stored');
});

test('a read behind a pending write of the same session waits for it', async () => {
  const { disk, pipeline, transport, session } = await setup();
  disk.fsyncMode = 'manual';
  pipeline.submit(session, 1, OpCode.create, { type: OpCode.create, path: '/x', data: Buffer.from('1'), acl: open, flags: 0 });
  pipeline.submit(session, 2, OpCode.getData, { type: OpCode.getData, path: '/x', watch: false });
  pipeline.submit(session, 3, OpCode.setData, { type: OpCode.setData, path: '/x', data: Buffer.from('2'), version: -1 });
  pipeline.submit(session, 4, OpCode.getData, { type: OpCode.getData, path: '/x', watch: false });
  await settle();
  assert.equal(transport.replies.length, 0);
  disk.completeFsyncs();
  for (let index = 0; index < 5; index += 1) await settle();
  disk.completeFsyncs();
  for (let index = 0; index < 5; index += 1) await settle();
  assert.deepEqual(transport.replies.map((r) => r.header.xid), [1, 2, 3, 4]);
  const reads = transport.replies.filter((r) => r.response?.type === OpCode.getData)
    .map((r) => (r.response?.type === OpCode.getData ? Buffer.from(r.response.data ?? []).toString() : ''));
  assert.deepEqual(reads, ['1', '2']);
});

test('pipelined writes validate against outstanding changes', async () => {
  const { pipeline, transport, session } = await setup();
  pipeline.submit(session, 1, OpCode.create, { type: OpCode.create, path: '/p', data: new Uint8Array(0), acl: open, flags: 0 });
  pipeline.submit(session, 2, OpCode.create, { type: OpCode.create, path: '/p', data: new Uint8Array(0), acl: open, flags: 0 });
  pipeline.submit(session, 3, OpCode.create, { type: OpCode.create, path: '/p/c', data: new Uint8Array(0), acl: open, flags: 0 });
  pipeline.submit(session, 4, OpCode.delete, { type: OpCode.delete, path: '/p', version: -1 });
  for (let index = 0; index < 5; index += 1) await settle();
  assert.deepEqual(transport.replies.map((r) => r.header.err), [ZkCode.OK, ZkCode.NODEEXISTS, ZkCode.OK, ZkCode.NOTEMPTY]);
});

test('after a reconnect, replies owed to the old connection are not sent on the new one', async () => {
  const { disk, pipeline, transport, session } = await setup();
  disk.fsyncMode = 'manual';
  pipeline.submit(session, 7, OpCode.create, { type: OpCode.create, path: '/r', data: new Uint8Array(0), acl: open, flags: 0 });
  await settle();
  const second = new RecordingTransport();
  pipeline.connect(second, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: session.id, passwd: session.passwd, readOnly: false,
  }, () => undefined);
  assert.equal(second.connect?.sessionId, session.id);
  assert.ok(transport.closedReason !== null, 'the old connection is closed');
  pipeline.submit(session, 1, OpCode.exists, { type: OpCode.exists, path: '/r', watch: false });
  disk.completeFsyncs();
  for (let index = 0; index < 5; index += 1) await settle();
  assert.deepEqual(second.replies.map((r) => r.header.xid), [1]);
  assert.equal(second.replies[0]?.header.err, ZkCode.OK, 'the write was applied before the later read');
  assert.equal(transport.replies.length, 0);
});

test('a read queued by the old connection sets no watch once the session has moved', async () => {
  const { disk, pipeline, transport, session } = await setup();
  disk.fsyncMode = 'manual';
  pipeline.submit(session, 1, OpCode.create, { type: OpCode.create, path: '/w', data: new Uint8Array(0), acl: open, flags: 0 });
  pipeline.submit(session, 2, OpCode.exists, { type: OpCode.exists, path: '/w', watch: true });
  await settle();
  const second = new RecordingTransport();
  pipeline.connect(second, {
    protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: session.id, passwd: session.passwd, readOnly: false,
  }, () => undefined);
  disk.fsyncMode = 'immediate';
  disk.completeFsyncs();
  for (let index = 0; index < 5; index += 1) await settle();
  pipeline.submit(session, 1, OpCode.setData, { type: OpCode.setData, path: '/w', data: Buffer.from('x'), version: -1 });
  for (let index = 0; index < 5; index += 1) await settle();
  assert.deepEqual(second.replies.map((r) => r.header.xid), [1]);
  assert.deepEqual(second.events, [], 'the exists watch of the old connection was never set');
  assert.equal(transport.replies.length, 0);
  assert.equal(pipeline.inFlightCount, 0, 'dropped requests no longer count as in flight');
});

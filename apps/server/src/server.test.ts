// Goal: the standalone server end to end over real sockets, with a raw jute
// client: ZooKeeper's results, error codes and Stat fields for the basic
// operations, watch delivery, per-session ordering, session close/expiry
// removing ephemerals, durability across a restart, and bad bytes that
// close only the offending connection. Each test starts its own server on
// a random port in 40000-49999 with a temp data dir.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ZkCode } from '@corral/base';
import { EventType, OpCode, type CreateRequest } from '@corral/wire';
import { parseZooCfg } from './config/zoo-cfg.js';
import { createLogger } from './logger.js';
import { CorralServer } from './server.js';
import { fourLetterWord } from './testing/four-letter-word.js';
import { RawClient } from './testing/raw-client.js';
import { startTestServer } from './testing/test-server.js';

const open = { perms: 31, id: { scheme: 'world', id: 'anyone' } };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startServer(options: { dataDir?: string; extra?: string } = {}): Promise<{ server: CorralServer; dataDir: string }> {
  return startTestServer(cleanups, options);
}

async function client(port: number, timeoutMs?: number): Promise<RawClient> {
  const c = await RawClient.open(port, timeoutMs === undefined ? {} : { timeoutMs });
  cleanups.push(() => c.close());
  return c;
}

const create = (path: string, data = '', flags = 0): CreateRequest =>
  ({ type: OpCode.create2, path, data: Buffer.from(data), acl: [open], flags });

test('create, getData, setData and delete give ZooKeeper codes and stats', async () => {
  const { server } = await startServer();
  const c = await client(server.port);
  const created = await c.request(create('/a', 'x'));
  assert.equal(created.header.err, ZkCode.OK);
  assert.equal(created.response?.type, OpCode.create2);
  assert.equal((await c.request(create('/a'))).header.err, ZkCode.NODEEXISTS);
  assert.equal((await c.request(create('/missing/child'))).header.err, ZkCode.NONODE);
  const got = await c.request({ type: OpCode.getData, path: '/a', watch: false });
  assert.ok(got.response?.type === OpCode.getData);
  assert.equal(Buffer.from(got.response.data ?? []).toString(), 'x');
  assert.equal(got.response.stat.version, 0);
  assert.equal(got.response.stat.czxid, got.response.stat.mzxid);
  const set = await c.request({ type: OpCode.setData, path: '/a', data: Buffer.from('yy'), version: 0 });
  assert.ok(set.response?.type === OpCode.setData);
  assert.equal(set.response.stat.version, 1);
  assert.equal(set.response.stat.dataLength, 2);
  assert.equal((await c.request({ type: OpCode.setData, path: '/a', data: Buffer.from('z'), version: 0 })).header.err, ZkCode.BADVERSION);
  assert.equal((await c.request(create('/a/b'))).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.delete, path: '/a', version: -1 })).header.err, ZkCode.NOTEMPTY);
  assert.equal((await c.request({ type: OpCode.delete, path: '/a/b', version: -1 })).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.delete, path: '/a', version: 1 })).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.exists, path: '/a', watch: false })).header.err, ZkCode.NONODE);
  assert.equal((await c.request(create('bad'))).header.err, ZkCode.BADARGUMENTS);
});

test('sequential names count the parent cversion, including after deletes', async () => {
  const { server } = await startServer();
  const c = await client(server.port);
  await c.request(create('/q'));
  const first = await c.request(create('/q/n-', '', 2));
  assert.ok(first.response?.type === OpCode.create2);
  assert.equal(first.response.path, '/q/n-0000000000');
  await c.request({ type: OpCode.delete, path: '/q/n-0000000000', version: -1 });
  await c.request(create('/q/plain'));
  const third = await c.request(create('/q/n-', '', 2));
  assert.ok(third.response?.type === OpCode.create2);
  assert.equal(third.response.path, '/q/n-0000000002');
});

test('a data watch fires once with the right type and path', async () => {
  const { server } = await startServer();
  const writer = await client(server.port);
  const watcher = await client(server.port);
  await writer.request(create('/w', 'v'));
  await watcher.request({ type: OpCode.getData, path: '/w', watch: true });
  await watcher.request({ type: OpCode.exists, path: '/nope', watch: true });
  await writer.request({ type: OpCode.setData, path: '/w', data: Buffer.from('v2'), version: -1 });
  await writer.request({ type: OpCode.setData, path: '/w', data: Buffer.from('v3'), version: -1 });
  await writer.request(create('/nope'));
  const events = await watcher.waitForEvents(2);
  await watcher.request({ type: OpCode.sync, path: '/' });
  assert.deepEqual(events.map((e) => [e.type, e.path]), [[EventType.NodeDataChanged, '/w'], [EventType.NodeCreated, '/nope']]);
});

test('replies keep request order within a session while writes are pipelined', async () => {
  const { server } = await startServer();
  const c = await client(server.port);
  await c.request(create('/order', '0'));
  const replies = await Promise.all([
    c.request({ type: OpCode.setData, path: '/order', data: Buffer.from('1'), version: -1 }),
    c.request({ type: OpCode.getData, path: '/order', watch: false }),
    c.request({ type: OpCode.setData, path: '/order', data: Buffer.from('2'), version: -1 }),
    c.request({ type: OpCode.getData, path: '/order', watch: false }),
  ]);
  const reads = replies.filter((r) => r.response?.type === OpCode.getData).map((r) => r.response?.type === OpCode.getData ? Buffer.from(r.response.data ?? []).toString() : '');
  assert.deepEqual(reads, ['1', '2']);
});

test('a failed multi changes nothing and reports per-op results', async () => {
  const { server } = await startServer();
  const c = await client(server.port);
  const reply = await c.request({ type: OpCode.multi, ops: [create('/m1'), create('/m1'), create('/m2')] });
  assert.equal(reply.header.err, ZkCode.OK);
  assert.ok(reply.response?.type === OpCode.multi);
  assert.deepEqual(reply.response.results.map((r) => (r.type === OpCode.error ? r.err : 'ok')), [0, ZkCode.NODEEXISTS, ZkCode.RUNTIMEINCONSISTENCY]);
  assert.equal((await c.request({ type: OpCode.exists, path: '/m1', watch: false })).header.err, ZkCode.NONODE);
  const good = await c.request({ type: OpCode.multi, ops: [create('/m1'), { type: OpCode.check, path: '/m1', version: 0 }] });
  assert.ok(good.response?.type === OpCode.multi);
  assert.equal(good.response.results.length, 2);
  assert.equal((await c.request({ type: OpCode.exists, path: '/m1', watch: false })).header.err, ZkCode.OK);
});

test('closeSession removes ephemerals at once and fires their watches', async () => {
  const { server } = await startServer();
  const owner = await client(server.port);
  const watcher = await client(server.port);
  await owner.request(create('/e', '', 1));
  await watcher.request({ type: OpCode.exists, path: '/e', watch: true });
  assert.equal((await owner.request(create('/e/child'))).header.err, ZkCode.NOCHILDRENFOREPHEMERALS);
  await owner.request({ type: OpCode.closeSession });
  const events = await watcher.waitForEvents(1);
  assert.deepEqual([events[0]?.type, events[0]?.path], [EventType.NodeDeleted, '/e']);
  assert.equal((await watcher.request({ type: OpCode.exists, path: '/e', watch: false })).header.err, ZkCode.NONODE);
});

test('an expired session loses its ephemerals', async () => {
  const { server } = await startServer({ extra: 'minSessionTimeout=300\nmaxSessionTimeout=600\n' });
  const owner = await client(server.port, 300);
  const watcher = await client(server.port, 60_000);
  await owner.request(create('/gone', '', 1));
  await watcher.request({ type: OpCode.exists, path: '/gone', watch: true });
  // The owner sends nothing more (no pings): the server must expire it.
  const events = await watcher.waitForEvents(1);
  assert.deepEqual([events[0]?.type, events[0]?.path], [EventType.NodeDeleted, '/gone']);
  await owner.closed;
});

test('acknowledged writes survive a restart', async () => {
  const first = await startServer();
  const c = await client(first.server.port);
  for (let index = 0; index < 20; index += 1) await c.request(create(`/p${index}`, `v${index}`));
  c.close();
  await first.server.close();
  const second = await startServer({ dataDir: first.dataDir });
  const d = await client(second.server.port);
  const got = await d.request({ type: OpCode.getData, path: '/p19', watch: false });
  assert.ok(got.response?.type === OpCode.getData);
  assert.equal(Buffer.from(got.response.data ?? []).toString(), 'v19');
});

test('null data stays null, apart from empty, across a restart with snapshots (kazoo test_create_null_data)', async () => {
  // snapCount=2: snapshots are taken while these writes go on, so the restart loads
  // null data from a snapshot and from replayed txns.
  const first = await startServer({ extra: 'snapCount=2\n' });
  const c = await client(first.server.port);
  const createWith = (path: string, data: Uint8Array | null): CreateRequest => ({ type: OpCode.create, path, data, acl: [open], flags: 0 });
  assert.equal((await c.request(createWith('/null', null))).header.err, ZkCode.OK);
  assert.equal((await c.request(createWith('/empty', new Uint8Array(0)))).header.err, ZkCode.OK);
  assert.equal((await c.request(createWith('/set', Buffer.from('x')))).header.err, ZkCode.OK);
  const set = await c.request({ type: OpCode.setData, path: '/set', data: null, version: 0 });
  assert.ok(set.response?.type === OpCode.setData);
  assert.equal(set.response.stat.dataLength, 0);
  const multi = await c.request({ type: OpCode.multi, ops: [createWith('/multi', null), { type: OpCode.setData, path: '/empty', data: new Uint8Array(0), version: 0 }] });
  assert.equal(multi.header.err, ZkCode.OK);
  for (let index = 0; index < 10; index += 1) await c.request(create(`/filler${index}`));
  const want = new Map<string, Uint8Array | null>([['/null', null], ['/empty', new Uint8Array(0)], ['/set', null], ['/multi', null]]);
  const readAll = async (rc: RawClient): Promise<void> => {
    for (const [path, data] of want) {
      const got = await rc.request({ type: OpCode.getData, path, watch: false });
      assert.ok(got.response?.type === OpCode.getData, path);
      assert.deepEqual(got.response.data, data, path);
      assert.equal(got.response.stat.dataLength, 0, path);
    }
    const reads = await rc.request({ type: OpCode.multiRead, ops: [...want.keys()].map((path) => ({ type: OpCode.getData, path, watch: false })) });
    assert.ok(reads.response?.type === OpCode.multiRead);
    assert.deepEqual(reads.response.results.map((r) => (r.type === OpCode.getData ? r.data : 'not getData')), [...want.values()]);
  };
  await readAll(c);
  c.close();
  await first.server.close();
  const second = await startServer({ dataDir: first.dataDir });
  await readAll(await client(second.server.port));
});

test('bad bytes close only the offending connection', async () => {
  const { server } = await startServer();
  const good = await client(server.port);
  const cases = [
    Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]), // huge length prefix
    Buffer.from([0xff, 0xff, 0xff, 0xf0]), // negative length
    Buffer.from([0, 0, 0, 4, 1, 2, 3, 4]), // a connect request far too short
  ];
  for (const bytes of cases) {
    const bad = await RawClient.openRaw(server.port);
    bad.socket.write(bytes);
    await bad.closed;
  }
  const reply = await good.request(create('/still-serving'));
  assert.equal(reply.header.err, ZkCode.OK);
});

test('four-letter words answer and honour the whitelist', async () => {
  const { server } = await startServer();
  assert.equal(await fourLetterWord(server.port, 'ruok'), 'imok');
  const mntr = await fourLetterWord(server.port, 'mntr');
  for (const key of ['zk_version', 'zk_avg_latency', 'zk_znode_count', 'zk_watch_count', 'zk_ephemerals_count', 'zk_approximate_data_size', 'zk_open_file_descriptor_count', 'zk_server_state']) {
    assert.match(mntr, new RegExp(`^${key}\\t`, 'm'));
  }
  assert.match(await fourLetterWord(server.port, 'srvr'), /^Mode: standalone$/m);
  const restricted = await startServer({ extra: '4lw.commands.whitelist=srvr\n' });
  assert.equal(await fourLetterWord(restricted.server.port, 'ruok'), 'ruok is not executed because it is not in the whitelist.\n');
});

test('large data, long paths and big multis are stored and survive a restart', async () => {
  const first = await startServer();
  const c = await client(first.server.port);
  const big = Buffer.alloc(500_000, 0x61);
  assert.equal((await c.request(create('/big'))).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.setData, path: '/big', data: big, version: -1 })).header.err, ZkCode.OK);
  const longName = `/${'n'.repeat(2000)}`;
  assert.equal((await c.request(create(longName))).header.err, ZkCode.OK);
  assert.equal((await c.request(create(`/${'x'.repeat(40_000)}`))).header.err, ZkCode.BADARGUMENTS);
  const ops = Array.from({ length: 300 }, (_, index) => create(`/big/m${index}`, 'v'.repeat(100)));
  const multi = await c.request({ type: OpCode.multi, ops });
  assert.ok(multi.response?.type === OpCode.multi);
  assert.equal(multi.response.results.length, 300);
  c.close();
  await first.server.close();
  const second = await startServer({ dataDir: first.dataDir });
  const d = await client(second.server.port);
  const got = await d.request({ type: OpCode.getData, path: '/big', watch: false });
  assert.ok(got.response?.type === OpCode.getData);
  assert.equal(got.response.data?.length, big.length);
  const children = await d.request({ type: OpCode.getChildren2, path: '/big', watch: false });
  assert.ok(children.response?.type === OpCode.getChildren2);
  assert.equal(children.response.children.length, 300);
  assert.equal((await d.request({ type: OpCode.exists, path: longName, watch: false })).header.err, ZkCode.OK);
});

test('an ACL with a null auth id (kazoo CREATOR_ALL_ACL) is accepted after digest auth', async () => {
  const { server } = await startServer();
  const c = await client(server.port);
  // auth packet: xid -4, type 100, authType 0, scheme "digest", auth "user:pw"
  const scheme = Buffer.from('digest');
  const auth = Buffer.from('user:pw');
  const body = Buffer.alloc(4 + 4 + 4 + 4 + scheme.length + 4 + auth.length);
  let offset = body.writeInt32BE(-4, 0);
  offset = body.writeInt32BE(100, offset);
  offset = body.writeInt32BE(0, offset);
  offset = body.writeInt32BE(scheme.length, offset);
  offset += scheme.copy(body, offset);
  offset = body.writeInt32BE(auth.length, offset);
  auth.copy(body, offset);
  const frame = Buffer.alloc(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  c.socket.write(frame);
  // create /owned with ACL [{perms 31, id {scheme "auth", id null}}], hand-encoded.
  const path = Buffer.from('/owned');
  const aclScheme = Buffer.from('auth');
  const request = Buffer.alloc(4 + 4 + 4 + path.length + 4 + 4 + 4 + 4 + aclScheme.length + 4 + 4);
  let at = request.writeInt32BE(77, 0);
  at = request.writeInt32BE(OpCode.create, at);
  at = request.writeInt32BE(path.length, at);
  at += path.copy(request, at);
  at = request.writeInt32BE(0, at); // empty data
  at = request.writeInt32BE(1, at); // one ACL
  at = request.writeInt32BE(31, at);
  at = request.writeInt32BE(aclScheme.length, at);
  at += aclScheme.copy(request, at);
  at = request.writeInt32BE(-1, at); // null id
  request.writeInt32BE(0, at); // flags
  const reply = await c.request({ type: OpCode.sync, path: '/' }); // ensures auth was processed first
  assert.equal(reply.header.err, ZkCode.OK);
  const framed = Buffer.alloc(4 + request.length);
  framed.writeInt32BE(request.length, 0);
  request.copy(framed, 4);
  const created = new Promise<number>((resolve) => {
    c.socket.on('data', (chunk: Buffer) => {
      for (let index = 0; index + 8 <= chunk.length; index += 1) {
        if (chunk.readInt32BE(index) === 77) resolve(chunk.readInt32BE(index + 12));
      }
    });
  });
  c.socket.write(framed);
  assert.equal(await created, ZkCode.OK);
  const acl = await c.request({ type: OpCode.getACL, path: '/owned' });
  assert.ok(acl.response?.type === OpCode.getACL);
  assert.equal(acl.response.acl[0]?.id.scheme, 'digest');
  assert.match(acl.response.acl[0]?.id.id ?? '', /^user:/);
});

test('a start that cannot bind releases the data dirs, so the next start can open them', async () => {
  const { server, dataDir } = await startServer();
  // Same data dir, and the port the first server holds: binding fails.
  const busy = parseZooCfg(`tickTime=100\ndataDir=${join(dataDir, 'second')}\nclientPort=${server.port}\n`);
  await assert.rejects(CorralServer.start(busy, createLogger({ quiet: true })), (error: unknown) => (error as { code?: string }).code === 'EADDRINUSE');
  const again = await startServer({ dataDir: join(dataDir, 'second') });
  const c = await client(again.server.port);
  assert.equal((await c.request(create('/reopened'))).header.err, ZkCode.OK);
});

test('auth with the ip scheme answers OK with its own xid and zxid 0, adds the connection address once, and keeps the connection', async () => {
  // Apache 3.8: IPAuthenticationProvider ignores the auth bytes and adds the
  // id the connection already has; processPacket answers ReplyHeader(xid, 0, OK).
  const { server } = await startServer();
  const c = await client(server.port);
  await c.request(create('/before'));
  const reply = await c.request({ type: OpCode.auth, authType: 0, scheme: 'ip', auth: Buffer.from('10.9.8.7') }, -4);
  assert.deepEqual(reply.header, { xid: -4, zxid: 0n, err: ZkCode.OK });
  const who = await c.request({ type: OpCode.whoAmI });
  assert.ok(who.response?.type === OpCode.whoAmI);
  assert.deepEqual(who.response.clientInfo, [{ authScheme: 'ip', user: '127.0.0.1' }]);
  const ipOnly = [{ perms: 31, id: { scheme: 'ip', id: '127.0.0.1' } }];
  assert.equal((await c.request({ type: OpCode.create2, path: '/mine', data: Buffer.from('x'), acl: ipOnly, flags: 0 })).header.err, ZkCode.OK);
  assert.equal((await c.request({ type: OpCode.getData, path: '/mine', watch: false })).header.err, ZkCode.OK);
  const refused = await c.request({ type: OpCode.auth, authType: 0, scheme: 'world', auth: Buffer.from('anyone') }, -4);
  assert.deepEqual(refused.header, { xid: -4, zxid: 0n, err: ZkCode.AUTHFAILED });
  await c.closed;
});

test('a session resumed on a new connection has none of the old connection\'s watches until it re-registers them', async () => {
  const { server } = await startServer();
  const writer = await client(server.port);
  const first = await client(server.port);
  await writer.request(create('/moved', 'v0'));
  await first.request({ type: OpCode.getData, path: '/moved', watch: true });
  assert.ok(first.session !== null);
  const second = await RawClient.open(server.port, { sessionId: first.session.sessionId, passwd: first.session.passwd });
  cleanups.push(() => second.close());
  await first.closed;
  const changed = await writer.request({ type: OpCode.setData, path: '/moved', data: Buffer.from('v1'), version: -1 });
  // The event, had there been one, leaves before the writer's reply; the
  // sync reply on the same connection comes after anything sent before it.
  await second.request({ type: OpCode.sync, path: '/' });
  assert.deepEqual(second.events, [], 'no event for a watch this connection never set');
  assert.equal(await fourLetterWord(server.port, 'wchc'), '\n');
  await second.request({
    type: OpCode.setWatches, relativeZxid: changed.header.zxid, dataWatches: ['/moved'], existWatches: [], childWatches: [],
  }, -8);
  await writer.request({ type: OpCode.setData, path: '/moved', data: Buffer.from('v2'), version: -1 });
  const events = await second.waitForEvents(1);
  assert.deepEqual(events.map((e) => [e.type, e.path]), [[EventType.NodeDataChanged, '/moved']], 'a re-registered watch fires');
});

/** `cons` lines keyed by remote port. */
function consLines(output: string): Map<number, string> {
  const lines = new Map<number, string>();
  for (const line of output.split('\n')) {
    const match = /^ \/127\.0\.0\.1:(\d+)\[/.exec(line);
    if (match?.[1] !== undefined) lines.set(Number(match[1]), line);
  }
  return lines;
}

test('cons and crst: Apache\'s line format, with counters that move with traffic and reset', async () => {
  const { server } = await startServer();
  const c = await client(server.port);
  const port = c.socket.localPort ?? 0;
  const sid = `0x${BigInt.asUintN(64, c.session?.sessionId ?? 0n).toString(16)}`;
  const to = c.session?.timeOut ?? 0;
  await c.request(create('/cons', 'x'));
  await c.request({ type: OpCode.getData, path: '/cons', watch: false });
  await c.request({ type: OpCode.getData, path: '/none', watch: false });
  const before = await fourLetterWord(server.port, 'cons');
  assert.ok(before.endsWith(')\n\n'), 'a blank line ends the list');
  const line = consLines(before).get(port);
  // Connect + 3 requests each way; lop of the last reply (a failed read keeps its name).
  assert.match(line ?? '', new RegExp(
    `^ /127\\.0\\.0\\.1:${port}\\[1\\]\\(queued=0,recved=4,sent=4,sid=${sid},lop=GETD,est=\\d+,to=${to},lcxid=0x3,`
    + 'lzxid=0x[0-9a-f]+,lresp=\\d+,llat=\\d+,minlat=\\d+,avglat=\\d+,maxlat=\\d+\\)$',
  ));
  assert.match(before, /^ \/127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=0\)$/m, 'the cons connection itself, brief');
  const brief = consLines((await fourLetterWord(server.port, 'stat')).replace(/^[^]*?Clients:\n/, '')).get(port);
  assert.equal(brief, ` /127.0.0.1:${port}[1](queued=0,recved=4,sent=4)`);
  assert.equal(await fourLetterWord(server.port, 'crst'), 'Connection stats reset.\n');
  const reset = consLines(await fourLetterWord(server.port, 'cons')).get(port);
  assert.equal(reset, ` /127.0.0.1:${port}[1](queued=0,recved=0,sent=0,sid=${sid},lop=NA,est=${/est=(\d+)/.exec(line ?? '')?.[1]},to=${to},`
    + 'lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)');
  await c.request({ type: OpCode.exists, path: '/cons', watch: false });
  const after = consLines(await fourLetterWord(server.port, 'cons')).get(port);
  assert.match(after ?? '', /\(queued=0,recved=1,sent=1,sid=0x[0-9a-f]+,lop=EXIS,est=\d+,to=\d+,lcxid=0x4,lzxid=0x[0-9a-f]+,lresp=[1-9]\d*,/);
});

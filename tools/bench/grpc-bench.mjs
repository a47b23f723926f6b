#!/usr/bin/env node
// gRPC client API vs the jute (ZooKeeper) port of one Corral server, same load, same
// language: a Node driver with N sessions x M requests in flight per session, for the
// workloads of the shared matrix (create, set, get, mixed; 100 B values, 1000 znodes).
// See README.md in this folder ("gRPC vs jute").
//
//   node tools/bench/grpc-bench.mjs [options]
//
// Options:
//   --sessions N      sessions (connections) per run (default 32)
//   --outstanding M   requests in flight per session (default 100)
//   --duration S      measured seconds per run (default 10)
//   --warmup S        unmeasured seconds per run before that (default 3)
//   --repeat N        passes; each pass runs every transport x workload (default 1)
//   --only a,b        workloads (create,set,get,mixed)
//   --transports a,b  transports (jute,grpc-stream,grpc-stream-mux,grpc-stream-h2,grpc-stream-h2-mux,
//                     grpc-unary,grpc-unary-mux)
//   --json FILE       also write every run as JSON lines
//   --cpu-prof-dir D  run the server under --cpu-prof, profiles written to D
//   --grpc-codec C    the session-stream driver's protobuf codec: `lean` (default: requests
//                     and replies encoded and decoded by hand, as the jute driver uses
//                     @corral/wire's codecs, so the client costs little) or `proto-loader`
//                     (@grpc/proto-loader's objects, as the results before 2026-12-02 used)
//   --grpc-batch on|off  grpc-stream* with the lean codec: send the calls issued while a
//                     write is in progress as one CallBatch and accept ResponseBatch replies
//                     (default on; `off` = one message per call, as before 2026-12-02 08:30Z)
//   --jute-coalesce on|off  the jute driver writes the requests of one event-loop turn in
//                     one socket write (default on; `off` = one write per request, as before
//                     2026-12-02 08:40Z)
//   --cli FILE        the server's entry (default apps/server/bin/corral.js, which runs the
//                     bundle when fresh; a saved build's dist/cli.js for A/B runs)
//
// Transports: `jute` = the ZooKeeper port, driven with @corral/wire's codecs over
// node:net (a minimal client: connect handshake, pipelined requests, FIFO replies);
// `grpc-stream` = one Corral.Session stream per session, each on its own HTTP/2 connection;
// `grpc-stream-h2` = the same streams from a client on node:http2 (gRPC framing by hand, requests
// written as issued: no grpc-js per-message flush wait);
// `grpc-unary` = unary Corral calls, N channels x M calls in flight, no session;
// `-mux`: the same, with all N sessions multiplexed on one HTTP/2 connection.
// Starts its own Corral server (apps/server/bin/corral.js: the bundle when fresh; fresh data dir; random
// loopback ports in 40000-49999) and stops it by PID. Measures; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import http2 from 'node:http2';
import { connect, createServer } from 'node:net';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { parseOptions, measureWindow, median, fmt } from './bench-util.mjs';
import { randomInt } from 'node:crypto';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { FrameDecoder, OpCode, CreateMode, encodeConnectRequest, decodeConnectResponse, encodeRequest, decodeReply } from '@corral/wire';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const cli = join(repo, 'apps', 'server', 'bin', 'corral.js');

// ---- options -----------------------------------------------------------------
const opts = parseOptions({ sessions: 32, outstanding: 100, duration: 10, warmup: 3, repeat: 1, only: 'create,set,get,mixed', transports: 'jute,grpc-stream,grpc-stream-mux,grpc-unary,grpc-unary-mux', json: '', cpuProfDir: '', cli, grpcCodec: 'lean', grpcBatch: 'on', juteCoalesce: 'on' });
if (opts.grpcBatch !== 'on' && opts.grpcBatch !== 'off') {
  console.error(`--grpc-batch: on or off, not ${opts.grpcBatch}`);
  process.exit(64);
}
if (opts.grpcCodec !== 'lean' && opts.grpcCodec !== 'proto-loader') {
  console.error(`--grpc-codec: lean or proto-loader, not ${opts.grpcCodec}`);
  process.exit(64);
}
const workloads = opts.only.split(',');
const transports = opts.transports.split(',');
const valueSize = 100;
const znodes = 1000;
const value = Buffer.alloc(valueSize, 0x61);
const sessionTimeoutMs = 30_000;
// how long in-flight requests may take to drain after a run (a safety net, not a measure)
const drainLimitMs = 30_000;

// ---- the server -----------------------------------------------------------------
async function freePort() {
  for (;;) {
    const port = randomInt(40000, 50000);
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function startServer() {
  const work = mkdtempSync(join(tmpdir(), 'corral-grpc-bench-'));
  const clientPort = await freePort();
  let grpcPort = await freePort();
  while (grpcPort === clientPort) grpcPort = await freePort();
  const cfg = join(work, 'zoo.cfg');
  writeFileSync(cfg, [
    'tickTime=2000', `dataDir=${join(work, 'data')}`, 'clientPortAddress=127.0.0.1', `clientPort=${clientPort}`,
    `grpcPort=${grpcPort}`, '4lw.commands.whitelist=*', 'maxClientCnxns=0', '',
  ].join('\n'));
  const nodeArgs = opts.cpuProfDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`];
  if (process.env.GRPC_BENCH_PRELOAD) nodeArgs.push('--require', process.env.GRPC_BENCH_PRELOAD);
  if (opts.cpuProfDir !== '') mkdirSync(opts.cpuProfDir, { recursive: true });
  const child = spawn(process.execPath, [...nodeArgs, opts.cli, 'server', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  child.stderr.on('data', (chunk) => { out += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let waited = 0; !out.includes('serving'); waited += 50) {
    if (child.exitCode !== null || waited > 60_000) throw new Error(`server did not start:\n${out}`);
    await delay(50);
  }
  return {
    pid: child.pid, clientPort, grpcPort,
    async stop() {
      if (child.exitCode === null) {
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

// ---- jute driver ------------------------------------------------------------------
class JuteSession {
  static open(port) {
    return new Promise((resolve, reject) => {
      const session = new JuteSession();
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      session.socket = socket;
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: sessionTimeoutMs, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false }));
      });
      socket.on('data', (chunk) => {
        session.decoder.push(chunk);
        for (let frame = session.decoder.next(); frame !== null; frame = session.decoder.next()) {
          if (!session.connected) {
            decodeConnectResponse(frame);
            session.connected = true;
            resolve(session);
            continue;
          }
          const pending = session.pending.shift();
          const { header } = decodeReply(frame, pending.type);
          pending.done(header.err);
        }
      });
    });
  }

  constructor() {
    this.decoder = new FrameDecoder({ maxFrameBytes: 1_048_575 });
    this.pending = [];
    this.xid = 1;
    this.connected = false;
    this.queued = [];
    this.flush = () => {
      const frames = this.queued;
      this.queued = [];
      this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    };
  }

  send(op, done) {
    const request = op.kind === 'create'
      ? { type: OpCode.create2, path: op.path, data: value, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: CreateMode.PERSISTENT_SEQUENTIAL }
      : op.kind === 'set'
        ? { type: OpCode.setData, path: op.path, data: value, version: -1 }
        : { type: OpCode.getData, path: op.path, watch: false };
    this.pending.push({ type: request.type, done });
    const frame = encodeRequest({ xid: this.xid++, type: request.type }, request);
    if (opts.juteCoalesce === 'off') {
      this.socket.write(frame);
      return;
    }
    // The requests of one turn leave in one write, as @corral/client sends them.
    this.queued.push(frame);
    if (this.queued.length === 1) process.nextTick(this.flush);
  }

  close() {
    this.socket.destroy();
  }
}

// ---- gRPC drivers -------------------------------------------------------------------
const api = grpc.loadPackageDefinition(protoLoader.loadSync(['corral/v1/corral.proto'], {
  includeDirs: [join(repo, 'proto')], keepCase: false, longs: String, enums: Number, defaults: false, oneofs: true,
}));
// Each session gets its own HTTP/2 connection, as each jute session has its own TCP connection.
// `grpc-stream` / `grpc-unary`: each session gets its own HTTP/2 connection, as each jute
// session has its own TCP connection. `-mux` variants: every session of the run shares one
// channel (one HTTP/2 connection), which is how a gRPC program usually talks to a server.
const ownConnection = { 'grpc.use_local_subchannel_pool': 1 };
function newClient(port, stream) {
  const Client = stream && opts.grpcCodec === 'lean' ? LeanCorral : api.corral.v1.Corral;
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), ownConnection);
}

function grpcBody(op) {
  if (op.kind === 'create') return ['create', { path: op.path, data: value, mode: 2 }];
  if (op.kind === 'set') return ['setData', { path: op.path, data: value }];
  return ['getData', { path: op.path }];
}

// ---- lean protobuf for the session stream ------------------------------------------
// The Session method with bytes in and out; requests encoded and replies decoded by hand
// (every field of the reply, int64 as bigint, as @corral/wire's decodeReply does for jute).
const identity = (bytes) => bytes;
const LeanCorral = grpc.makeGenericClientConstructor({
  Session: {
    path: '/corral.v1.Corral/Session', requestStream: true, responseStream: true,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  },
}, 'corral.v1.Corral');
const varintLength = (v) => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);
function putVarint(buf, pos, v) {
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}
/** A Call: {id, <op field>: {path 1, [data 2], [mode 4]}}. */
function leanCallBody(id, op) {
  const field = op.kind === 'create' ? 2 : op.kind === 'set' ? 6 : 5;
  const pathLength = Buffer.byteLength(op.path);
  let bodyLength = 1 + varintLength(pathLength) + pathLength;
  if (op.kind !== 'get') bodyLength += 1 + varintLength(value.length) + value.length;
  if (op.kind === 'create') bodyLength += 2;
  const buf = Buffer.allocUnsafe(1 + varintLength(id) + 1 + varintLength(bodyLength) + bodyLength);
  buf[0] = 0x08;
  let pos = putVarint(buf, 1, id);
  buf[pos++] = (field << 3) | 2;
  pos = putVarint(buf, pos, bodyLength);
  buf[pos++] = 0x0a;
  pos = putVarint(buf, pos, pathLength);
  pos += buf.write(op.path, pos, 'latin1');
  if (op.kind !== 'get') {
    buf[pos++] = 0x12;
    pos = putVarint(buf, pos, value.length);
    pos += value.copy(buf, pos);
  }
  if (op.kind === 'create') {
    buf[pos++] = 0x20;
    buf[pos++] = 2;
  }
  return buf;
}
/** `message` as field `field` (length-delimited) of a new message. */
function leanWrap(field, messages) {
  let length = 0;
  for (const m of messages) length += m.length;
  const buf = Buffer.allocUnsafe(1 + varintLength(length) + length);
  buf[0] = (field << 3) | 2;
  let pos = putVarint(buf, 1, length);
  for (const m of messages) pos += m.copy(buf, pos);
  return buf;
}
/** SessionRequest{call: Call}. */
const leanCall = (id, op) => leanWrap(2, [leanCallBody(id, op)]);
/** SessionRequest{calls: CallBatch{calls: [Call...]}} from Call bodies. */
const leanCallBatch = (bodies) => leanWrap(6, bodies.map((body) => leanWrap(1, [body])));
/** SessionRequest{open: {timeout_ms (3)}}. */
const timeoutVarint = (() => { const b = Buffer.alloc(5); return [...b.subarray(0, putVarint(b, 0, sessionTimeoutMs))]; })();
const leanOpen = Buffer.from([0x0a, 1 + timeoutVarint.length, 0x18, ...timeoutVarint]);
/** SessionRequest{open: {timeout_ms (3), accept_batches (6): true}}. */
const leanOpenBatches = Buffer.from([0x0a, 3 + timeoutVarint.length, 0x18, ...timeoutVarint, 0x30, 1]);
/** A cursor over protobuf bytes. */
class PbReader {
  constructor(buf, pos = 0, end = buf.length) { this.buf = buf; this.pos = pos; this.end = end; }
  varint() {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buf[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }
  int64() { return BigInt(this.varint()); }
  length() { const n = this.varint(); const start = this.pos; this.pos += n; return [start, this.pos]; }
  skip(tag) { if ((tag & 7) === 0) this.varint(); else if ((tag & 7) === 2) this.length(); else throw new Error(`wire type ${tag & 7}`); }
}
const statKeys = [null, 'czxid', 'mzxid', 'ctime', 'mtime', 'version', 'cversion', 'aversion', 'ephemeralOwner', 'dataLength', 'numChildren', 'pzxid'];
const int64Stat = new Set([1, 2, 8, 11]);
function leanStat(buf, start, end) {
  const r = new PbReader(buf, start, end);
  const stat = {};
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field >= 1 && field <= 11 && (tag & 7) === 0) stat[statKeys[field]] = int64Stat.has(field) ? r.int64() : r.varint();
    else r.skip(tag);
  }
  return stat;
}
/** A Reply's result: path (1, create), data (1, getData), stat (2, or 1 for setData), zxid (3, create). */
function leanResult(field, buf, start, end) {
  const r = new PbReader(buf, start, end);
  const result = {};
  while (r.pos < r.end) {
    const tag = r.varint();
    const f = tag >>> 3;
    if ((tag & 7) === 0) { result[`f${f}`] = r.int64(); continue; }
    const [s, e] = r.length();
    if ((f === 2 && field !== 14) || (f === 1 && field === 14)) result.stat = leanStat(buf, s, e);
    else if (f === 1 && field === 10) result.path = buf.toString('utf8', s, e);
    else result.data = buf.subarray(s, e);
  }
  return result;
}
/** Every SessionResponse a message holds: itself, or each of a ResponseBatch (kind 7). */
function leanResponses(buf, each) {
  const top = new PbReader(buf);
  const tag = top.varint();
  if (tag >>> 3 !== 7) {
    each(leanResponse(buf));
    return;
  }
  const [start, end] = top.length();
  const r = new PbReader(buf, start, end);
  while (r.pos < r.end) {
    r.varint();
    const [s, e] = r.length();
    each(leanResponse(buf.subarray(s, e)));
  }
}
/** SessionResponse: {kind, reply: {id, zxid, code, codeName, result}}. */
function leanResponse(buf) {
  const top = new PbReader(buf);
  const tag = top.varint();
  const [start, end] = top.length();
  const kind = tag >>> 3;
  if (kind !== 2) return { kind };
  const r = new PbReader(buf, start, end);
  const reply = { id: 0, zxid: 0n, code: 0, codeName: '', result: null };
  while (r.pos < r.end) {
    const t = r.varint();
    const f = t >>> 3;
    if (f === 1) reply.id = r.varint();
    else if (f === 2) reply.zxid = r.int64();
    else if (f === 3) { const z = r.varint(); reply.code = (z >>> 1) ^ -(z & 1); }
    else if (f === 4) { const [s, e] = r.length(); reply.codeName = buf.toString('utf8', s, e); }
    else if (f >= 10 && f <= 26 && (t & 7) === 2) { const [s, e] = r.length(); reply.result = leanResult(f, buf, s, e); }
    else r.skip(t);
  }
  return { kind, reply };
}

class StreamSession {
  static open(port, shared) {
    return new Promise((resolve, reject) => {
      const session = new StreamSession(port, shared);
      const lean = opts.grpcCodec === 'lean';
      const onResponse = (message) => {
        if (message.kind === 'opened' || message.kind === 1) {
          resolve(session);
        } else if (message.kind === 'reply' || message.kind === 2) {
          session.pending.shift()(message.reply.code ?? 0);
        }
      };
      session.stream.on('data', (data) => {
        if (lean) leanResponses(data, onResponse);
        else onResponse(data);
      });
      session.stream.on('error', (error) => {
        if (!session.closing) reject(error);
      });
      session.stream.write(lean ? (session.batches ? leanOpenBatches : leanOpen) : { open: { timeoutMs: sessionTimeoutMs } });
    });
  }

  constructor(port, shared) {
    this.client = shared ?? newClient(port, true);
    this.ownsClient = shared === undefined;
    this.stream = this.client.Session();
    this.pending = [];
    this.id = 1;
    this.closing = false;
    // --grpc-batch on: the calls issued while a write is in progress leave as one CallBatch
    // when it completes (what @corral/client's gRPC transport does), and replies come packed.
    this.batches = opts.grpcCodec === 'lean' && opts.grpcBatch === 'on';
    this.queued = [];
    this.writing = false;
    this.flush = () => {
      const bodies = this.queued;
      this.queued = [];
      if (bodies.length === 0 || this.closing) {
        this.writing = false;
        return;
      }
      this.stream.write(bodies.length === 1 ? leanWrap(2, bodies) : leanCallBatch(bodies), this.flush);
    };
  }

  send(op, done) {
    this.pending.push(done);
    if (this.batches) {
      this.queued.push(leanCallBody(this.id++, op));
      if (!this.writing) {
        this.writing = true;
        process.nextTick(this.flush);
      }
      return;
    }
    if (opts.grpcCodec === 'lean') {
      this.stream.write(leanCall(this.id++, op));
      return;
    }
    const [name, body] = grpcBody(op);
    this.stream.write({ call: { id: this.id++, [name]: body } });
  }

  close() {
    this.closing = true;
    this.stream.cancel();
    if (this.ownsClient) this.client.close();
  }
}

// A gRPC client written on node:http2 directly: the same Session stream and bytes (lean
// codec, gRPC's 5-byte message framing), but requests are written as they are issued, as
// grpc-go or grpcio do, instead of grpc-js's one message per flush per stream.
function h2Connect(port) {
  return http2.connect(`http://127.0.0.1:${port}`, { createConnection: () => connect({ host: '127.0.0.1', port, noDelay: true }) });
}
function grpcFrame(message) {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}
class H2StreamSession {
  static open(port, shared) {
    return new Promise((resolve, reject) => {
      const session = new H2StreamSession(port, shared);
      session.onMessage = (message) => leanResponses(message, (response) => {
        if (response.kind === 1) resolve(session);
        else if (response.kind === 2) session.pending.shift()(response.reply.code);
      });
      session.stream.on('error', (error) => {
        if (!session.closing) reject(error);
      });
      session.stream.on('response', (headers) => {
        const status = headers['grpc-status'];
        if (status !== undefined && status !== '0' && !session.closing) reject(new Error(`grpc-status ${status}: ${headers['grpc-message']}`));
      });
      session.stream.write(grpcFrame(leanOpen));
    });
  }

  constructor(port, shared) {
    this.h2 = shared ?? h2Connect(port);
    this.ownsClient = shared === undefined;
    this.stream = this.h2.request({ ':method': 'POST', ':path': '/corral.v1.Corral/Session', 'content-type': 'application/grpc', te: 'trailers' });
    this.pending = [];
    this.id = 1;
    this.closing = false;
    this.rest = null;
    this.stream.on('data', (chunk) => {
      let buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
      let pos = 0;
      while (buf.length - pos >= 5) {
        const length = buf.readUInt32BE(pos + 1);
        if (buf.length - pos - 5 < length) break;
        this.onMessage(buf.subarray(pos + 5, pos + 5 + length));
        pos += 5 + length;
      }
      this.rest = pos === buf.length ? null : buf.subarray(pos);
    });
  }

  send(op, done) {
    this.pending.push(done);
    this.stream.write(grpcFrame(leanCall(this.id++, op)));
  }

  close() {
    this.closing = true;
    this.stream.close(http2.constants.NGHTTP2_CANCEL);
    if (this.ownsClient) this.h2.close();
  }
}

class UnarySession {
  static open(port, shared) {
    return Promise.resolve(new UnarySession(port, shared));
  }

  constructor(port, shared) {
    this.client = shared ?? newClient(port, false);
    this.ownsClient = shared === undefined;
  }

  send(op, done) {
    const [name, body] = grpcBody(op);
    const method = name === 'create' ? 'Create' : name === 'setData' ? 'SetData' : 'GetData';
    this.client[method](body, (error) => done(error === null ? 0 : (error.code ?? -1)));
  }

  close() {
    if (this.ownsClient) this.client.close();
  }
}

const drivers = {
  jute: JuteSession, 'grpc-stream': StreamSession, 'grpc-stream-mux': StreamSession, 'grpc-stream-h2': H2StreamSession, 'grpc-stream-h2-mux': H2StreamSession, 'grpc-unary': UnarySession, 'grpc-unary-mux': UnarySession };

// ---- one run ------------------------------------------------------------------------
function nextOp(workload, root, index) {
  if (workload === 'create') return { kind: 'create', path: `${root}/c/n-` };
  const path = `/bench/w/z-${index % znodes}`;
  if (workload === 'get' || (workload === 'mixed' && randomInt(100) < 90)) return { kind: 'get', path };
  return { kind: 'set', path };
}

async function prepare(server) {
  const setup = await JuteSession.open(server.clientPort);
  const paths = ['/bench', '/bench/w', ...Array.from({ length: znodes }, (_, i) => `/bench/w/z-${i}`)];
  await new Promise((resolve) => {
    let left = paths.length;
    for (const path of paths) {
      setup.pending.push({ type: OpCode.create, done: () => { if (--left === 0) resolve(); } });
      setup.socket.write(encodeRequest({ xid: setup.xid++, type: OpCode.create }, { type: OpCode.create, path, data: value, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 }));
    }
  });
  // The setup session creates each create run's parent, possibly minutes later: keep it alive.
  const keepAlive = setInterval(() => {
    setup.pending.push({ type: OpCode.ping, done: () => {} });
    setup.socket.write(encodeRequest({ xid: -2, type: OpCode.ping }, { type: OpCode.ping }));
  }, sessionTimeoutMs / 3);
  const close = setup.close.bind(setup);
  setup.close = () => {
    clearInterval(keepAlive);
    close();
  };
  return setup;
}

async function createRoot(setup, root) {
  for (const path of [root, `${root}/c`]) {
    await new Promise((resolve) => {
      setup.pending.push({ type: OpCode.create, done: resolve });
      setup.socket.write(encodeRequest({ xid: setup.xid++, type: OpCode.create }, { type: OpCode.create, path, data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 }));
    });
  }
}

async function run(server, setup, transport, workload, pass) {
  const root = `/bench-${transport}-${pass}`;
  if (workload === 'create') await createRoot(setup, root);
  const sessions = [];
  const shared = !transport.endsWith('-mux') ? undefined
    : transport.startsWith('grpc-stream-h2') ? h2Connect(server.grpcPort) : newClient(server.grpcPort, transport.startsWith('grpc-stream'));
  for (let i = 0; i < opts.sessions; i++) sessions.push(await drivers[transport].open(transport === 'jute' ? server.clientPort : server.grpcPort, shared));
  let phase = 'warmup';
  let ops = 0;
  let errors = 0;
  let inFlight = 0;
  let counter = randomInt(znodes);
  const latencies = [];
  let drained = null;
  const issue = (session) => {
    const op = nextOp(workload, root, counter++);
    const start = performance.now();
    inFlight++;
    session.send(op, (code) => {
      inFlight--;
      if (phase === 'measure') {
        ops++;
        if (code !== 0) errors++;
        latencies.push(performance.now() - start);
      }
      if (phase !== 'stop') issue(session);
      else if (inFlight === 0) drained?.();
    });
  };
  for (const session of sessions) for (let i = 0; i < opts.outstanding; i++) issue(session);
  await delay(opts.warmup * 1000);
  phase = 'measure';
  const { seconds, serverCpuPct: serverCpu, clientCpuPct: clientCpu } = await measureWindow(server.pid, opts.duration, delay);
  phase = 'stop';
  await Promise.race([new Promise((resolve) => { drained = resolve; if (inFlight === 0) resolve(); }), delay(drainLimitMs, undefined, { ref: false })]);
  for (const session of sessions) session.close();
  shared?.close();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    pass, transport, workload, sessions: opts.sessions, outstanding: opts.outstanding,
    opsPerSec: ops / seconds, p50Ms: at(0.5), p99Ms: at(0.99), errors,
    serverCpuPct: serverCpu, clientCpuPct: clientCpu, loadAverage1: loadavg()[0],
    serverCpuUsPerOp: ops === 0 ? NaN : ((serverCpu / 100) * 1e6) / (ops / seconds),
  };
}

// ---- main -------------------------------------------------------------------------

const results = [];
console.error(`# ${new Date().toISOString()}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${opts.sessions} x ${opts.outstanding}; ${opts.warmup}+${opts.duration} s; repeat ${opts.repeat}; server ${opts.cli}`);
for (let pass = 1; pass <= opts.repeat; pass++) {
  const server = await startServer();
  try {
    const setup = await prepare(server);
    for (const workload of workloads) {
      for (const transport of transports) {
        const result = await run(server, setup, transport, workload, pass);
        results.push(result);
        if (opts.json !== '') appendFileSync(opts.json, `${JSON.stringify(result)}\n`);
        console.error(`pass ${pass} ${workload} ${transport}: ${fmt(result.opsPerSec)} ops/s, p50 ${fmt(result.p50Ms, 2)} ms, p99 ${fmt(result.p99Ms, 2)} ms, server ${fmt(result.serverCpuPct)} % (${fmt(result.serverCpuUsPerOp, 1)} us/op), client ${fmt(result.clientCpuPct)} %, errors ${result.errors}, load ${fmt(result.loadAverage1, 1)}`);
      }
    }
    setup.close();
  } finally {
    await server.stop();
  }
}

console.log(`| workload | ${transports.map((t) => `${t} ops/s`).join(' | ')} | ${transports.filter((t) => t !== 'jute').map((t) => `${t} / jute`).join(' | ')} | server µs/op ${transports.join(' / ')} | p99 ms ${transports.join(' / ')} | errors |`);
console.log(`| --- | ${transports.map(() => '---').join(' | ')} | ${transports.filter((t) => t !== 'jute').map(() => '---').join(' | ')} | --- | --- | --- |`);
for (const workload of workloads) {
  const of = (transport, key) => median(results.filter((r) => r.workload === workload && r.transport === transport).map((r) => r[key]));
  const jute = of('jute', 'opsPerSec');
  const cells = transports.map((t) => `**${fmt(of(t, 'opsPerSec'))}**`);
  const ratios = transports.filter((t) => t !== 'jute').map((t) => fmt(of(t, 'opsPerSec') / jute, 2));
  const errors = results.filter((r) => r.workload === workload).reduce((sum, r) => sum + r.errors, 0);
  console.log(`| ${workload} | ${cells.join(' | ')} | ${ratios.join(' | ')} | ${transports.map((t) => fmt(of(t, 'serverCpuUsPerOp'), 1)).join(' / ')} | ${transports.map((t) => fmt(of(t, 'p99Ms'), 1)).join(' / ')} | ${errors} |`);
}

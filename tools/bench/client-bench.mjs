#!/usr/bin/env node
// @corral/client against node-zookeeper-client 1.1.3: the same load from the same Node
// process against the same server, for the workloads of the shared matrix (create, set,
// get, mixed; 100 B values, 1000 znodes). Issue 10's target: @corral/client >= 1.5x
// node-zookeeper-client's throughput. See README.md in this folder ("@corral/client vs
// node-zookeeper-client").
//
//   node tools/bench/client-bench.mjs [options]
//
// Options:
//   --servers a,b     corral (a fresh build, through apps/server/bin/corral.js) and/or apache (Debian's
//                     ZooKeeper 3.8, as packages/client's interop test starts it); default both
//   --clients a,b     corral (@corral/client over jute), nzk (node-zookeeper-client), and
//                     corral-grpc (@corral/client over a Corral.Session stream; Corral only);
//                     default corral,nzk
//   --sessions N      sessions (connections) per run (default 1)
//   --outstanding M   requests in flight per session (default 500)
//   --duration S      measured seconds per run (default 5)
//   --warmup S        unmeasured seconds per run before that (default 2)
//   --repeat N        passes; each pass starts fresh servers and runs every client x workload
//   --only a,b        workloads (create,set,get,mixed)
//   --json FILE       also write every run as JSON lines
//   --cpu-prof-dir D  profile this process (the clients) with inspector, one file per run
//   --pin on          this process on CPU 0, the server (all its threads) on CPU 1 (taskset)
//
// One client process with many requests in flight: the load generator is then the
// bottleneck, so the ratio compares the two clients. Client CPU per op (this process) is
// printed with ops/s, and the server's CPU (100 = one core).
// Measures; asserts nothing.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Session as Inspector } from 'node:inspector/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { parseOptions, measureWindow, median, fmt } from './bench-util.mjs';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import zookeeper from 'node-zookeeper-client';
import { ZkClient, CreateMode, GrpcSessionTransport } from '@corral/client';
import { startCorralServer } from '../../packages/client/dist/testing/corral-server.js';
import { startApache, apacheMissing } from '../../packages/client/dist/testing/apache-server.js';

const opts = parseOptions({ servers: 'corral,apache', clients: 'corral,nzk', sessions: 1, outstanding: 500, duration: 5, warmup: 2, repeat: 1, only: 'create,set,get,mixed', json: '', cpuProfDir: '', pin: 'off' });
const workloads = opts.only.split(',');
const clients = opts.clients.split(',');
const servers = opts.servers.split(',');
if (servers.includes('apache') && apacheMissing() !== null) {
  console.error(`# ${apacheMissing()}: apache skipped`);
  servers.splice(servers.indexOf('apache'), 1);
}
const value = Buffer.alloc(100, 0x61);
const znodes = 1000;
const sessionTimeoutMs = 30_000;

// ---- the two clients, behind one shape: send(op, done(errorOrNull)) ----------------
class CorralDriver {
  static async open(server) {
    const driver = new CorralDriver();
    driver.zk = await ZkClient.connect(server.connectString, { sessionTimeoutMs });
    return driver;
  }

  send(op, done) {
    const ok = () => done(null);
    if (op.kind === 'create') this.zk.create(op.path, value, { mode: CreateMode.PERSISTENT_SEQUENTIAL }).then(ok, done);
    else if (op.kind === 'set') this.zk.setData(op.path, value).then(ok, done);
    else this.zk.getData(op.path).then(ok, done);
  }

  close() {
    return this.zk.close();
  }
}

class CorralGrpcDriver extends CorralDriver {
  static async open(server) {
    const driver = new CorralGrpcDriver();
    driver.zk = await ZkClient.connect(`127.0.0.1:${server.grpcPort}`, { sessionTimeoutMs, transport: new GrpcSessionTransport() });
    return driver;
  }
}

class NzkDriver {
  static open(server) {
    return new Promise((resolve, reject) => {
      const driver = new NzkDriver();
      driver.zk = zookeeper.createClient(server.connectString, { sessionTimeout: sessionTimeoutMs });
      driver.zk.once('connected', () => resolve(driver));
      driver.zk.once('authenticationFailed', reject);
      driver.zk.connect();
    });
  }

  send(op, done) {
    const cb = (error) => done(error ?? null);
    if (op.kind === 'create') this.zk.create(op.path, value, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, cb);
    else if (op.kind === 'set') this.zk.setData(op.path, value, -1, cb);
    else this.zk.getData(op.path, cb);
  }

  close() {
    this.zk.close();
  }
}

const drivers = { corral: CorralDriver, nzk: NzkDriver, 'corral-grpc': CorralGrpcDriver };

// ---- servers -------------------------------------------------------------------------
async function startServer(kind) {
  if (kind === 'corral') {
    for (;;) {
      const grpcPort = 40000 + randomInt(10000);
      const server = await startCorralServer(`grpcPort=${grpcPort}`).catch((error) => (/EADDRINUSE/.test(String(error)) ? null : Promise.reject(error)));
      if (server !== null) return Object.assign(server, { grpcPort });
    }
  }
  for (let attempt = 0; ; attempt++) {
    const apache = startApache();
    // Ready when a client connects; a port someone else holds shows as no connection.
    const zk = await Promise.race([ZkClient.connect(apache.connectString).catch(() => null), delay(30_000, undefined, { ref: false }).then(() => null)]);
    if (zk !== null) {
      await zk.close();
      return apache;
    }
    await apache.stop();
    if (attempt >= 3) throw new Error('Apache ZooKeeper did not start');
  }
}

/** taskset: `pid` (every thread) on `cpu`. */
function pin(pid, cpu) {
  if (opts.pin === 'on') execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}
pin(process.pid, 0);

async function prepare(connectString) {
  const zk = await ZkClient.connect(connectString, { sessionTimeoutMs });
  await zk.create('/bench', null).catch(() => undefined);
  await zk.create('/bench/w', null).catch(() => undefined);
  await Promise.all(Array.from({ length: znodes }, (_, i) => zk.create(`/bench/w/z-${i}`, value).catch(() => undefined)));
  return zk;
}

// ---- one run ---------------------------------------------------------------------------
function nextOp(workload, root, index) {
  if (workload === 'create') return { kind: 'create', path: `${root}/n-` };
  const path = `/bench/w/z-${index % znodes}`;
  if (workload === 'get' || (workload === 'mixed' && randomInt(100) < 90)) return { kind: 'get', path };
  return { kind: 'set', path };
}

async function run(server, setup, serverKind, client, workload, pass) {
  const root = `/bench-${client}-${pass}-${workload}`;
  if (workload === 'create') await setup.create(root, null);
  const sessions = [];
  if (client === 'corral-grpc' && serverKind !== 'corral') return null;
  for (let i = 0; i < opts.sessions; i++) sessions.push(await drivers[client].open(server));
  let phase = 'warmup';
  let ops = 0;
  let errors = 0;
  let inFlight = 0;
  let counter = randomInt(znodes);
  let drained = null;
  const issue = (session) => {
    const op = nextOp(workload, root, counter++);
    inFlight++;
    session.send(op, (error) => {
      inFlight--;
      if (phase === 'measure') {
        ops++;
        if (error !== null) errors++;
      }
      if (phase !== 'stop') issue(session);
      else if (inFlight === 0) drained?.();
    });
  };
  for (const session of sessions) for (let i = 0; i < opts.outstanding; i++) issue(session);
  await delay(opts.warmup * 1000);
  let inspector = null;
  if (opts.cpuProfDir !== '') {
    inspector = new Inspector();
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  phase = 'measure';
  const { seconds, serverCpuPct: serverCpu, clientUsage, clientCpuPct: clientCpu } = await measureWindow(server.pid, opts.duration, delay);
  phase = 'stop';
  if (inspector !== null) {
    const { profile } = await inspector.post('Profiler.stop');
    mkdirSync(opts.cpuProfDir, { recursive: true });
    writeFileSync(join(opts.cpuProfDir, `${serverKind}-${client}-${workload}-${pass}.cpuprofile`), JSON.stringify(profile));
    inspector.disconnect();
  }
  await Promise.race([new Promise((resolve) => { drained = resolve; if (inFlight === 0) resolve(); }), delay(30_000, undefined, { ref: false })]);
  for (const session of sessions) await session.close();
  return {
    pass, server: serverKind, client, workload, sessions: opts.sessions, outstanding: opts.outstanding,
    opsPerSec: ops / seconds, errors, clientCpuPct: clientCpu, serverCpuPct: serverCpu, loadAverage1: loadavg()[0],
    clientCpuUsPerOp: ops === 0 ? NaN : ((clientUsage.user + clientUsage.system) / ops),
  };
}

// ---- main ------------------------------------------------------------------------------

const results = [];
console.error(`# ${new Date().toISOString()}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${opts.sessions} x ${opts.outstanding}; ${opts.warmup}+${opts.duration} s; repeat ${opts.repeat}`);
for (let pass = 1; pass <= opts.repeat; pass++) {
  for (const serverKind of servers) {
    const server = await startServer(serverKind);
    pin(server.pid, 1);
    try {
      const setup = await prepare(server.connectString);
      for (const workload of workloads) {
        for (const client of clients) {
          const result = await run(server, setup, serverKind, client, workload, pass);
          if (result === null) continue;
          results.push(result);
          if (opts.json !== '') appendFileSync(opts.json, `${JSON.stringify(result)}\n`);
          console.error(`pass ${pass} ${serverKind} ${workload} ${client}: ${fmt(result.opsPerSec)} ops/s, client ${fmt(result.clientCpuPct)} % (${fmt(result.clientCpuUsPerOp, 1)} us/op), server ${fmt(result.serverCpuPct)} %, errors ${result.errors}, load ${fmt(result.loadAverage1, 1)}`);
        }
      }
      await setup.close();
    } finally {
      await server.stop();
    }
  }
}

console.log(`| server | workload | ${clients.map((c) => `${c} ops/s`).join(' | ')} | corral / nzk | client µs/op ${clients.join(' / ')} | errors |`);
console.log(`| --- | --- | ${clients.map(() => '---').join(' | ')} | --- | --- | --- |`);
for (const serverKind of servers) {
  for (const workload of workloads) {
    const of = (client, key) => median(results.filter((r) => r.server === serverKind && r.workload === workload && r.client === client).map((r) => r[key]));
    const errors = results.filter((r) => r.server === serverKind && r.workload === workload).reduce((sum, r) => sum + r.errors, 0);
    console.log(`| ${serverKind} | ${workload} | ${clients.map((c) => `**${fmt(of(c, 'opsPerSec'))}**`).join(' | ')} | ${fmt(of('corral', 'opsPerSec') / of('nzk', 'opsPerSec'), 2)} | ${clients.map((c) => fmt(of(c, 'clientCpuUsPerOp'), 1)).join(' / ')} | ${errors} |`);
  }
}

#!/usr/bin/env node
// Throughput of @corral/client against node-zookeeper-client on the same
// Corral server (started as a child like the tests do): getData and setData
// of a 100-byte node with `--depth` requests in flight on one session, after a
// warm-up. Not a test: prints ops/s and the client process's CPU time per op
// per client and workload (the server runs in its own process).
//   node packages/client/bench/throughput.mjs [--ops 20000] [--depth 64] [--connect host:port]
import { performance } from 'node:perf_hooks';
import zookeeper from 'node-zookeeper-client';
import { ZkClient } from '../dist/index.js';
import { startCorralServer } from '../dist/testing/corral-server.js';

const arg = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index < 0 ? fallback : process.argv[index + 1];
};
const ops = Number(arg('--ops', '20000'));
const depth = Number(arg('--depth', '64'));
const payload = Buffer.alloc(100, 120);

async function run(label, call) {
  const once = async (count) => {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next += 1;
        await call();
      }
    };
    await Promise.all(Array.from({ length: depth }, worker));
  };
  await once(Math.min(2000, ops));
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await once(ops);
  const cpu = process.cpuUsage(cpuStart);
  const seconds = (performance.now() - start) / 1000;
  // Client CPU per op: the server is shared, so this is the client's own cost.
  return { label, opsPerSecond: Math.round(ops / seconds), cpuMicrosPerOp: ((cpu.user + cpu.system) / ops).toFixed(1) };
}

function nzkConnect(connectString) {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(connectString, { sessionTimeout: 10000 });
    client.once('connected', () => resolve(client));
    client.once('authenticationFailed', reject);
    client.connect();
  });
}
const nzk = (fn) => new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));

const server = arg('--connect', null) === null ? await startCorralServer() : null;
const connectString = server?.connectString ?? arg('--connect');
try {
  const corral = await ZkClient.connect(connectString);
  const legacy = await nzkConnect(connectString);
  await corral.create('/bench', payload).catch(() => undefined);
  const results = [];
  results.push(await run('@corral/client getData', () => corral.getData('/bench')));
  results.push(await run('node-zookeeper-client getData', () => nzk((cb) => legacy.getData('/bench', cb))));
  results.push(await run('@corral/client setData', () => corral.setData('/bench', payload)));
  results.push(await run('node-zookeeper-client setData', () => nzk((cb) => legacy.setData('/bench', payload, -1, cb))));
  for (const { label, opsPerSecond, cpuMicrosPerOp } of results) {
    console.log(`${label.padEnd(32)} ${String(opsPerSecond).padStart(8)} ops/s ${cpuMicrosPerOp.padStart(7)} µs client CPU/op`);
  }
  console.log(`(${ops} ops per run, ${depth} in flight, node ${process.version})`);
  await corral.close();
  legacy.close();
} finally {
  await server?.stop();
}

#!/usr/bin/env node
// Ensemble measures that the throughput matrix (run.sh --ensemble) does not cover, for a
// 3-server Corral ensemble and a 3-server Apache ZooKeeper 3.8 ensemble on this machine,
// started the same way (tools/interop's TestEnsemble: one process per member, ports in
// 40000-49999, every process stopped by PID at the end). See README.md ("Ensembles").
//
//   node tools/bench/ensemble-bench.mjs [options]
//
// Options:
//   --kinds a,b     implementations (default apache,corral)
//   --runs N        leader kills per implementation (default 7)
//   --behind N      txns a restarted follower has missed (default 100000)
//   --only a,b      measures: failover, catch-up (default both)
//   --json FILE     also write the results as JSON
//   --member-logs   after each catch-up, print the restarted follower's and the leader's
//                   last log lines (their phase timings) to stderr
//
// failover: tickTime 200 (initLimit 10, syncLimit 5); four writers, one starting on each
//   server (rotated connect strings), create znodes one at a time; kill -9 of the leader;
//   the time until the first create *sent after the kill* is acknowledged. The killed
//   server is restarted and rejoins before the next kill. Median (min-max) of --runs.
// catch-up: tickTime 2000 (so initLimit allows 20 s of sync); a follower is killed, the
//   others commit --behind creates of 100 B (4 sessions x 500 in flight), the follower is
//   restarted: the time from its start until it serves (`srvr` says Mode: follower, which a
//   follower says only once synced), and how the leader synced it (mntr zk_diff_count /
//   zk_snap_count when reported). Repeated --runs times on fresh ensembles: median (min-max).
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { ZkClient } from '../../packages/client/dist/index.js';
import { TestEnsemble, WriteLoad, rotatedConnectString } from '../interop/dist/index.js';

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index < 0 ? fallback : process.argv[index + 1];
}
const kinds = option('--kinds', 'apache,corral').split(',');
const runs = Number(option('--runs', '7'));
const behind = Number(option('--behind', '100000'));
const only = option('--only', 'failover,catch-up').split(',');
const jsonFile = option('--json', null);
const memberLogs = process.argv.includes('--member-logs');
const log = (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function failover(kind) {
  const ensemble = await TestEnsemble.start({ kind, size: 3, tickTimeMs: 200 });
  const load = await WriteLoad.start({ connectStrings: [0, 1, 2, 3].map((index) => rotatedConnectString(ensemble.connectString, index)), root: '/bench-failover' });
  const times = [];
  try {
    for (let run = 0; run < runs; run++) {
      const leader = await ensemble.waitForQuorum({ sids: ensemble.sids });
      await load.waitForAcksAfter(Date.now(), 50, 60_000);
      const killedAtMs = Date.now();
      await ensemble.kill9(leader);
      const first = await load.waitForAcksAfter(killedAtMs, 1, 120_000);
      times.push(first.ackedAtMs - killedAtMs);
      log(`${kind} failover ${run + 1}/${runs}: leader ${leader} killed, first acknowledged write after ${first.ackedAtMs - killedAtMs} ms`);
      ensemble.restart(leader);
    }
  } finally {
    await load.stop();
    await ensemble.close();
  }
  return { runs: times.length, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), timesMs: times };
}

async function populate(connectString, count) {
  const clients = await Promise.all([0, 1, 2, 3].map(() => ZkClient.connect(connectString, { sessionTimeoutMs: 30_000 })));
  const value = 'x'.repeat(100);
  await clients[0].create('/bench-behind', '');
  const startedMs = performance.now();
  let next = 0;
  await Promise.all(clients.map(async (client) => {
    for (;;) {
      const batch = [];
      while (batch.length < 500 && next < count) batch.push(client.create(`/bench-behind/n-${next++}`, value));
      if (batch.length === 0) return;
      await Promise.all(batch);
    }
  }));
  const seconds = (performance.now() - startedMs) / 1000;
  await Promise.all(clients.map((client) => client.close()));
  return Math.round(count / seconds);
}

async function syncCounts(ensemble, leader) {
  const mntr = await ensemble.mntr(leader);
  return { diff: Number(mntr.get('zk_diff_count') ?? NaN), snap: Number(mntr.get('zk_snap_count') ?? NaN) };
}

async function catchUp(kind) {
  const each = [];
  for (let run = 0; run < runs; run++) each.push(await catchUpOnce(kind, run));
  const times = each.map((result) => result.serveMs);
  return {
    behindTxns: behind,
    runs: each.length,
    serveMs: median(times),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    timesMs: times,
    syncedBy: [...new Set(each.map((result) => result.syncedBy))].join('/'),
    populateCreatesPerS: median(each.map((result) => result.populateCreatesPerS)),
  };
}

async function catchUpOnce(kind, run) {
  const ensemble = await TestEnsemble.start({ kind, size: 3, tickTimeMs: 2000 });
  try {
    const leader = await ensemble.waitForQuorum();
    const follower = ensemble.sids.find((sid) => sid !== leader);
    await ensemble.kill9(follower);
    log(`${kind} catch-up: follower ${follower} down; committing ${behind} creates`);
    const populateRate = await populate(ensemble.connectStringOf(ensemble.sids.filter((sid) => sid !== follower)), behind);
    const before = await syncCounts(ensemble, leader);
    const startedMs = performance.now();
    const restartedAt = new Date().toISOString();
    ensemble.restart(follower);
    for (;;) {
      if ((await ensemble.mode(follower)) === 'follower') break;
      if (!ensemble.isRunning(follower)) throw new Error(`follower exited:\n${ensemble.describe([follower])}`);
      if (performance.now() - startedMs > 300_000) throw new Error('follower not serving after 300 s');
      await delay(50);
    }
    const serveMs = Math.round(performance.now() - startedMs);
    const after = await syncCounts(ensemble, leader);
    const syncedBy = Number.isNaN(after.diff) ? 'not reported' : after.snap > before.snap ? 'SNAP' : after.diff > before.diff ? 'DIFF' : 'unknown';
    log(`${kind} catch-up ${run + 1}/${runs}: follower serving ${serveMs} ms after its restart (${syncedBy}); populate ${populateRate} creates/s`);
    if (memberLogs) log(`member logs (follower ${follower} restarted at ${restartedAt}, leader ${leader}):\n${ensemble.describe([follower, leader], 40)}`);
    return { behindTxns: behind, serveMs, syncedBy, populateCreatesPerS: populateRate };
  } finally {
    await ensemble.close();
  }
}

const results = {};
for (const kind of kinds) {
  results[kind] = {};
  // A measure that fails (a server that exits, a timeout) is reported in its cell; the rest still runs.
  const attempt = async (measure) => {
    try {
      return await measure(kind);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${kind}: ${measure.name} failed: ${message}`);
      const reason = message.split('\n').find((line) => /ERROR|Exception|refus/i.test(line)) ?? message.split('\n')[0];
      return { failed: reason.slice(0, 160) };
    }
  };
  if (only.includes('failover')) results[kind].failover = await attempt(failover);
  if (only.includes('catch-up')) results[kind].catchUp = await attempt(catchUp);
}

const cell = (kind, pick) => (results[kind]?.skipped ? `n/a (${results[kind].skipped})` : pick(results[kind]) || '-');
const lines = [
  `| measure | ${kinds.join(' | ')} |`,
  `| --- | ${kinds.map(() => '---').join(' | ')} |`,
  `| failover: kill -9 of the leader to the first acknowledged write, tickTime 200, median (min-max) of ${runs}, ms | ${kinds.map((kind) => cell(kind, (r) => r.failover && (r.failover.failed ? `failed: ${r.failover.failed}` : `**${r.failover.medianMs}** (${r.failover.minMs}-${r.failover.maxMs})`))).join(' | ')} |`,
  `| catch-up: follower ${behind} txns behind, restart to serving, median (min-max) of ${runs}, ms | ${kinds.map((kind) => cell(kind, (r) => r.catchUp && (r.catchUp.failed ? `failed: ${r.catchUp.failed}` : `**${r.catchUp.serveMs}** (${r.catchUp.minMs}-${r.catchUp.maxMs}, ${r.catchUp.syncedBy})`))).join(' | ')} |`,
  `| creates/s while the follower was down (4 x 500 in flight, 2 servers serving) | ${kinds.map((kind) => cell(kind, (r) => r.catchUp && !r.catchUp.failed && String(r.catchUp.populateCreatesPerS))).join(' | ')} |`,
];
process.stdout.write(lines.join('\n') + '\n');
if (jsonFile !== null) writeFileSync(jsonFile, JSON.stringify({ date: new Date().toISOString(), runs, behind, results }, null, 2) + '\n');

#!/usr/bin/env node
// The CPU work of one SNAP sync, in-process and without the network, so a change to the
// snapshot path can be measured on a busy machine (CPU time, not wall time, is the figure):
//   leader:  serialize the tree, frame it, split it into SnapChunks, protobuf-encode them;
//   learner: protobuf-decode each message, de-frame and load the tree as it arrives
//            (peer/snapshot-preload.ts), stage the chunks in a LevelDB snapshot store, commit.
// Each run is a fresh process (a restarted learner's heap is cold). Median (min-max) of --runs.
//
//   node tools/bench/snap-sync-bench.mjs [--nodes 100000] [--runs 7] [--no-staging]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index < 0 ? fallback : process.argv[index + 1];
}
const nodes = Number(option('--nodes', '100000'));
const runs = Number(option('--runs', '7'));
const staging = !process.argv.includes('--no-staging');

if (process.env.SNAP_SYNC_BENCH_CHILD === '1') {
  process.stdout.write(`${JSON.stringify(await oneRun())}\n`);
} else {
  const results = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      env: { ...process.env, SNAP_SYNC_BENCH_CHILD: '1' },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`run ${run} failed:\n${child.stderr}`);
    results.push(JSON.parse(child.stdout.trim().split('\n').pop()));
  }
  const cell = (key) => {
    const values = results.map((result) => result[key]).sort((a, b) => a - b);
    return `${values[Math.floor(values.length / 2)]} (${values[0]}-${values[values.length - 1]})`;
  };
  console.log(`SNAP of ${nodes} znodes (100 B each), ${results[0].bytes} bytes, ${runs} fresh processes; ms, median (min-max)`);
  console.log('| phase | CPU | wall |');
  console.log('| --- | --- | --- |');
  console.log(`| leader: serialize + frame + encode | ${cell('leaderCpuMs')} | ${cell('leaderWallMs')} |`);
  console.log(`| learner: decode + load${staging ? ' + stage + commit' : ''} | ${cell('learnerCpuMs')} | ${cell('learnerWallMs')} |`);
  if (staging) console.log(`| learner: from the last chunk loaded to the staged snapshot committed | - | ${cell('learnerTailMs')} |`);
}

async function oneRun() {
  const root = new URL('../../', import.meta.url);
  const load = (path) => import(new URL(path, root).href);
  const { DataTree, serializeSnapshot } = await load('packages/data-tree/dist/index.js');
  const { frameSnapshotChunks } = await load('packages/replica/dist/index.js');
  const { openStorage } = await load('packages/txn-log/dist/index.js');
  const { LeaderStreamDecoder, leaderMsgToWire } = await load('apps/server/dist/peer/broadcast-codec.js');
  const { peerServices } = await load('apps/server/dist/peer/peer-proto.js');
  const { defaultPeerLimits } = await load('apps/server/dist/peer/limits.js');
  const { takePreloadedTree, takeSnapshotStaging } = await load('apps/server/dist/peer/snapshot-preload.js');
  const { serverTreeOptions } = await load('apps/server/dist/storage/server-tree.js');
  const { stagedSnapshotFlushBytes } = await load('apps/server/dist/driver/driver-disk.js');

  // The tree ensemble-bench's catch-up builds: /bench-behind/n-<i>, 100 B each.
  const tree = new DataTree(serverTreeOptions);
  const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
  const value = new TextEncoder().encode('x'.repeat(100));
  const now = Date.now();
  const stat = (zxid) => ({ czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: now, mtime: now, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n });
  tree.restoreNode('/bench-behind', new Uint8Array(0), acl, stat(0x100000001n));
  for (let i = 0; i < nodes; i++) tree.restoreNode(`/bench-behind/n-${i}`, value, acl, stat(BigInt(0x100000002 + i)));
  const zxid = BigInt(0x100000001 + nodes);
  tree.restoreMeta(zxid, new Map());
  const { leaderMessageSerialize, broadcast } = peerServices();
  const limits = defaultPeerLimits;

  const measure = async (work) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await work();
    const used = process.cpuUsage(cpu);
    return { result, cpuMs: Math.round((used.user + used.system) / 1000), wallMs: Math.round(performance.now() - started) };
  };

  const leader = await measure(() => {
    const snapshot = frameSnapshotChunks(serializeSnapshot(tree));
    return { bytes: snapshot.byteLength, wires: leaderMsgToWire({ type: 'SNAP', zxid, snapshot }, limits.snapChunkBytesMax).map((wire) => leaderMessageSerialize(wire)) };
  });

  const dir = mkdtempSync(join(tmpdir(), 'snap-sync-bench-'));
  const storage = await openStorage({ dataDir: dir });
  try {
    const stagings = [];
    const stage = (at) => {
      if (!staging) return null;
      const writer = storage.snapshots.beginSnapshot(at, { installed: true });
      // As the Driver's StagedSnapshot: chunks written as they come, flushed every stagedSnapshotFlushBytes.
      const writes = [];
      let unflushed = 0;
      const write = (chunk) => {
        writes.push(writer.write(chunk));
        unflushed += chunk.byteLength;
        if (unflushed < stagedSnapshotFlushBytes) return;
        unflushed = 0;
        writes.push(writer.flush());
      };
      const handle = { write, abort: () => void writer.abort(), done: async () => { writes.push(writer.flush()); await Promise.all(writes); await writer.commit(); } };
      stagings.push(handle);
      return handle;
    };
    const decoder = new LeaderStreamDecoder({ snapChunkBytesMax: limits.snapChunkBytesMax, snapshotBytesMax: limits.snapshotBytesMax }, stage);
    const deserialize = broadcast.Follow.responseDeserialize;
    global.gc?.();
    const learner = await measure(async () => {
      let snap = null;
      for (const bytes of leader.result.wires) {
        // One message per turn, as a stream delivers them: staging writes run meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
        snap = decoder.decode(deserialize(bytes)) ?? snap;
      }
      const decodedAt = performance.now();
      const loaded = takePreloadedTree(snap.snapshot);
      if (loaded === null || loaded.lastProcessedZxid !== zxid) throw new Error('the SNAP was not preloaded');
      if (staging) await takeSnapshotStaging(snap.snapshot).done();
      return performance.now() - decodedAt;
    });
    return { bytes: leader.result.bytes, leaderCpuMs: leader.cpuMs, leaderWallMs: leader.wallMs, learnerCpuMs: learner.cpuMs, learnerWallMs: learner.wallMs, learnerTailMs: Math.round(learner.result) };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

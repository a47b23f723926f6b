// Goal: an acknowledged write is never lost, whenever the server dies.
// Method: run the real server as a child process, write from many
// concurrent sessions with pipelined creates, SIGKILL it at a random
// moment, restart it on the same data dirs, and check that every create
// that was acknowledged is present. Repeated for dozens of iterations with
// a small snapCount so snapshots are taken (and interrupted) too. At the
// end, the recovered tree (snapshot + log tail) must equal a replay of the
// whole log from an empty tree. The seed is printed; CORRAL_CRASH_SEED
// replays a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZkCode } from '@corral/base';
import { DataTree, decodeTxn } from '@corral/data-tree';
import { openStorage, silentLogger } from '@corral/txn-log';
import { OpCode } from '@corral/wire';
import { createLogger } from './logger.js';
import { recoverTree } from './storage/recovery.js';
import { RawClient } from './testing/raw-client.js';
import { resolveServerEntry } from './server-entry.js';

// The file a launcher runs: the bundle when fresh (so the shipped form is what is tested), else cli.js.
const cli = resolveServerEntry().file;
const iterations = Number(process.env.CORRAL_CRASH_ITERATIONS ?? 24);
const sessionsPerIteration = 8;
const outstandingPerSession = 16;
const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function startServer(configPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'server', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('serving')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return child;
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test('acknowledged creates survive kill -9 at random moments', async () => {
  const seed = Number(process.env.CORRAL_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`crash test seed ${seed} (CORRAL_CRASH_SEED=${seed} to replay)`);
  const random = prng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'corral-crash-'));
  const port = 40000 + Math.floor(random() * 10000);
  const configPath = join(dir, 'zoo.cfg');
  writeFileSync(configPath, `tickTime=200\ndataDir=${join(dir, 'data')}\ndataLogDir=${join(dir, 'log')}\nclientPort=${port}\nsnapCount=300\n`);
  const acknowledged: string[] = [];
  let child: ChildProcess | null = null;
  try {
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      child = await startServer(configPath);
      const running = child;
      const clients = await Promise.all(Array.from({ length: sessionsPerIteration }, () => RawClient.open(port)));
      if (iteration === 0) await clients[0]?.request({ type: OpCode.create, path: '/crash', data: new Uint8Array(0), acl: open, flags: 0 });
      let stop = false;
      const writers = clients.map(async (client, sessionIndex) => {
        let counter = 0;
        const lane = async (): Promise<void> => {
          while (!stop) {
            const path = `/crash/i${iteration}-s${sessionIndex}-${counter++}`;
            const reply = await Promise.race([
              client.request({ type: OpCode.create, path, data: Buffer.from(path), acl: open, flags: 0 }),
              client.closed.then(() => null),
            ]);
            if (reply === null) return;
            if (reply.header.err === ZkCode.OK) acknowledged.push(path);
          }
        };
        await Promise.all(Array.from({ length: outstandingPerSession }, lane));
      });
      await new Promise((resolve) => setTimeout(resolve, 30 + random() * 300));
      await kill9(running);
      stop = true;
      await Promise.all(writers);
      for (const client of clients) client.close();
    }
    child = await startServer(configPath);
    const checker = await RawClient.open(port);
    const children = await checker.request({ type: OpCode.getChildren, path: '/crash', watch: false });
    assert.ok(children.response?.type === OpCode.getChildren);
    const present = new Set(children.response.children.map((name) => `/crash/${name}`));
    const lost = acknowledged.filter((path) => !present.has(path));
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} of ${acknowledged.length} acknowledged creates lost (seed ${seed})`);
    assert.ok(acknowledged.length > iterations, `too few writes were acknowledged to mean anything: ${acknowledged.length}`);
    checker.close();
    await kill9(child);
    child = null;

    // Snapshot + tail must equal the whole log replayed from nothing.
    const storage = await openStorage({ dataDir: join(dir, 'data'), dataLogDir: join(dir, 'log'), logger: silentLogger });
    try {
      const recovered = await recoverTree({ log: storage.log, snapshots: storage.snapshots, logger: createLogger({ quiet: true }), decodeTxn });
      const replayed = new DataTree();
      for await (const batch of storage.log.readBatchesFrom(0n)) {
        for (const record of batch) {
          const { header, txn } = decodeTxn(record.bytes);
          replayed.apply(header, txn);
        }
      }
      assert.equal(recovered.lastProcessedZxid, replayed.lastProcessedZxid);
      assert.equal(recovered.digest(), replayed.digest(), `recovered tree differs from a full replay (seed ${seed})`);
    } finally {
      await storage.close();
    }
  } finally {
    if (child !== null) await kill9(child);
    rmSync(dir, { recursive: true, force: true });
  }
});

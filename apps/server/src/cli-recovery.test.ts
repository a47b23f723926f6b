// Goal: a server whose log holds a txn that cannot be applied stops once
// with a non-zero exit code and one line naming the zxid and `corral log
// dump`, not an assertion stack (STYLE §5: no crash loop on replay); a
// server whose log was purged after snapshots that are now gone refuses to
// start with one line naming `corral snapshot restore`, and loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataTree, encodeTxn, serializeSnapshot, type Txn } from '@corral/data-tree';
import { openStorage } from '@corral/txn-log';
import { resolveServerEntry } from './server-entry.js';

// The file a launcher runs: the bundle when fresh (so the shipped form is what is tested), else cli.js.
const cli = resolveServerEntry().file;
const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Runs `corral server` on `dataDir`: it must exit 3 with one stderr line matching `pattern`, no stack. */
async function assertServerRefuses(dir: string, dataDir: string, pattern: RegExp): Promise<void> {
  const configPath = join(dir, 'zoo.cfg');
  // Port 0: the server must refuse before it binds anything.
  await writeFile(configPath, `tickTime=200\ndataDir=${dataDir}\nclientPort=0\nclientPortAddress=127.0.0.1\n`);
  const result = await runCli(['server', '--config', configPath]);
  assert.equal(result.code, 3);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', pattern);
  assert.ok(!result.stderr.includes('    at '), result.stderr);
}

test('an unappliable logged txn makes `corral server` exit non-zero with one line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'corral-cli-recovery-'));
  try {
    const dataDir = join(dir, 'data');
    const storage = await openStorage({ dataDir });
    const create: Txn = { type: 1, path: '/a', data: new Uint8Array(0), acl: open, ephemeral: false, parentCVersion: 1 };
    // Written by hand: a createTTL with a TTL that apply refuses (prep never logs one).
    const badTtl: Txn = { type: 21, path: '/ttl', data: new Uint8Array(0), acl: open, parentCVersion: 2, ttl: -9n };
    await storage.log.append([
      { zxid: 1n, bytes: encodeTxn({ sessionId: 0n, cxid: 1, zxid: 1n, time: 1, type: 1 }, create) },
      { zxid: 2n, bytes: encodeTxn({ sessionId: 0n, cxid: 2, zxid: 2n, time: 2, type: 21 }, badTtl) },
    ]);
    await storage.close();
    await assertServerRefuses(dir, dataDir, /^refusing to start: the logged txn at zxid 0x2 cannot be applied .*corral log dump /);
    // The command the message names shows the txn.
    const dump = await runCli(['log', 'dump', dataDir]);
    assert.equal(dump.code, 0);
    assert.match(dump.stdout, /0x2\b.*type 21/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a purged log without its snapshots makes `corral server` refuse with one line, keeping the log', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'corral-cli-recovery-'));
  try {
    const dataDir = join(dir, 'data');
    const storage = await openStorage({ dataDir });
    const live = new DataTree();
    for (let index = 1; index <= 60; index += 1) {
      const header = { sessionId: 0n, cxid: index, zxid: BigInt(index), time: index, type: 1 };
      const txn: Txn = { type: 1, path: `/n${String(index).padStart(3, '0')}`, data: new Uint8Array(0), acl: open, ephemeral: false, parentCVersion: index };
      live.apply(header, txn);
      await storage.log.append([{ zxid: BigInt(index), bytes: encodeTxn(header, txn) }]);
      if (index === 42) {
        const writer = storage.snapshots.beginSnapshot(42n);
        for (const chunk of serializeSnapshot(live)) await writer.write(chunk);
        await writer.commit();
      }
    }
    await storage.log.purgeBefore(42n);
    // The snapshots are lost (an operator removed them, or the disk did).
    assert.equal(await storage.snapshots.deleteAfter(0n), 1);
    await storage.close();
    await assertServerRefuses(dir, dataDir, /^refusing to start: no usable snapshot but the log continues at zxid 0x2a.*corral snapshot restore --data-dir /);
    // Nothing was served or rewritten: the log still holds 0x2a…0x3c.
    const dump = await runCli(['log', 'dump', dataDir]);
    assert.match(dump.stdout, /0x2a\b/);
    assert.match(dump.stdout, /0x3c\b/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

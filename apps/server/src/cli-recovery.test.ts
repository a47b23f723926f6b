// Goal: a server whose log holds a txn that cannot be applied stops once
// with a non-zero exit code and one line naming the zxid and `corral log
// dump`, not an assertion stack (STYLE §5: no crash loop on replay).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeTxn, type Txn } from '@corral/data-tree';
import { openStorage } from '@corral/txn-log';

const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
const open = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
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
    const configPath = join(dir, 'zoo.cfg');
    // Port 0: the server must refuse before it binds anything.
    await writeFile(configPath, `tickTime=200\ndataDir=${dataDir}\nclientPort=0\nclientPortAddress=127.0.0.1\n`);
    const result = await runCli(['server', '--config', configPath]);
    assert.equal(result.code, 3);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', /^refusing to start: the logged txn at zxid 0x2 cannot be applied .*corral log dump /);
    assert.ok(!result.stderr.includes('    at '), result.stderr);
    // The command the message names shows the txn.
    const dump = await runCli(['log', 'dump', dataDir]);
    assert.equal(dump.code, 0);
    assert.match(dump.stdout, /0x2\b.*type 21/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

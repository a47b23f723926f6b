// Goal: `corral server --config zoo.cfg` with server lines checks myid and
// peerType as ZooKeeper does: a bad one stops start-up with one line naming
// the key and exit 2, before any port is bound. Method: run the built CLI
// on temp configs (ports in 40000–49999 are never bound: it stops first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heldPort } from './testing/held-port.js';
import { resolveServerEntry } from './server-entry.js';

// The file a launcher runs: the bundle when fresh (so the shipped form is what is tested), else cli.js.
const cli = resolveServerEntry().file;
const lines = 'server.1=127.0.0.1:41001:42001\nserver.2=127.0.0.1:41002:42002\nserver.3=127.0.0.1:41003:42003';

const cases = [
  { name: 'no myid file', myid: null, extra: '', want: /invalid configuration: myid: .*myid is missing/ },
  { name: 'a myid without a server line', myid: '9', extra: '', want: /invalid configuration: myid: 9 .* has no server\.9 line/ },
  { name: 'a bad myid file', myid: 'one', extra: '', want: /invalid configuration: myid: bad server id "one"/ },
  { name: 'peerType observer on a participant line', myid: '2', extra: 'peerType=observer', want: /invalid configuration: peerType:/ },
];

for (const { name, myid, extra, want } of cases) {
  test(`corral server refuses an ensemble config: ${name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'corral-cli-ensemble-'));
    try {
      if (myid !== null) writeFileSync(join(dir, 'myid'), `${myid}\n`);
      const config = join(dir, 'zoo.cfg');
      writeFileSync(config, `dataDir=${dir}\nclientPort=43001\n${lines}\n${extra}\n`);
      const result = spawnSync(process.execPath, [cli, 'server', '--config', config], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, want);
      assert.equal(result.stderr.trim().split('\n').length, 1, 'one line');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('corral server stops with one line and exit 1 when its election port cannot be bound (electionPortBindRetry)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-cli-ensemble-'));
  const held = await heldPort();
  try {
    writeFileSync(join(dir, 'myid'), '1\n');
    const config = join(dir, 'zoo.cfg');
    const others = 'server.2=127.0.0.1:41002:42002\nserver.3=127.0.0.1:41003:42003';
    writeFileSync(config, `dataDir=${dir}\nclientPort=0\nelectionPortBindRetry=1\nserver.1=127.0.0.1:41001:${held.port}\n${others}\n`);
    const result = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'server', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (status) => resolve({ status, stderr }));
    });
    assert.equal(result.status, 1, result.stderr);
    const last = result.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(last, new RegExp(`^cannot listen: quorum port 127\\.0\\.0\\.1:41001 or election port 127\\.0\\.0\\.1:${held.port} of server\\.1`));
  } finally {
    held.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

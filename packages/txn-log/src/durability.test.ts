// Goal: an append's promise resolves only once the record is durable. Method:
// a child process appends with 8 concurrent appenders, prints each resolved
// zxid and SIGKILLs itself right after the N-th resolution; on reopen every
// printed zxid must be present. Ten iterations on one directory, so each
// round also checks recovery after a kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LevelTxnLog } from './level-txn-log.js';
import { collect, makeTempDir } from './temp-dir.test-support.js';

const child = fileURLToPath(new URL('./durability-child.js', import.meta.url));

test('every resolved append survives SIGKILL right after its promise resolves', async () => {
  const dir = await makeTempDir('durability');
  try {
    let expectedAtLeast = 0;
    for (let iteration = 0; iteration < 10; iteration += 1) {
      const killAfter = 50 + iteration * 37;
      const result = spawnSync(process.execPath, [child, dir.path, String(killAfter)], { encoding: 'utf8', timeout: 15_000 });
      assert.equal(result.signal, 'SIGKILL', `child should die by SIGKILL: ${result.stderr}`);
      const acked = result.stdout
        .split('\n')
        .filter((line) => line.startsWith('acked '))
        .map((line) => BigInt(`0x${line.slice('acked '.length)}`));
      assert.ok(acked.length >= killAfter, `child acked ${acked.length} of ${killAfter}`);
      const log = await LevelTxnLog.open({ dataLogDir: dir.path });
      const present = new Set((await collect(log.readFrom(0n))).map((record) => record.zxid));
      await log.close();
      for (const zxid of acked) assert.ok(present.has(zxid), `acknowledged zxid ${zxid} lost`);
      expectedAtLeast += acked.length;
      assert.ok(present.size >= expectedAtLeast);
    }
  } finally {
    await dir.remove();
  }
});

// Append throughput with 1, 32 and 3200 concurrent appenders of 100-byte
// records on a real LevelDB in a temp dir. Build first: npx tsc -b packages/txn-log
//   node packages/txn-log/bench/append-bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LevelTxnLog } from '../dist/index.js';

const payload = new Uint8Array(100).fill(7);
const plan = [
  { concurrency: 1, total: 3_000 },
  { concurrency: 32, total: 30_000 },
  { concurrency: 3200, total: 200_000 },
];
for (const { concurrency, total } of plan) {
  const dir = mkdtempSync(join(tmpdir(), 'corral-txn-bench-'));
  try {
    const log = await LevelTxnLog.open({ dataLogDir: dir });
    let next = 1n;
    let started = 0;
    const startMs = performance.now();
    const appender = async () => {
      while (started < total) {
        started += 1;
        const zxid = next;
        next += 1n;
        await log.append([{ zxid, bytes: payload }]);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, appender));
    const ms = performance.now() - startMs;
    const s = log.stats();
    console.log(
      `appenders=${concurrency} records=${s.appendedRecordCount} appends/s=${Math.round((s.appendedRecordCount / ms) * 1000)} ` +
        `fsyncs=${s.fsyncCount} records/fsync=${(s.appendedRecordCount / s.fsyncCount).toFixed(1)} ` +
        `fsyncMs avg=${(s.fsyncMsSum / s.fsyncCount).toFixed(3)} min=${s.fsyncMsMin.toFixed(3)} max=${s.fsyncMsMax.toFixed(2)}`,
    );
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

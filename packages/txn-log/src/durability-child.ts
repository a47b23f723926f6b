/**
 * Child process of the durability test (not part of the public API). It
 * appends with several concurrent appenders, prints "acked <zxid hex>" to
 * stdout (synchronous on a pipe) for every resolved record, and SIGKILLs
 * itself right after the `killAfter`-th resolution: nothing after the
 * resolve gets a chance to flush anything.
 *   node durability-child.js <dataLogDir> <killAfter>
 */
import { writeSync } from 'node:fs';
import { LevelTxnLog } from './level-txn-log.js';

async function main(): Promise<void> {
  const [dataLogDir, killAfterText] = process.argv.slice(2);
  if (dataLogDir === undefined || killAfterText === undefined) throw new Error('usage: durability-child <dir> <killAfter>');
  const killAfter = Number(killAfterText);
  const log = await LevelTxnLog.open({ dataLogDir });
  let next = log.lastLoggedZxid + 1n;
  let acked = 0;
  const payload = new Uint8Array(100).fill(0x5a);
  const appender = async (): Promise<void> => {
    for (;;) {
      const zxid = next;
      next += 1n;
      await log.append([{ zxid, bytes: payload }]);
      writeSync(1, `acked ${zxid.toString(16)}\n`);
      acked += 1;
      if (acked >= killAfter) process.kill(process.pid, 'SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: 8 }, appender));
}

await main();

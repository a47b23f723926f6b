/** Test support: a fresh directory under os.tmpdir(), removed by the returned function. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates a temp directory; call `remove` in an `after`/`finally`. */
export async function makeTempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `corral-txn-log-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** `count` records with contiguous zxids in epoch `epoch`, counters from `firstCounter`. */
export function records(epoch: number, firstCounter: number, count: number, bytes = 16): { zxid: bigint; bytes: Uint8Array }[] {
  return Array.from({ length: count }, (_, index) => {
    const counter = firstCounter + index;
    return { zxid: (BigInt(epoch) << 32n) | BigInt(counter), bytes: new Uint8Array(bytes).fill(counter & 0xff) };
  });
}

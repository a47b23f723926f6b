/**
 * Read-write lock (ZooKeeper recipes, "Shared Locks"): readers share, a
 * writer excludes everyone. A reader waits only for the last writer queued
 * before it; a writer waits for its predecessor, whatever kind it is.
 */
import type { CallOptions, ZkClient } from '../client.js';
import { unprotectedName } from './common.js';
import { acquireInQueue, predecessor, type BlockerOf } from './lock-queue.js';
import type { Lease } from './lease.js';

const readPrefix = 'read-';
const writePrefix = 'write-';
const prefixes = [readPrefix, writePrefix];

const lastWriterBefore: BlockerOf = (sorted, index) => {
  for (let at = index - 1; at >= 0; at--) {
    if (unprotectedName(sorted[at]!).startsWith(writePrefix)) return sorted[at]!;
  }
  return null;
};

/** A distributed read-write lock on `dir`. */
export class ReadWriteLock {
  constructor(
    private readonly client: ZkClient,
    readonly dir: string,
  ) {}

  /** Shared access: held together with other readers, never with a writer. */
  acquireRead(options: CallOptions = {}): Promise<Lease> {
    return acquireInQueue(this.client, { ...options, dir: this.dir, prefix: readPrefix, prefixes, blockerOf: lastWriterBefore });
  }

  /** Exclusive access. */
  acquireWrite(options: CallOptions = {}): Promise<Lease> {
    return acquireInQueue(this.client, { ...options, dir: this.dir, prefix: writePrefix, prefixes, blockerOf: predecessor });
  }
}

/**
 * Log limits that fit this server's frames, shared by storage (which
 * enforces them) and the core (which must never hand the log a
 * txn over them: a refused record is a storage failure, and a storage
 * failure stops the server).
 */
import { snapshotChunkBytesMax } from '@corral/data-tree';
import type { ServerConfig } from '../config/server-config.js';

/**
 * A txn can be a little larger than the request frame it came from (ACL
 * "auth" expansion, header), and a snapshot chunk holds one whole node.
 */
export function storageLimits(config: ServerConfig): { recordBytesMax: number; batchBytesMax: number; snapshotChunkBytesMax: number } {
  const recordBytesMax = config.juteMaxBuffer * 2 + 1024 * 1024;
  return { recordBytesMax, batchBytesMax: Math.max(32 * 1024 * 1024, recordBytesMax), snapshotChunkBytesMax };
}

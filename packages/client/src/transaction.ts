/**
 * Transaction: a builder for multi (ZooKeeper's Transaction class). Ops are
 * collected in order and sent as one request that applies all or nothing.
 */
import { CreateMode, OpCode, type MultiOp } from '@corral/wire';
import type { CallOptions, CreateOptions } from './client.js';
import type { OpResult } from './multi-results.js';

type Commit = (ops: readonly MultiOp[], options: CallOptions) => Promise<OpResult[]>;

/** Collects ops; `commit()` sends them as one multi. */
export class Transaction {
  private readonly ops: MultiOp[] = [];

  constructor(private readonly commitOps: Commit) {}

  create(path: string, data: Uint8Array | string = new Uint8Array(0), options: Omit<CreateOptions, 'signal'> = {}): this {
    const mode = options.mode ?? CreateMode.PERSISTENT;
    const acl = options.acl ?? [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    if (mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL) {
      this.ops.push({ type: OpCode.createTTL, path, data: body, acl, flags: mode, ttl: BigInt(options.ttlMs ?? 0) });
    } else {
      this.ops.push({ type: mode === CreateMode.CONTAINER ? OpCode.createContainer : OpCode.create2, path, data: body, acl, flags: mode });
    }
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push({ type: OpCode.delete, path, version });
    return this;
  }

  setData(path: string, data: Uint8Array | string, version = -1): this {
    this.ops.push({ type: OpCode.setData, path, data: typeof data === 'string' ? Buffer.from(data) : data, version });
    return this;
  }

  /** The node must be at `version` for the transaction to apply. */
  check(path: string, version: number): this {
    this.ops.push({ type: OpCode.check, path, version });
    return this;
  }

  /** Sends every op as one multi; throws MultiError if any op fails (then none applied). */
  commit(options: CallOptions = {}): Promise<OpResult[]> {
    return this.commitOps([...this.ops], options);
  }
}

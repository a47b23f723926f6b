/**
 * The ops of a multi or multiRead as ZooKeeper 3.8 reads them
 * (MultiOperationRecord.deserialize and Op.create), before prep sees them:
 * - all ops of one request are of one kind: a multi holding a read, or a
 *   multiRead holding a write, is refused whole with MARSHALLINGERROR;
 * - a create op's kind follows its flags, not its header: create, create2
 *   and createContainer headers all carry a CreateRequest, and container
 *   flags make a createContainer, other flags a create (Op.getOpcode);
 * - a createTTL header with a non-TTL mode is an ordinary create (its TTL
 *   is dropped), while a TTL mode under a header that carries no TTL cannot
 *   be built (ZooKeeper fails the whole request, MARSHALLINGERROR).
 * Pure: no I/O, no server objects.
 */
import { OpCode, type ClientRequest, type MultiRequest } from '@corral/wire';
import { createModeFromFlag } from './create-mode.js';

const readOpTypes: ReadonlySet<number> = new Set([OpCode.getData, OpCode.getChildren]);

/** The request with its ops as ZooKeeper reads them, or null for MARSHALLINGERROR. */
export function multiAsZooKeeperReadsIt(request: MultiRequest): MultiRequest | null {
  const wantRead = request.type === OpCode.multiRead;
  const ops: ClientRequest[] = [];
  for (const op of request.ops) {
    if (readOpTypes.has(op.type) !== wantRead) return null;
    const read = wantRead ? op : createOpByFlags(op);
    if (read === null) return null;
    ops.push(read);
  }
  return { type: request.type, ops };
}

function createOpByFlags(op: ClientRequest): ClientRequest | null {
  if (op.type !== OpCode.create && op.type !== OpCode.create2 && op.type !== OpCode.createContainer && op.type !== OpCode.createTTL) {
    return op;
  }
  // CreateMode.fromFlag(flags, PERSISTENT): an unknown flag reads as persistent here; prep refuses it.
  const mode = createModeFromFlag(op.flags);
  if (mode?.ttl === true) return op.type === OpCode.createTTL ? op : null;
  const type = mode?.container === true ? OpCode.createContainer : OpCode.create;
  if (op.type === type) return op;
  return { type, path: op.path, data: op.data, acl: op.acl, flags: op.flags };
}

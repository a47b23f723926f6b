/**
 * Turns the result of applying a write's txn into the reply ZooKeeper's
 * FinalRequestProcessor sends for that request type.
 */
import { ZkCode, assert } from '@corral/base';
import type { ApplyResult, Stat } from '@corral/data-tree';
import { OpCode, type ClientRequest, type ClientResponse, type MultiResult } from '@corral/wire';

/** The reply of a write: header error code and body. */
export interface WriteReply {
  readonly err: number;
  readonly response: ClientResponse | null;
}

/** The Stat DataTree returns with every applied create, setData and setACL. */
function statOf(result: ApplyResult): Stat {
  assert(result.stat !== undefined, 'an applied create/setData/setACL carries its stat');
  return result.stat;
}

function okResponse(type: number, result: ApplyResult): ClientResponse | null {
  switch (type) {
    case OpCode.create:
      return { type: OpCode.create, path: result.path ?? '' };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { type, path: result.path ?? '', stat: statOf(result) };
    case OpCode.setData:
      return { type: OpCode.setData, stat: statOf(result) };
    case OpCode.setACL:
      return { type: OpCode.setACL, stat: statOf(result) };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: OpCode.delete };
    case OpCode.check:
      return { type: OpCode.check };
    default:
      return null;
  }
}

/** Builds the reply for `request` from the result of applying its txn. */
export function writeReply(request: ClientRequest, result: ApplyResult): WriteReply {
  if (request.type === OpCode.multi) {
    const subResults = result.results ?? [];
    // A failed multi answers every op with an ErrorResult: OK before the
    // failing op, its code, then RUNTIMEINCONSISTENCY (DataTree.processTxn).
    const failed = result.err !== ZkCode.OK || subResults.some((sub) => sub.err !== ZkCode.OK);
    const results: MultiResult[] = request.ops.map((op, index) => {
      const sub: ApplyResult = subResults[index] ?? { type: OpCode.error, err: ZkCode.RUNTIMEINCONSISTENCY };
      if (failed) return { type: OpCode.error, err: sub.err };
      // Apache 3.8 answers a create2 op inside a multi with a plain CreateResult (3.9 keeps create2).
      return okResponse(op.type === OpCode.create2 ? OpCode.create : op.type, sub) ?? { type: OpCode.error, err: ZkCode.OK };
    });
    return { err: ZkCode.OK, response: { type: OpCode.multi, results } };
  }
  if (result.err !== ZkCode.OK) return { err: result.err, response: null };
  return { err: ZkCode.OK, response: okResponse(request.type, result) };
}

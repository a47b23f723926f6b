/**
 * Turns the result of applying a write's txn into the reply ZooKeeper's
 * FinalRequestProcessor sends for that request type.
 */
import { ZkCode } from '@corral/base';
import type { ApplyResult } from '@corral/data-tree';
import { OpCode, type ClientRequest, type ClientResponse, type MultiResult } from '@corral/wire';

/** The reply of a write: header error code and body. */
export interface WriteReply {
  readonly err: number;
  readonly response: ClientResponse | null;
}

function okResponse(type: number, result: ApplyResult): ClientResponse | null {
  switch (type) {
    case OpCode.create:
      return { type: OpCode.create, path: result.path ?? '' };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { type, path: result.path ?? '', stat: result.stat ?? emptyStat() };
    case OpCode.setData:
      return { type: OpCode.setData, stat: result.stat ?? emptyStat() };
    case OpCode.setACL:
      return { type: OpCode.setACL, stat: result.stat ?? emptyStat() };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: OpCode.delete };
    case OpCode.check:
      return { type: OpCode.check };
    default:
      return null;
  }
}

function emptyStat() {
  return { czxid: 0n, mzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 0n };
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

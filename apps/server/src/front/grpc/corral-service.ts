/**
 * The unary calls of service corral.v1.Corral. Each decodes its message into
 * a wire request, runs it through the UnaryGateway (the same core as the
 * jute port) and answers with the result, or with a status carrying
 * ZooKeeper's code.
 */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ZkCode, ZkError } from '@corral/base';
import { OpCode } from '@corral/wire';
import { multiFailure, requestFor, resultFor } from './convert.js';
import { statusOfThrown, zkStatusError } from './errors.js';
import type { SessionRefMsg } from './proto-types.js';
import type { UnaryGateway } from './unary-gateway.js';

/** Unary method name -> the oneof case of Call and Reply.result it shares. */
const methods = {
  Create: 'create', Delete: 'delete', Exists: 'exists', GetData: 'getData', SetData: 'setData', GetChildren: 'getChildren',
  GetAllChildrenNumber: 'getAllChildrenNumber', GetACL: 'getAcl', SetACL: 'setAcl', Multi: 'multi', MultiRead: 'multiRead',
  Sync: 'sync', WhoAmI: 'whoAmI',
} as const;

/** Handlers for the unary methods of corral.v1.Corral. */
export function corralUnaryHandlers(gateway: UnaryGateway): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const [method, op] of Object.entries(methods)) {
    handlers[method] = (call: ServerUnaryCall<Record<string, unknown>, unknown>, callback: sendUnaryData<unknown>) => {
      answer(gateway, op, call.request).then(
        (result) => callback(null, result),
        (error: unknown) => callback(unaryStatus(error)),
      );
    };
  }
  return handlers;
}

async function answer(gateway: UnaryGateway, op: string, message: Record<string, unknown>): Promise<unknown> {
  const request = requestFor(op, message, false);
  const { header, response } = await gateway.run(request, message['session'] as SessionRefMsg | null | undefined);
  const failure = multiFailure(response);
  if (failure !== null) throw new MultiOpError(failure.code, failure.index);
  if (header.err !== ZkCode.OK) {
    if (request.type === OpCode.exists && header.err === ZkCode.NONODE) return { exists: false };
    throw new ZkError(header.err as ZkCode, { path: 'path' in request ? request.path : '' });
  }
  return resultFor(op, response, header.zxid)[op];
}

/** A failed multi: its first failing op's code and index. */
class MultiOpError extends ZkError {
  readonly opIndex: number;
  constructor(code: number, opIndex: number) {
    super(code as ZkCode, { message: `multi op ${opIndex} failed` });
    this.opIndex = opIndex;
  }
}

/** The status of a failed unary call, naming the failing op of a multi. */
export function unaryStatus(error: unknown): ReturnType<typeof zkStatusError> {
  if (error instanceof MultiOpError) return zkStatusError(error.code, { opIndex: error.opIndex, message: error.message });
  return statusOfThrown(error);
}

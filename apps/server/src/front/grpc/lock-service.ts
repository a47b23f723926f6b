/**
 * corral.v1.Lock: ZooKeeper's mutex recipe run by the server for the caller's
 * session, so any gRPC client gets a correct lock in one call. The fencing
 * token is the lock node's czxid: zxids grow with every txn, so each new
 * holder's token is larger than every earlier holder's.
 */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ZkCode, ZkError } from '@corral/base';
import { statusOfThrown } from './errors.js';
import { callSignal } from './call-signal.js';
import { enterQueue, leaveQueue, ownedStat, recipeDirectory, waitForTurn, type RecipeContext } from './recipe-steps.js';
import type { SessionRefMsg } from './proto-types.js';

const lockPrefix = 'lock-';

interface AcquireMsg { session?: SessionRefMsg | null; name?: string; value?: Buffer }
interface UnlockMsg { session?: SessionRefMsg | null; key?: string }

/** Handlers of corral.v1.Lock. */
export function lockHandlers(context: RecipeContext): UntypedServiceImplementation {
  return {
    Acquire: (call: ServerUnaryCall<AcquireMsg, unknown>, callback: sendUnaryData<unknown>) => {
      const signal = callSignal(call);
      acquire(context, call.request, signal.signal).then(
        (result) => callback(null, result),
        (error: unknown) => callback(statusOfThrown(error)),
      ).finally(signal.dispose);
    },
    Unlock: (call: ServerUnaryCall<UnlockMsg, unknown>, callback: sendUnaryData<unknown>) => {
      unlock(context, call.request).then(
        () => callback(null, {}),
        (error: unknown) => callback(statusOfThrown(error)),
      );
    },
  };
}

async function acquire(context: RecipeContext, request: AcquireMsg, signal: AbortSignal): Promise<unknown> {
  const directory = recipeDirectory(request.name);
  const session = requireSession(context, request.session);
  const entry = await enterQueue(context, { directory, prefix: lockPrefix, value: request.value ?? new Uint8Array(0), session });
  try {
    await waitForTurn(context, { directory, prefix: lockPrefix, entry, signal });
  } catch (error) {
    // Cancelled or timed out while waiting: leave nothing behind for the next holder to wait on.
    await leaveQueue(context, entry.path, session);
    throw error;
  }
  return { key: entry.path, fencingToken: entry.czxid.toString() };
}

async function unlock(context: RecipeContext, request: UnlockMsg): Promise<void> {
  const session = requireSession(context, request.session);
  const key = request.key ?? '';
  const owner = context.gateway.namedSession(session)?.id ?? 0n;
  ownedStat(context, key, owner);
  await leaveQueue(context, key, session);
}

/** Locks and elections belong to a session: one must be named. */
export function requireSession(context: RecipeContext, ref: SessionRefMsg | null | undefined): SessionRefMsg {
  if (ref == null || context.gateway.namedSession(ref) === null) {
    throw new ZkError(ZkCode.SESSIONEXPIRED, { message: 'a session is required: open one with Corral.Session and pass its id and password' });
  }
  return ref;
}

/**
 * corral.v1.Election: ZooKeeper's leader-election recipe run by the server
 * (as etcd's v3election): candidates queue with ephemeral sequential nodes
 * holding their value; the first in the queue leads. Observe streams the
 * leader as it changes, checked once per applied batch.
 */
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ZkCode, ZkError } from '@corral/base';
import { OpCode } from '@corral/wire';
import { callSignal } from './call-signal.js';
import { exhaustedError, statusOfThrown } from './errors.js';
import { observersMax } from './limits.js';
import { requireSession } from './lock-service.js';
import { enterQueue, leaveQueue, ownedStat, queueOf, recipeDirectory, run, waitForTurn, type RecipeContext } from './recipe-steps.js';
import type { SessionRefMsg } from './proto-types.js';

const candidatePrefix = 'candidate-';

interface LeaderKeyMsg { name?: string; key?: string; fencingToken?: string }
interface CampaignMsg { session?: SessionRefMsg | null; name?: string; value?: Buffer }
interface ProclaimMsg { session?: SessionRefMsg | null; leader?: LeaderKeyMsg | null; value?: Buffer }
interface LeaderMsg { name?: string }
interface ResignMsg { session?: SessionRefMsg | null; leader?: LeaderKeyMsg | null }

/** The leader of an election as a LeaderResponse. */
function leaderOf(context: RecipeContext, directory: string): { hasLeader: boolean; leader?: LeaderKeyMsg; value?: Uint8Array; version?: number } {
  const first = queueOf(context, directory, candidatePrefix)[0];
  if (first === undefined) return { hasLeader: false };
  const key = `${directory}/${first}`;
  const node = context.tree.getNode(key);
  if (node === undefined) return { hasLeader: false };
  return { hasLeader: true, leader: { name: directory, key, fencingToken: node.czxid.toString() }, value: node.data ?? new Uint8Array(0), version: node.version };
}

/** Handlers of corral.v1.Election. */
export function electionHandlers(context: RecipeContext): { handlers: UntypedServiceImplementation; closeObservers: () => void } {
  const observers = new Set<() => void>();
  const handlers: UntypedServiceImplementation = {
    Campaign: (call: ServerUnaryCall<CampaignMsg, unknown>, callback: sendUnaryData<unknown>) => {
      const signal = callSignal(call);
      campaign(context, call.request, signal.signal).then(
        (leader) => callback(null, { leader }),
        (error: unknown) => callback(statusOfThrown(error)),
      ).finally(signal.dispose);
    },
    Proclaim: (call: ServerUnaryCall<ProclaimMsg, unknown>, callback: sendUnaryData<unknown>) => {
      proclaim(context, call.request).then(() => callback(null, {}), (error: unknown) => callback(statusOfThrown(error)));
    },
    Leader: (call: ServerUnaryCall<LeaderMsg, unknown>, callback: sendUnaryData<unknown>) => {
      try {
        const { version: _version, ...response } = leaderOf(context, recipeDirectory(call.request.name));
        callback(null, response);
      } catch (error) {
        callback(statusOfThrown(error));
      }
    },
    Observe: (call: ServerWritableStream<LeaderMsg, unknown>) => {
      if (observers.size >= observersMax) {
        call.emit('error', exhaustedError(`more than ${observersMax} election observers`));
        return;
      }
      observe(context, call, observers).catch((error: unknown) => call.emit('error', statusOfThrown(error)));
    },
    Resign: (call: ServerUnaryCall<ResignMsg, unknown>, callback: sendUnaryData<unknown>) => {
      resign(context, call.request).then(() => callback(null, {}), (error: unknown) => callback(statusOfThrown(error)));
    },
  };
  const closeObservers = (): void => {
    for (const end of observers) end();
  };
  return { handlers, closeObservers };
}

async function campaign(context: RecipeContext, request: CampaignMsg, signal: AbortSignal): Promise<LeaderKeyMsg> {
  const directory = recipeDirectory(request.name);
  const session = requireSession(context, request.session);
  const entry = await enterQueue(context, { directory, prefix: candidatePrefix, value: request.value ?? new Uint8Array(0), session });
  try {
    await waitForTurn(context, { directory, prefix: candidatePrefix, entry, signal });
  } catch (error) {
    await leaveQueue(context, entry.path, session);
    throw error;
  }
  return { name: directory, key: entry.path, fencingToken: entry.czxid.toString() };
}

/** Checks that `leader` names this session's node and that it still leads. */
function checkLeads(context: RecipeContext, session: SessionRefMsg, leader: LeaderKeyMsg | null | undefined): string {
  const directory = recipeDirectory(leader?.name);
  const key = leader?.key ?? '';
  const owner = context.gateway.namedSession(session)?.id ?? 0n;
  ownedStat(context, key, owner);
  if (leaderOf(context, directory).leader?.key !== key) throw new ZkError(ZkCode.BADVERSION, { path: key, message: `${key} no longer leads ${directory}` });
  return key;
}

async function proclaim(context: RecipeContext, request: ProclaimMsg): Promise<void> {
  const session = requireSession(context, request.session);
  const key = checkLeads(context, session, request.leader);
  await run(context, { type: OpCode.setData, path: key, data: request.value ?? new Uint8Array(0), version: -1 }, session);
}

async function resign(context: RecipeContext, request: ResignMsg): Promise<void> {
  const session = requireSession(context, request.session);
  const key = request.leader?.key ?? '';
  ownedStat(context, key, context.gateway.namedSession(session)?.id ?? 0n);
  await leaveQueue(context, key, session);
}

async function observe(context: RecipeContext, call: ServerWritableStream<LeaderMsg, unknown>, observers: Set<() => void>): Promise<void> {
  const directory = recipeDirectory(call.request.name);
  const cancel = callSignal(call);
  const controller = new AbortController();
  const signal = AbortSignal.any([cancel.signal, controller.signal]);
  const end = (): void => controller.abort(new ZkError(ZkCode.CONNECTIONLOSS, { message: 'server is shutting down' }));
  observers.add(end);
  let last: string | null = null;
  const fingerprint = (): string => {
    const current = leaderOf(context, directory);
    return current.hasLeader ? `${current.leader?.key ?? ''}@${current.version ?? 0}` : '';
  };
  try {
    for (;;) {
      const seen = fingerprint();
      if (seen !== last) {
        const { version: _version, ...response } = leaderOf(context, directory);
        call.write(response);
        last = seen;
      }
      await context.waiters.until(() => fingerprint() !== last, signal);
    }
  } catch (error) {
    if (signal.aborted) {
      call.end();
      return;
    }
    throw error;
  } finally {
    observers.delete(end);
    cancel.dispose();
  }
}

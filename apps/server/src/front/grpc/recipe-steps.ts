/**
 * The steps shared by the server-side lock and election: make the
 * directory, enter the queue with an ephemeral sequential node owned by the
 * caller's session, wait for the predecessor to go (no herd effect: only the
 * next node waits on each node), and leave the queue.
 */
import { ZkCode, ZkError } from '@corral/base';
import { OpCode, type ClientRequest, type ClientResponse, type Stat } from '@corral/wire';
import type { DataTree } from '@corral/data-tree';
import { queueEntryAttemptsMax } from './limits.js';
import type { SessionRefMsg } from './proto-types.js';
import type { TreeWaiters } from './tree-waiters.js';
import type { UnaryGateway } from './unary-gateway.js';

/** What the recipes need from the server. */
export interface RecipeContext {
  readonly gateway: UnaryGateway;
  readonly waiters: TreeWaiters;
  /** The applied tree now: a getter, since a SNAP install or a rebuild replaces it. */
  readonly tree: DataTree;
}

/** A queue entry owned by a session. */
export interface QueueEntry {
  readonly path: string;
  readonly czxid: bigint;
}

const ephemeralSequential = 3;
const container = 4;

/** Runs one request in `session` and returns its response, or throws its ZooKeeper code. */
export async function run(context: RecipeContext, request: ClientRequest, session: SessionRefMsg | null): Promise<ClientResponse | null> {
  const { header, response } = await context.gateway.run(request, session);
  if (header.err !== ZkCode.OK) throw new ZkError(header.err as ZkCode, { path: 'path' in request ? request.path : '' });
  return response;
}

/** Validates a recipe directory name: an absolute path, not the root. */
export function recipeDirectory(name: string | undefined): string {
  if (typeof name !== 'string' || !name.startsWith('/') || name === '/' || name.endsWith('/')) {
    throw new ZkError(ZkCode.BADARGUMENTS, { message: 'name must be an absolute path such as /locks/orders' });
  }
  return name;
}

/** Creates the directory and its missing ancestors as containers (removed by the server once empty). */
export async function ensureDirectory(context: RecipeContext, directory: string, session: SessionRefMsg | null): Promise<void> {
  if (context.tree.getNode(directory) !== undefined) return;
  const parts = directory.split('/').slice(1);
  for (let index = 1; index <= parts.length; index += 1) {
    const path = `/${parts.slice(0, index).join('/')}`;
    if (context.tree.getNode(path) !== undefined) continue;
    try {
      await run(context, { type: OpCode.createContainer, path, data: new Uint8Array(0), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: container }, session);
    } catch (error) {
      if (!(error instanceof ZkError) || error.code !== ZkCode.NODEEXISTS) throw error;
    }
  }
}

/**
 * Enters the queue: an ephemeral sequential node `directory/prefix-N` owned
 * by `session`. The directories are containers: once a queue has emptied,
 * the container check may delete them between ensureDirectory seeing them
 * and the create (NONODE), so that create is tried again behind a fresh
 * ensureDirectory, as Curator's creatingParentContainersIfNeeded retries.
 */
export async function enterQueue(context: RecipeContext, options: { directory: string; prefix: string; value: Uint8Array; session: SessionRefMsg }): Promise<QueueEntry> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureDirectory(context, options.directory, options.session);
      const response = await run(context, {
        type: OpCode.create2, path: `${options.directory}/${options.prefix}`, data: options.value,
        acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: ephemeralSequential,
      }, options.session);
      if (response?.type !== OpCode.create2) throw new ZkError(ZkCode.SYSTEMERROR, { message: 'create2 answered without a stat' });
      return { path: response.path, czxid: response.stat.czxid };
    } catch (error) {
      if (!(error instanceof ZkError) || error.code !== ZkCode.NONODE || attempt >= queueEntryAttemptsMax) throw error;
    }
  }
}

/** The queue's entries, lowest sequence first (ZooKeeper's suffix order). */
export function queueOrder(children: readonly string[], prefix: string): string[] {
  return children.filter((child) => child.startsWith(prefix)).sort((a, b) => suffixOf(a) - suffixOf(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function suffixOf(name: string): number {
  return Number(name.slice(-10));
}

/** The children of `directory` read from the applied tree, in queue order. */
export function queueOf(context: RecipeContext, directory: string, prefix: string): string[] {
  const node = context.tree.getNode(directory);
  if (node === undefined) return [];
  return queueOrder([...node.childNames()], prefix);
}

/**
 * Waits until `entry` is first in its queue. Each round waits only for the
 * entry just before it to disappear. Fails with SESSIONEXPIRED if our own
 * entry disappears (the session ended).
 */
export async function waitForTurn(context: RecipeContext, options: { directory: string; prefix: string; entry: QueueEntry; signal: AbortSignal }): Promise<void> {
  const ours = options.entry.path.slice(options.directory.length + 1);
  for (;;) {
    const queue = queueOf(context, options.directory, options.prefix);
    const index = queue.indexOf(ours);
    if (index < 0) throw new ZkError(ZkCode.SESSIONEXPIRED, { message: 'the queue entry is gone: its session ended' });
    if (index === 0) return;
    const predecessor = `${options.directory}/${queue[index - 1] ?? ''}`;
    await context.waiters.until(() => context.tree.getNode(predecessor) === undefined || context.tree.getNode(options.entry.path) === undefined, options.signal);
  }
}

/** Leaves the queue; a node already gone (session ended) is not an error. */
export async function leaveQueue(context: RecipeContext, path: string, session: SessionRefMsg | null): Promise<void> {
  try {
    await run(context, { type: OpCode.delete, path, version: -1 }, session);
  } catch (error) {
    if (!(error instanceof ZkError) || (error.code !== ZkCode.NONODE && error.code !== ZkCode.SESSIONEXPIRED)) throw error;
  }
}

/** The stat of a node owned by `sessionId`, or throws: a key must belong to the caller. */
export function ownedStat(context: RecipeContext, path: string, sessionId: bigint): Stat {
  const node = context.tree.getNode(path);
  if (node === undefined) throw new ZkError(ZkCode.NONODE, { path });
  if (node.ephemeralOwner !== sessionId) throw new ZkError(ZkCode.BADARGUMENTS, { path, message: `${path} is not held by this session` });
  return node.stat;
}

/**
 * What every recipe needs to survive connection loss: retrying idempotent
 * steps once reconnected, creating sequential nodes whose create may have
 * succeeded although its reply was lost (Curator's protected mode: a guid in
 * the name finds the node again), and waiting for a watch that also wakes
 * on reconnect so the caller re-reads the state instead of trusting a watch
 * across a gap.
 */
import { randomUUID } from 'node:crypto';
import { ZkCode, ZkError } from '@corral/base';
import type { Stat } from '@corral/wire';
import type { CallOptions, ZkClient } from '../client.js';
import { abortReason, isZkError } from '../errors.js';
import type { ConnectionState } from '../session.js';
import type { WatchEvent, Watcher } from '../watch-registry.js';

/** Prefix of protected node names: `_c_<guid>-<name><sequence>` (Curator's format). */
export const protectedPrefix = '_c_';

/** Length of the sequence suffix ZooKeeper appends (%010d). */
const sequenceDigits = 10;

/**
 * Runs `step` until it does not fail with CONNECTIONLOSS, waiting for the
 * reconnect between tries. Only for steps that are safe to repeat.
 */
export async function retryOnLoss<T>(client: ZkClient, step: () => Promise<T>, options: CallOptions = {}): Promise<T> {
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (!isZkError(error, ZkCode.CONNECTIONLOSS)) throw error;
      await client.waitConnected(options);
    }
  }
}

/** Creates `path` and its missing ancestors as persistent nodes (existing ones are fine). */
export async function ensurePath(client: ZkClient, path: string, options: CallOptions = {}): Promise<void> {
  if (path === '/') return;
  const parts = path.split('/').slice(1);
  let at = '';
  for (const part of parts) {
    at += `/${part}`;
    const node = at;
    await retryOnLoss(client, () => client.create(node, '', options).catch((error: unknown) => {
      if (isZkError(error, ZkCode.NODEEXISTS)) return node;
      throw error;
    }), options);
  }
}

/** A node created by protectedCreate. */
export interface ProtectedNode {
  path: string;
  /** The node's name (last segment). */
  name: string;
  stat: Stat;
  /** `_c_<guid>-`: every node this create may have made starts with it. */
  guidPrefix: string;
}

/**
 * Creates `parent/_c_<guid>-<name>` with a sequential (and usually
 * ephemeral) mode. If the connection drops before the reply, the node may
 * exist: after the reconnect the parent's children are searched for the
 * guid, and the create is retried only if it is not there. Without this a
 * lost reply leaves an orphan node that blocks a lock forever (Curator's
 * CreateBuilder.withProtection).
 */
export async function protectedCreate(
  client: ZkClient,
  options: CallOptions & { parent: string; name: string; data?: Uint8Array | string; mode: number },
): Promise<ProtectedNode> {
  const guidPrefix = `${protectedPrefix}${randomUUID()}-`;
  const signalOption = options.signal === undefined ? {} : { signal: options.signal };
  for (;;) {
    try {
      const created = await client.create2(`${options.parent}/${guidPrefix}${options.name}`, options.data ?? '', { mode: options.mode, ...signalOption });
      return { path: created.path, name: created.path.slice(options.parent.length + 1), stat: created.stat, guidPrefix };
    } catch (error) {
      if (isZkError(error, ZkCode.NONODE)) {
        await ensurePath(client, options.parent, signalOption);
        continue;
      }
      if (!isZkError(error, ZkCode.CONNECTIONLOSS)) {
        // Aborted after sending: the create may still be applied. The search
        // is ordered after it (per-session FIFO), so it finds and removes it.
        if (!(error instanceof ZkError)) await removeProtected(client, options.parent, guidPrefix);
        throw error;
      }
    }
    const found = await retryOnLoss(client, () => findProtected(client, options.parent, guidPrefix), signalOption);
    if (found !== null) return found;
  }
}

async function removeProtected(client: ZkClient, parent: string, guidPrefix: string): Promise<void> {
  const found = await retryOnLoss(client, () => findProtected(client, parent, guidPrefix)).catch(() => null);
  if (found !== null) await deleteQuietly(client, found.path);
}

async function findProtected(client: ZkClient, parent: string, guidPrefix: string): Promise<ProtectedNode | null> {
  const children = await client.getChildren(parent);
  const name = children.find((child) => child.startsWith(guidPrefix));
  if (name === undefined) return null;
  const stat = await client.exists(`${parent}/${name}`);
  return stat === null ? null : { path: `${parent}/${name}`, name, stat, guidPrefix };
}

/** The sequence number ZooKeeper appended to a sequential node's name, or -1. */
export function sequenceOf(name: string): number {
  const tail = name.slice(-sequenceDigits);
  return /^\d+$/.test(tail) ? Number(tail) : -1;
}

/** The name without the protected guid prefix (`_c_<guid>-lock-0000000001` → `lock-0000000001`). */
export function unprotectedName(name: string): string {
  if (!name.startsWith(protectedPrefix)) return name;
  // The guid is 36 characters, followed by '-'.
  return name.slice(protectedPrefix.length + 37);
}

/** Sorts sequential node names by their sequence number. */
export function sortBySequence(names: readonly string[]): string[] {
  return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A one-shot wake-up: `watcher` to pass to a read, `wait` resolving when it
 * fires or the connection comes back (state may have changed unseen), and
 * rejecting on expiry, close or abort. `dispose` removes the listeners.
 */
export function wakeUp(client: ZkClient, signal?: AbortSignal): { watcher: Watcher; wait: Promise<WatchEvent | null>; dispose: () => void } {
  let resolve!: (event: WatchEvent | null) => void;
  let reject!: (error: Error) => void;
  const wait = new Promise<WatchEvent | null>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The caller may be awaiting something else when the session ends or the
  // signal aborts; that call fails on its own, so this rejection is not unhandled.
  wait.catch(() => undefined);
  const onState = (state: ConnectionState): void => {
    if (state === 'expired') finish(() => reject(new ZkError(ZkCode.SESSIONEXPIRED)));
    else if (state === 'closed') finish(() => reject(new ZkError(ZkCode.CONNECTIONLOSS, { message: 'client closed' })));
    else if (state === 'connected') finish(() => resolve(null));
  };
  const onAbort = (): void => finish(() => reject(abortReason(signal!)));
  let done = false;
  const dispose = (): void => {
    done = true;
    client.off('state', onState);
    signal?.removeEventListener('abort', onAbort);
  };
  const finish = (settle: () => void): void => {
    if (done) return;
    dispose();
    settle();
  };
  client.on('state', onState);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted === true) onAbort();
  return { watcher: (event) => finish(() => resolve(event)), wait, dispose };
}

/** Resolves once `path` does not exist (checked with an exists watch; re-checked after a reconnect). */
export async function waitForDeletion(client: ZkClient, path: string, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const wake = wakeUp(client, signal);
    let stat: Stat | null;
    try {
      stat = await client.exists(path, { watch: wake.watcher, ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      wake.dispose();
      if (!isZkError(error, ZkCode.CONNECTIONLOSS)) throw error;
      await client.waitConnected(signal === undefined ? {} : { signal });
      continue;
    }
    if (stat === null) {
      wake.dispose();
      return;
    }
    await wake.wait;
  }
}

/**
 * Deletes nodes of `dir` that carry `node`'s guid but are not `node`: a
 * create retried after connection loss can, in a rare race, be applied twice
 * (the first attempt reaching the server after the search). Such a stray
 * would sit in a lock queue forever, blocking whoever waits behind it.
 */
export async function deleteStrays(client: ZkClient, dir: string, node: ProtectedNode, children?: readonly string[]): Promise<void> {
  const names = children ?? (await retryOnLoss(client, () => client.getChildren(dir)));
  for (const name of names) {
    if (name !== node.name && name.startsWith(node.guidPrefix)) await deleteQuietly(client, `${dir}/${name}`);
  }
}

/** Deletes `path`, treating NONODE as done and retrying after connection loss (delete is idempotent here). */
export async function deleteQuietly(client: ZkClient, path: string): Promise<void> {
  await retryOnLoss(client, () => client.delete(path).catch((error: unknown) => {
    if (!isZkError(error, ZkCode.NONODE)) throw error;
  })).catch((error: unknown) => {
    // An expired or closed session has already removed its ephemerals.
    if (!isZkError(error, ZkCode.SESSIONEXPIRED) && !(error instanceof Error && error.name === 'ClientClosedError')) throw error;
  });
}

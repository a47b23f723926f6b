/**
 * Errors of the client. Server answers become ZkError with ZooKeeper's code
 * (from @corral/base), so callers switch on `error.code` exactly as with the
 * Java client: CONNECTIONLOSS when the connection dropped before the answer
 * arrived (the operation may or may not have happened), SESSIONEXPIRED once
 * the session is gone. Lifecycle errors have their own classes.
 */
import { ZkCode, ZkError } from '@corral/base';

/** The client was closed: the call was never sent, or its answer can no longer arrive. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  constructor() {
    super('client closed');
  }
}

/** A client-side queue is full (see limits.ts); the call was not sent. */
export class ClientLimitError extends Error {
  override readonly name = 'ClientLimitError';
}

/** The connection dropped while the call was in flight: it may or may not have been applied. */
export function connectionLoss(path?: string): ZkError {
  return new ZkError(ZkCode.CONNECTIONLOSS, path === undefined ? {} : { path });
}

/** The session expired: ephemerals and watches of the session are gone. */
export function sessionExpired(path?: string): ZkError {
  return new ZkError(ZkCode.SESSIONEXPIRED, path === undefined ? {} : { path });
}

/** True when `error` is a ZkError with one of `codes`. */
export function isZkError(error: unknown, ...codes: ZkCode[]): error is ZkError {
  return error instanceof ZkError && (codes.length === 0 || codes.includes(error.code));
}

/** The rejection for an aborted signal: its reason (a DOMException AbortError unless the caller gave one). */
export function abortReason(signal: AbortSignal): Error {
  // The reason is whatever abort() was given; callers pass errors (and the default is a DOMException, an Error).
  return (signal.reason ?? new DOMException('aborted', 'AbortError')) as Error;
}

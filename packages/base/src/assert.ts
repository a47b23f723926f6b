/**
 * Invariant checks that stay on in production (STYLE §5). A failed assertion
 * means the process's own state is wrong, never that a peer sent bad bytes:
 * bad input raises a ProtocolError or returns a ZkCode instead.
 */

/** Thrown when an invariant of Corral's own state does not hold. Never caught. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/**
 * Throws AssertionError unless `condition` holds. One condition per call.
 * On hot paths pass the message as a function: a template literal would be
 * built (bigints stringified and all) on every call, not just on failure.
 */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionError(typeof message === 'string' ? message : message());
}

/** Marks a switch arm that the type system proves unreachable. */
export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionError(`${message}: ${String(value)}`);
}

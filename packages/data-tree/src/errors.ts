/**
 * Typed errors for bytes that do not decode: a corrupt txn or snapshot is
 * bad input, not a broken invariant, so it is a ZkError (MARSHALLINGERROR)
 * rather than an AssertionError or a stray RangeError. (Its `name` stays
 * 'ZkError': base types it as that literal; test with instanceof.)
 */
import { ZkCode, ZkError } from '@corral/base';

/** Encoded txn or snapshot bytes are corrupt, truncated or over a limit. */
export class CorruptDataError extends ZkError {
  constructor(message: string, cause?: unknown) {
    super(ZkCode.MARSHALLINGERROR, { message, cause });
  }
}

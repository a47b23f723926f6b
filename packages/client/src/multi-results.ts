/**
 * Results of multi and multiRead as the client hands them out. A failed
 * multi is answered with an ErrorResult per op — OK before the failing op,
 * its code at it, RUNTIMEINCONSISTENCY after (PrepRequestProcessor) — so the
 * client throws MultiError carrying the failing op's code and every result.
 */
import { ZkCode, ZkError, isZkCode } from '@corral/base';
import { OpCode, type MultiResult, type Stat } from '@corral/wire';

/** One op's outcome in a successful multi. */
export type OpResult =
  | { type: 'create'; path: string; stat: Stat | null }
  | { type: 'delete' }
  | { type: 'setData'; stat: Stat }
  | { type: 'check' };

/** One read's outcome in multiRead: a value or the op's error. */
export type MultiReadResult =
  | { type: 'getData'; data: Uint8Array; stat: Stat }
  | { type: 'getChildren'; children: string[] }
  | { type: 'error'; error: ZkError };

/** A multi failed: nothing was applied. `code` is the failing op's; `results` has every op's code. */
export class MultiError extends ZkError {
  override readonly name = 'MultiError';
  /** Index of the op that failed. */
  readonly failedIndex: number;
  /** Every op's code (OK before the failing op, RUNTIMEINCONSISTENCY after). */
  readonly codes: readonly number[];

  constructor(code: ZkCode, failedIndex: number, codes: readonly number[]) {
    super(code, { message: `multi failed at op ${failedIndex}: ${new ZkError(code).message}` });
    this.failedIndex = failedIndex;
    this.codes = codes;
  }
}

/** Turns multi results into OpResults, or throws MultiError. */
export function decodeMultiResults(results: readonly MultiResult[], clientPath: (path: string) => string): OpResult[] {
  const codes = results.map((result) => (result.type === OpCode.error ? result.err : 0));
  const failedIndex = codes.findIndex((code) => code !== 0 && code !== ZkCode.RUNTIMEINCONSISTENCY);
  if (failedIndex >= 0 || codes.some((code) => code !== 0)) {
    const index = failedIndex >= 0 ? failedIndex : codes.findIndex((code) => code !== 0);
    const code = codes[index]!;
    throw new MultiError(isZkCode(code) ? code : ZkCode.SYSTEMERROR, index, codes);
  }
  return results.map((result): OpResult => {
    switch (result.type) {
      case OpCode.create:
        return { type: 'create', path: clientPath(result.path), stat: null };
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return { type: 'create', path: clientPath(result.path), stat: result.stat };
      case OpCode.setData:
        return { type: 'setData', stat: result.stat };
      case OpCode.delete:
        return { type: 'delete' };
      default:
        return { type: 'check' };
    }
  });
}

/** Turns multiRead results into values and per-op errors. */
export function decodeMultiRead(results: readonly MultiResult[]): MultiReadResult[] {
  return results.map((result): MultiReadResult => {
    if (result.type === OpCode.getData) return { type: 'getData', data: result.data ?? new Uint8Array(0), stat: result.stat };
    if (result.type === OpCode.getChildren) return { type: 'getChildren', children: [...result.children] };
    const code = result.type === OpCode.error && isZkCode(result.err) ? result.err : ZkCode.SYSTEMERROR;
    return { type: 'error', error: new ZkError(code) };
  });
}

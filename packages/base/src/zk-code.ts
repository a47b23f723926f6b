/**
 * ZooKeeper's error codes, equal to `KeeperException.Code` so that clients
 * of the binary protocol, which switch on the number, see what Apache
 * ZooKeeper would send.
 */
export const ZkCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;

/** One of ZooKeeper's numeric error codes. */
export type ZkCode = (typeof ZkCode)[keyof typeof ZkCode];

const codeNames = new Map<number, string>(Object.entries(ZkCode).map(([name, value]) => [value, name]));

/** The KeeperException.Code name of a code ("NONODE"), or "UNKNOWN(n)". */
export function zkCodeName(code: number): string {
  return codeNames.get(code) ?? `UNKNOWN(${code})`;
}

/** True when `code` is one of the codes ZooKeeper defines. */
export function isZkCode(code: number): code is ZkCode {
  return codeNames.has(code);
}

/** An operation failed with a ZooKeeper error code. */
export class ZkError extends Error {
  override readonly name: string = 'ZkError';
  readonly code: ZkCode;
  readonly path: string | undefined;

  constructor(code: ZkCode, options: { path?: string; message?: string; cause?: unknown } = {}) {
    super(options.message ?? `${zkCodeName(code)}${options.path === undefined ? '' : ` for ${options.path}`}`, {
      cause: options.cause,
    });
    this.code = code;
    this.path = options.path;
  }
}

/**
 * The one table from ZooKeeper codes to gRPC status codes (docs/errors.md),
 * shared by the server's gRPC front end and the client's gRPC transport.
 * gRPC status numbers are spelled out here so the leaf package needs no
 * gRPC import; they are the stable values of grpc's `status` enum.
 */
import { ZkCode } from './zk-code.js';

/** gRPC status codes (the values of grpc-js's `status`). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** One gRPC status code. */
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

const byZkCode = new Map<number, GrpcStatus>([
  [ZkCode.OK, GrpcStatus.OK],
  [ZkCode.SYSTEMERROR, GrpcStatus.INTERNAL],
  [ZkCode.RUNTIMEINCONSISTENCY, GrpcStatus.ABORTED],
  [ZkCode.DATAINCONSISTENCY, GrpcStatus.INTERNAL],
  [ZkCode.CONNECTIONLOSS, GrpcStatus.UNAVAILABLE],
  [ZkCode.MARSHALLINGERROR, GrpcStatus.INVALID_ARGUMENT],
  [ZkCode.UNIMPLEMENTED, GrpcStatus.UNIMPLEMENTED],
  [ZkCode.OPERATIONTIMEOUT, GrpcStatus.DEADLINE_EXCEEDED],
  [ZkCode.BADARGUMENTS, GrpcStatus.INVALID_ARGUMENT],
  [ZkCode.UNKNOWNSESSION, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.NEWCONFIGNOQUORUM, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.RECONFIGINPROGRESS, GrpcStatus.ABORTED],
  [ZkCode.APIERROR, GrpcStatus.UNKNOWN],
  [ZkCode.NONODE, GrpcStatus.NOT_FOUND],
  [ZkCode.NOAUTH, GrpcStatus.PERMISSION_DENIED],
  [ZkCode.BADVERSION, GrpcStatus.ABORTED],
  [ZkCode.NOCHILDRENFOREPHEMERALS, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.NODEEXISTS, GrpcStatus.ALREADY_EXISTS],
  [ZkCode.NOTEMPTY, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.SESSIONEXPIRED, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.INVALIDCALLBACK, GrpcStatus.INVALID_ARGUMENT],
  [ZkCode.INVALIDACL, GrpcStatus.INVALID_ARGUMENT],
  [ZkCode.AUTHFAILED, GrpcStatus.UNAUTHENTICATED],
  [ZkCode.SESSIONMOVED, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.NOTREADONLY, GrpcStatus.UNAVAILABLE],
  [ZkCode.EPHEMERALONLOCALSESSION, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.NOWATCHER, GrpcStatus.NOT_FOUND],
  [ZkCode.REQUESTTIMEOUT, GrpcStatus.DEADLINE_EXCEEDED],
  [ZkCode.RECONFIGDISABLED, GrpcStatus.FAILED_PRECONDITION],
  [ZkCode.SESSIONCLOSEDREQUIRESASLAUTH, GrpcStatus.UNAUTHENTICATED],
  [ZkCode.QUOTAEXCEEDED, GrpcStatus.RESOURCE_EXHAUSTED],
  [ZkCode.THROTTLEDOP, GrpcStatus.RESOURCE_EXHAUSTED],
]);

/** The gRPC status for a ZooKeeper code (UNKNOWN for a code outside the table). */
export function grpcStatusOf(code: number): GrpcStatus {
  return byZkCode.get(code) ?? GrpcStatus.UNKNOWN;
}

/** The ZooKeeper code a client raises for a gRPC status that carries no ZooKeeper detail. */
export function zkCodeOfGrpcStatus(status: number): ZkCode {
  switch (status) {
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.CANCELLED:
      return ZkCode.CONNECTIONLOSS;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return ZkCode.OPERATIONTIMEOUT;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return ZkCode.THROTTLEDOP;
    case GrpcStatus.UNIMPLEMENTED:
      return ZkCode.UNIMPLEMENTED;
    case GrpcStatus.INVALID_ARGUMENT:
      return ZkCode.BADARGUMENTS;
    default:
      return ZkCode.SYSTEMERROR;
  }
}

/**
 * Failed gRPC calls carry ZooKeeper's code: the status code from the one
 * table in @corral/base (docs/errors.md), plus trailers any client can read —
 * `corral-zk-code` / `corral-zk-name` as text and `corral-error-bin`, a
 * serialized corral.v1.ErrorDetail for typed clients.
 */
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { GrpcStatus, ZkCode, ZkError, grpcStatusOf, zkCodeName } from '@corral/base';

/** A gRPC error for a ZooKeeper code. */
export function zkStatusError(code: number, options: { path?: string; message?: string; opIndex?: number } = {}): Partial<ServiceError> {
  const name = zkCodeName(code);
  const metadata = new Metadata();
  metadata.set('corral-zk-code', String(code));
  metadata.set('corral-zk-name', name);
  metadata.set('corral-error-bin', encodeErrorDetail({ code, name, path: options.path ?? '', opIndex: options.opIndex ?? -1 }));
  const where = options.path === undefined || options.path === '' ? '' : `: ${options.path}`;
  return { code: grpcStatusOf(code), details: options.message ?? `${name}${where}`, metadata };
}

/** A limit was hit: RESOURCE_EXHAUSTED (STYLE §6), with THROTTLEDOP as the ZooKeeper code. */
export function exhaustedError(message: string): Partial<ServiceError> {
  const error = zkStatusError(ZkCode.THROTTLEDOP, { message });
  return { ...error, code: GrpcStatus.RESOURCE_EXHAUSTED };
}

/** Maps anything thrown while handling a call to a status (ZkError keeps its code). */
export function statusOfThrown(error: unknown): Partial<ServiceError> {
  if (error instanceof ZkError) return zkStatusError(error.code, { message: error.message, ...(error.path === undefined ? {} : { path: error.path }) });
  throw error;
}

/** corral.v1.ErrorDetail in protobuf's binary encoding (four scalar fields; no codec needed). */
export function encodeErrorDetail(detail: { code: number; name: string; path: string; opIndex: number }): Buffer {
  const bytes: number[] = [];
  const varint = (value: bigint): void => {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
  };
  const string = (field: number, value: string): void => {
    if (value === '') return;
    const encoded = Buffer.from(value, 'utf8');
    bytes.push((field << 3) | 2);
    varint(BigInt(encoded.length));
    bytes.push(...encoded);
  };
  // field 1, sint32 zk_code: zigzag varint.
  if (detail.code !== 0) {
    bytes.push(1 << 3);
    varint(BigInt((detail.code << 1) ^ (detail.code >> 31)) & 0xffffffffn);
  }
  string(2, detail.name);
  string(3, detail.path);
  // field 4, int32 op_index: negative values are sign-extended to 64 bits.
  if (detail.opIndex !== 0) {
    bytes.push(4 << 3);
    varint(BigInt(detail.opIndex));
  }
  return Buffer.from(bytes);
}

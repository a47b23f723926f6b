/**
 * An AbortSignal for a gRPC call: aborted when the client cancels or the
 * deadline passes, so a waiting lock or campaign gives up and cleans up.
 */
import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { ZkCode, ZkError } from '@corral/base';

/** The call's signal and a dispose() that removes its listeners and timer. */
export function callSignal(call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(new ZkError(ZkCode.CONNECTIONLOSS, { message: 'call cancelled by the client' }));
  call.on('cancelled', onCancel);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  let timer: NodeJS.Timeout | null = null;
  if (Number.isFinite(deadlineMs)) {
    // One timer per waiting call (not per request): waiting calls are bounded by recipeWaitersMax.
    timer = setTimeout(() => controller.abort(new ZkError(ZkCode.OPERATIONTIMEOUT, { message: 'deadline exceeded' })), Math.max(0, deadlineMs - Date.now()));
    timer.unref();
  }
  return {
    signal: controller.signal,
    dispose: () => {
      call.removeListener('cancelled', onCancel);
      if (timer !== null) clearTimeout(timer);
    },
  };
}

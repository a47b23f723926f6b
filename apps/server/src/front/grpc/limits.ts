/** Limits of the gRPC front end (STYLE §6); beyond them a call gets RESOURCE_EXHAUSTED. */

/** Session streams open at once on one server. */
export const sessionStreamsMax = 10_000;
/** Requests of one session stream not yet answered (as the jute port's per-connection bound). */
export const streamOutstandingRequestsMax = 1_000;
/** Unary calls in flight on one server. */
export const unaryCallsInFlightMax = 10_000;
/** Lock acquisitions and campaigns waiting at once on one server. */
export const recipeWaitersMax = 10_000;
/**
 * Tries of one recipe's queue entry whose directory the container check
 * deleted under it (NONODE): each try re-creates the directory first.
 */
export const queueEntryAttemptsMax = 8;
/** Observe streams open at once on one server. */
export const observersMax = 10_000;
/** Largest call id a session stream may use (ids travel as positive int32 xids). */
export const callIdMax = 0x7fff_ffff;
/** Messages queued to one session stream that its client has not read yet. */
export const streamOutboundMessagesMax = 10_000;
/** Calls in one CallBatch (a batch may not exceed what one stream may have in flight). */
export const callBatchCallsMax = streamOutstandingRequestsMax;
/** Bytes of responses packed into one ResponseBatch (a larger response goes alone). */
export const responseBatchBytesMax = 256 * 1024;

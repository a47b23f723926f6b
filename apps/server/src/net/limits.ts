/** Limits of the client port (STYLE §6). */

/** Requests a connection may have in flight before its reads pause (resumed below half). */
export const outstandingRequestsPerConnectionMax = 1000;
/**
 * Bytes a connection may owe its client (encoded and not yet taken by the
 * kernel, plus the estimated size of replies not built yet) before decoding
 * from it stops; it resumes at or below half.
 */
export const outboundBytesPauseThreshold = 4 * 1024 * 1024;
/**
 * Bytes a connection may never owe: a request whose reply would pass it is
 * refused by closing the connection before the reply is built, and a client
 * that lets watch events pile up this far is dropped.
 */
export const outboundBytesPerConnectionMax = 64 * 1024 * 1024;
/** Open connections in total. */
export const connectionsMax = 60_000;
/**
 * Identities one connection may add with `auth` (Apache: no limit). Each
 * is copied into every "auth" ACL entry the session writes, so they bound
 * how far a request's ACLs can grow past the request.
 */
export const authIdsPerSessionMax = 32;

/** Limits of the client port (STYLE §6). */

/** Requests a connection may have unanswered before its reads pause (ZooKeeper's globalOutstandingLimit is 1000 server-wide). */
export const outstandingRequestsPerConnectionMax = 1000;
/** Bytes queued for a slow reader before reads from it pause. */
export const outboundBytesPauseThreshold = 4 * 1024 * 1024;
/** Bytes queued for a reader that does not read at all before it is dropped. */
export const outboundBytesPerConnectionMax = 64 * 1024 * 1024;
/** Frames a client may send before its session is established. */
export const framesBeforeSessionMax = 1000;
/** Open connections in total. */
export const connectionsMax = 60_000;
/**
 * Identities one connection may add with `auth` (Apache: no limit). Each
 * is copied into every "auth" ACL entry the session writes, so they bound
 * how far a request's ACLs can grow past the request.
 */
export const authIdsPerSessionMax = 32;

/**
 * Apache ZooKeeper's election connections (QuorumCnxManager) begin with an
 * initial message: protocol version (int64, -65536 or -65535), the dialer's
 * sid (int64), a length (int32) and the dialer's own election address(es) as
 * `host:port[|host:port]`. When a lower sid dials a higher one, the higher
 * closes that connection and dials back *to the advertised address*, which
 * would bypass the link proxies. The proxy in front of the higher sid
 * rewrites the advertised address to the proxy the higher sid uses to reach
 * the dialer, so every election byte still crosses a proxy a test controls.
 * (Corral's peers speak gRPC and never dial back: nothing to rewrite.)
 */

/** Apache's limit on the advertised address (QuorumCnxManager's maxBuffer is larger; one address is short). */
const addressBytesMax = 4096;
const protocolVersions: readonly bigint[] = [-65536n, -65535n];
const headerBytes = 8 + 8 + 4;

/** The outcome of looking at the first bytes of a connection. */
export type HandshakeRewrite =
  | { readonly kind: 'incomplete' }
  /** Not an initial message of a known version: forward untouched. */
  | { readonly kind: 'pass' }
  /** Forward `bytes` instead of the first `consumed` bytes received. */
  | { readonly kind: 'rewritten'; readonly consumed: number; readonly bytes: Buffer };

/** Rewrites the advertised election address in `head` (the bytes received so far) to `advertised`. */
export function rewriteInitialMessage(head: Buffer, advertised: string): HandshakeRewrite {
  if (head.length < 8) return { kind: 'incomplete' };
  if (!protocolVersions.includes(head.readBigInt64BE(0))) return { kind: 'pass' };
  if (head.length < headerBytes) return { kind: 'incomplete' };
  const length = head.readInt32BE(16);
  if (length <= 0 || length > addressBytesMax) return { kind: 'pass' };
  if (head.length < headerBytes + length) return { kind: 'incomplete' };
  const address = Buffer.from(advertised, 'utf8');
  const bytes = Buffer.alloc(headerBytes + address.length);
  head.copy(bytes, 0, 0, 16);
  bytes.writeInt32BE(address.length, 16);
  address.copy(bytes, headerBytes);
  return { kind: 'rewritten', consumed: headerBytes + length, bytes };
}

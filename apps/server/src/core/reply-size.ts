/**
 * How many bytes a read's reply will take once encoded, estimated from the
 * applied tree before the reply is built. The connection counts this against
 * its output limit before it lets the read run, so one request cannot make
 * the server allocate more than the limit (a multiRead of 150 reads of a
 * 1 MB node is counted as 150 MB, not as the 3 KB of its request). It is an
 * estimate: the tree may change before a queued read runs, and names are
 * counted in UTF-16 units; the encoded size is counted exactly once the
 * reply exists.
 */
import type { DataTree } from '@corral/data-tree';
import { OpCode, statBytes, type ClientRequest } from '@corral/wire';

/** Frame length, ReplyHeader (xid, zxid, err) and a little slack for small bodies. */
const replyOverheadBytes = 4 + 16 + 16;
/** MultiHeader (type, done, err) in front of each multiRead result, plus an error body. */
const multiResultOverheadBytes = 9 + 4;

/** Whose read it is: getEphemerals lists the caller's own. */
export interface ReplySizeContext {
  readonly tree: DataTree;
  readonly sessionId: bigint;
}

/** Estimated encoded size of the reply to `request`, in bytes. */
export function estimateReplyBytes(context: ReplySizeContext, request: ClientRequest): number {
  return replyOverheadBytes + bodyBytes(context, request);
}

function bodyBytes(context: ReplySizeContext, request: ClientRequest): number {
  const { tree } = context;
  switch (request.type) {
    case OpCode.getData: {
      const node = tree.getNode(request.path);
      return node === undefined ? 0 : 4 + node.dataLength + statBytes;
    }
    case OpCode.getChildren:
    case OpCode.getChildren2: {
      const node = tree.getNode(request.path);
      if (node === undefined) return 0;
      let bytes = 4 + statBytes;
      for (const name of node.childNames()) bytes += 4 + name.length;
      return bytes;
    }
    case OpCode.getACL: {
      const node = tree.getNode(request.path);
      if (node === undefined) return 0;
      let bytes = 4 + statBytes;
      for (const entry of node.acl) bytes += 12 + entry.id.scheme.length + entry.id.id.length;
      return bytes;
    }
    case OpCode.getEphemerals: {
      let bytes = 4;
      for (const path of tree.ephemerals(context.sessionId)) bytes += 4 + path.length;
      return bytes;
    }
    case OpCode.multiRead: {
      let bytes = multiResultOverheadBytes;
      for (const op of request.ops) bytes += multiResultOverheadBytes + bodyBytes(context, op);
      return bytes;
    }
    case OpCode.sync:
      return 4 + request.path.length;
    default:
      return statBytes;
  }
}

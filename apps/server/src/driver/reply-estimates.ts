/**
 * The estimated size of every reply a connection is owed and that has not
 * been built yet, counted in its `ReplyBacklog.replyBytes` from the moment
 * the request is submitted until its reply is written (hardening item 6).
 * The connection stops decoding while what it holds plus what it is owed
 * passes its threshold, so 400 pipelined getData of a 1 MB node from a
 * client that never reads stop after a few: without this, all of them are
 * decoded in one socket read and their replies built in the next turn.
 *
 * Keyed by connection (the Driver's origin number) and xid: replies of a
 * connection that shares sessions (gRPC unary calls) do not come in submit
 * order. A client that reuses an xid while the first is owed gets both
 * counted under it and both released by the first reply (an under-count,
 * never a leak).
 */
import { assert } from '@corral/base';
import type { ReplyBacklog } from '../session/session.js';

/** Owed reply estimates, per connection. */
export class ReplyEstimates {
  private readonly byOrigin = new Map<number, Map<number, number>>();

  /** A request of connection `origin` whose reply will take about `bytes`. */
  owe(origin: number, xid: number, bytes: number, backlog: ReplyBacklog): void {
    assert(bytes >= 0, 'a reply takes no negative bytes');
    let owed = this.byOrigin.get(origin);
    if (owed === undefined) {
      owed = new Map();
      this.byOrigin.set(origin, owed);
    }
    owed.set(xid, (owed.get(xid) ?? 0) + bytes);
    backlog.replyBytes += bytes;
  }

  /** The reply to `xid` is built (or will never be): its estimate no longer counts. */
  settle(origin: number, xid: number, backlog: ReplyBacklog): void {
    const owed = this.byOrigin.get(origin);
    const bytes = owed?.get(xid);
    if (owed === undefined || bytes === undefined) return;
    owed.delete(xid);
    backlog.replyBytes = Math.max(0, backlog.replyBytes - bytes);
  }

  /** Connection `origin` is gone: nothing is owed to it any more. */
  forget(origin: number): void {
    this.byOrigin.delete(origin);
  }
}

/**
 * What a leader sends every follower alike is converted and encoded once.
 * In broadcast a Ready gives each forwarding learner the same PROPOSALs (one
 * object) and COMMITs (one per learner, same zxid), one after the other, so
 * the streams' batches of a turn are usually the same messages: the first
 * stream's LeaderBatch bytes are written to the others as they are (grpc-js
 * writes a Buffer through `leaderMessageSerialize`'s pass-through). Encoding
 * was about a tenth of the leader's CPU under writes, once per follower.
 */
import type { PeerMsg } from '@corral/broadcast';
import { batchWire, type BroadcastWire } from './batch-codec.js';
import { leaderMsgToWire, type LeaderPeerMsg } from './broadcast-codec.js';
import type { WireLeaderMessage } from './peer-proto.js';

/** Encoded groups remembered within one turn: a batch per learner stream of a few streams' flushes. */
export const sharedGroupsMax = 8;

/** The leader's messages as wire objects, the previous one reused for the next learner. */
export class LeaderWireMemo {
  private lastMsg: PeerMsg | null = null;
  private lastWires: WireLeaderMessage[] = [];

  constructor(private readonly snapChunkBytesMax: number) {}

  toWire(msg: LeaderPeerMsg): WireLeaderMessage[] {
    const last = this.lastMsg;
    if (last === msg || (last !== null && msg.type === 'COMMIT' && last.type === 'COMMIT' && last.zxid === msg.zxid)) return this.lastWires;
    // A SNAP's chunks are not kept: the next learner of a SNAP gets its own snapshot.
    const wires = leaderMsgToWire(msg, this.snapChunkBytesMax);
    this.lastMsg = msg.type === 'SNAP' ? null : msg;
    this.lastWires = msg.type === 'SNAP' ? [] : wires;
    return wires;
  }
}

/** Encodes a group of leader messages once per turn for all the streams that send the same group. */
export class SharedLeaderEncoder {
  private recent: { readonly group: readonly BroadcastWire[]; readonly bytes: Buffer }[] = [];
  private forgetQueued = false;

  constructor(private readonly serialize: (value: object) => Buffer) {}

  encode(group: readonly BroadcastWire[]): Buffer {
    for (const entry of this.recent) if (sameMessages(entry.group, group)) return entry.bytes;
    const bytes = this.serialize(batchWire(group));
    if (this.recent.length >= sharedGroupsMax) this.recent.shift();
    this.recent.push({ group, bytes });
    if (!this.forgetQueued) {
      // Queued behind the flushes of the streams this turn sent on, which run first.
      this.forgetQueued = true;
      queueMicrotask(() => {
        this.forgetQueued = false;
        this.recent = [];
      });
    }
    return bytes;
  }
}

/** The same wire objects in the same order (wires are never changed once made). */
function sameMessages(a: readonly BroadcastWire[], b: readonly BroadcastWire[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

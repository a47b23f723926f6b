/**
 * Broadcast codec: @corral/broadcast's `PeerMsg` ⇄ peer.proto's
 * LearnerMessage (learner → leader) and LeaderMessage (leader → learner).
 * A SNAP goes out as a Snap announcement and SnapChunks of at most
 * `snapChunkBytesMax`; `LeaderStreamDecoder` reassembles them under
 * `snapshotBytesMax`, checking the announced size before buffering, and
 * loads the tree from them as they arrive (snapshot-preload).
 */
import type { PeerMsg, Txn } from '@corral/broadcast';
import { PeerProtocolError } from './peer-errors.js';
import { SnapshotPreload, type SnapshotStagingFactory } from './snapshot-preload.js';
import type { WireLeaderMessage, WireLearnerInfo, WireLearnerMessage, WireTxn } from './peer-proto.js';
import { readBytes, readEpoch, readUint64, writeBytes, writeEpoch, writeUint64 } from './wire-values.js';

/** The peer protocol version this server speaks (FollowerInfo/LeaderInfo.protocol_version). */
export const peerProtocolVersion = 1;

/** The messages a learner sends. */
export type LearnerPeerMsg = Extract<PeerMsg, { type: 'FOLLOWERINFO' | 'OBSERVERINFO' | 'ACKEPOCH' | 'ACK' | 'PING' | 'REQUEST' | 'REVALIDATE' }>;

/** The messages a leader sends. */
export type LeaderPeerMsg = Extract<
  PeerMsg,
  { type: 'LEADERINFO' | 'DIFF' | 'TRUNC' | 'SNAP' | 'PROPOSAL' | 'COMMIT' | 'INFORM' | 'NEWLEADER' | 'UPTODATE' | 'PING' | 'REVALIDATE' }
>;

const learnerTypes: ReadonlySet<string> = new Set(['FOLLOWERINFO', 'OBSERVERINFO', 'ACKEPOCH', 'ACK', 'PING', 'REQUEST', 'REVALIDATE']);
const leaderTypes: ReadonlySet<string> = new Set(['LEADERINFO', 'DIFF', 'TRUNC', 'SNAP', 'PROPOSAL', 'COMMIT', 'INFORM', 'NEWLEADER', 'UPTODATE', 'PING', 'REVALIDATE']);

/** True for a message a learner may send to its leader. */
export function isLearnerMsg(msg: PeerMsg): msg is LearnerPeerMsg {
  return learnerTypes.has(msg.type);
}

/** True for a message a leader may send to a learner. */
export function isLeaderMsg(msg: PeerMsg): msg is LeaderPeerMsg {
  return leaderTypes.has(msg.type);
}

function txnToWire(txn: Txn): WireTxn {
  return { zxid: writeUint64(txn.zxid, 'txn.zxid'), data: writeBytes(txn.bytes) };
}

function txnFromWire(w: WireTxn | null | undefined): Txn {
  if (w === null || w === undefined) throw new PeerProtocolError('missing-field', 'txn is empty');
  return { zxid: readUint64(w.zxid, 'txn.zxid'), bytes: readBytes(w.data) };
}

function learnerInfoToWire(acceptedEpoch: number): WireLearnerInfo {
  return { acceptedEpoch: writeEpoch(acceptedEpoch, 'acceptedEpoch'), protocolVersion: peerProtocolVersion, configVersion: '0', acceptsBatches: true };
}

function checkVersion(version: number | undefined): void {
  if (version !== peerProtocolVersion) throw new PeerProtocolError('unexpected-message', `peer protocol version ${String(version)}, this server speaks ${peerProtocolVersion}`);
}

/** Encodes a learner's message. */
export function learnerMsgToWire(msg: LearnerPeerMsg): WireLearnerMessage {
  switch (msg.type) {
    case 'FOLLOWERINFO': return { msg: 'followerInfo', followerInfo: learnerInfoToWire(msg.acceptedEpoch) };
    case 'OBSERVERINFO': return { msg: 'observerInfo', observerInfo: learnerInfoToWire(msg.acceptedEpoch) };
    case 'ACKEPOCH':
      return {
        msg: 'ackEpoch',
        ackEpoch: {
          currentEpoch: writeEpoch(msg.currentEpoch, 'currentEpoch'),
          lastZxid: writeUint64(msg.lastZxid, 'lastZxid'),
          committedZxid: writeUint64(msg.committedZxid, 'committedZxid'),
        },
      };
    case 'ACK': return { msg: 'ack', ack: { zxid: writeUint64(msg.zxid, 'zxid') } };
    case 'PING': return { msg: 'ping', ping: { sessionData: Buffer.alloc(0), round: readRoundForWire(msg.round) } };
    case 'REQUEST': return { msg: 'request', request: { data: writeBytes(msg.payload) } };
    case 'REVALIDATE': return { msg: 'revalidate', revalidate: { data: writeBytes(msg.payload) } };
  }
}

/** Decodes a learner's message on the leader's side. */
export function learnerMsgFromWire(w: WireLearnerMessage): LearnerPeerMsg {
  switch (w.msg) {
    case 'followerInfo':
    case 'observerInfo': {
      const info = w.msg === 'followerInfo' ? w.followerInfo : w.observerInfo;
      if (info === null || info === undefined) throw new PeerProtocolError('missing-field', `${w.msg} is empty`);
      checkVersion(info.protocolVersion);
      return { type: w.msg === 'followerInfo' ? 'FOLLOWERINFO' : 'OBSERVERINFO', acceptedEpoch: readEpoch(info.acceptedEpoch, 'acceptedEpoch') };
    }
    case 'ackEpoch':
      return {
        type: 'ACKEPOCH',
        currentEpoch: readEpoch(w.ackEpoch?.currentEpoch, 'currentEpoch'),
        lastZxid: readUint64(w.ackEpoch?.lastZxid, 'lastZxid'),
        committedZxid: readUint64(w.ackEpoch?.committedZxid, 'committedZxid'),
      };
    case 'ack': return { type: 'ACK', zxid: readUint64(w.ack?.zxid, 'zxid') };
    case 'ping': return pingFromWire(w.ping?.round);
    case 'request': return { type: 'REQUEST', payload: readBytes(w.request?.data) };
    case 'revalidate': return { type: 'REVALIDATE', payload: readBytes(w.revalidate?.data) };
    default: throw new PeerProtocolError('unexpected-message', `learner message ${String(w.msg)} after the handshake`);
  }
}

/**
 * Encodes a leader's message. A SNAP becomes one Snap and its chunks (at least one, the last
 * flagged); its `snapshot` must have been filled in by the Driver.
 */
export function leaderMsgToWire(msg: LeaderPeerMsg, snapChunkBytesMax: number): WireLeaderMessage[] {
  switch (msg.type) {
    case 'LEADERINFO': return [{ msg: 'leaderInfo', leaderInfo: { newEpoch: writeEpoch(msg.newEpoch, 'newEpoch'), protocolVersion: peerProtocolVersion, acceptsBatches: true, cumulativeAcks: true } }];
    case 'DIFF': return [{ msg: 'diff', diff: { zxid: writeUint64(msg.zxid, 'zxid') } }];
    case 'TRUNC': return [{ msg: 'trunc', trunc: { zxid: writeUint64(msg.zxid, 'zxid') } }];
    case 'SNAP': return snapToWire(msg.zxid, msg.snapshot, snapChunkBytesMax);
    case 'PROPOSAL': return [{ msg: 'proposal', proposal: { txn: txnToWire(msg.txn) } }];
    case 'COMMIT': return [{ msg: 'commit', commit: { zxid: writeUint64(msg.zxid, 'zxid') } }];
    case 'INFORM': return [{ msg: 'inform', inform: { txn: txnToWire(msg.txn) } }];
    case 'NEWLEADER': return [{ msg: 'newLeader', newLeader: { zxid: writeUint64(msg.zxid, 'zxid') } }];
    case 'UPTODATE': return [{ msg: 'upToDate', upToDate: {} }];
    case 'PING': return [{ msg: 'ping', ping: { sessionData: Buffer.alloc(0), round: readRoundForWire(msg.round) } }];
    case 'REVALIDATE': return [{ msg: 'revalidate', revalidate: { data: writeBytes(msg.payload) } }];
  }
}

function snapToWire(zxid: bigint, snapshot: Uint8Array | null, snapChunkBytesMax: number): WireLeaderMessage[] {
  if (snapshot === null) throw new PeerProtocolError('missing-field', 'SNAP without its snapshot (the Driver fills it in)');
  const out: WireLeaderMessage[] = [{ msg: 'snap', snap: { zxid: writeUint64(zxid, 'zxid'), sizeBytes: writeUint64(snapshot.byteLength, 'sizeBytes') } }];
  let offset = 0;
  do {
    const end = Math.min(offset + snapChunkBytesMax, snapshot.byteLength);
    out.push({ msg: 'snapChunk', snapChunk: { data: writeBytes(snapshot.subarray(offset, end)), last: end === snapshot.byteLength } });
    offset = end;
  } while (offset < snapshot.byteLength);
  return out;
}

/** Limits of one leader stream's decoder. */
export interface LeaderStreamDecoderLimits {
  readonly snapChunkBytesMax: number;
  readonly snapshotBytesMax: number;
}

/**
 * Decodes one leader stream in order. Stateful only for a snapshot in flight: between a Snap and
 * its last chunk nothing but chunks may arrive.
 */
export class LeaderStreamDecoder {
  private snap: { zxid: bigint; sizeBytes: number; receivedBytes: number; chunks: Uint8Array[]; preload: SnapshotPreload } | null = null;

  constructor(
    private readonly limits: LeaderStreamDecoderLimits,
    /** Where a SNAP's chunks are stored as they arrive; none by default. */
    private readonly staging: SnapshotStagingFactory = () => null,
  ) {}

  /** The stream ended: a snapshot in flight is dropped (its staged chunks too). */
  abandon(): void {
    this.snap?.preload.abandon();
    this.snap = null;
  }

  /** The decoded message, or null while a snapshot's chunks are still arriving. */
  decode(w: WireLeaderMessage): LeaderPeerMsg | null {
    if (this.snap !== null) return this.chunk(w);
    switch (w.msg) {
      case 'leaderInfo':
        checkVersion(w.leaderInfo?.protocolVersion);
        return { type: 'LEADERINFO', newEpoch: readEpoch(w.leaderInfo?.newEpoch, 'newEpoch') };
      case 'diff': return { type: 'DIFF', zxid: readUint64(w.diff?.zxid, 'zxid') };
      case 'trunc': return { type: 'TRUNC', zxid: readUint64(w.trunc?.zxid, 'zxid') };
      case 'snap': return this.startSnap(w.snap);
      case 'proposal': return { type: 'PROPOSAL', txn: txnFromWire(w.proposal?.txn) };
      case 'commit': return { type: 'COMMIT', zxid: readUint64(w.commit?.zxid, 'zxid') };
      case 'inform': return { type: 'INFORM', txn: txnFromWire(w.inform?.txn) };
      case 'newLeader': return { type: 'NEWLEADER', zxid: readUint64(w.newLeader?.zxid, 'zxid') };
      case 'upToDate': return { type: 'UPTODATE' };
      case 'ping': return pingFromWire(w.ping?.round);
      case 'revalidate': return { type: 'REVALIDATE', payload: readBytes(w.revalidate?.data) };
      default: throw new PeerProtocolError('unexpected-message', `leader message ${String(w.msg)} outside a snapshot`);
    }
  }

  private startSnap(snap: WireLeaderMessage['snap']): null {
    const zxid = readUint64(snap?.zxid, 'zxid');
    const sizeBytes = readUint64(snap?.sizeBytes, 'sizeBytes');
    if (sizeBytes > BigInt(this.limits.snapshotBytesMax)) {
      throw new PeerProtocolError('snapshot-size', `snapshot of ${sizeBytes} bytes above snapshotBytesMax ${this.limits.snapshotBytesMax}`);
    }
    this.snap = { zxid, sizeBytes: Number(sizeBytes), receivedBytes: 0, chunks: [], preload: new SnapshotPreload(this.staging(zxid)) };
    return null;
  }

  private chunk(w: WireLeaderMessage): LeaderPeerMsg | null {
    const snap = this.snap;
    if (snap === null || w.msg !== 'snapChunk' || w.snapChunk === null || w.snapChunk === undefined) {
      throw new PeerProtocolError('unexpected-message', `${String(w.msg)} inside a snapshot`);
    }
    const data = readBytes(w.snapChunk.data);
    if (data.byteLength > this.limits.snapChunkBytesMax) {
      throw new PeerProtocolError('too-large', `snapshot chunk of ${data.byteLength} bytes above snapChunkBytesMax ${this.limits.snapChunkBytesMax}`);
    }
    snap.receivedBytes += data.byteLength;
    if (snap.receivedBytes > snap.sizeBytes) throw new PeerProtocolError('snapshot-size', `snapshot chunks exceed the announced ${snap.sizeBytes} bytes`);
    snap.chunks.push(data);
    snap.preload.push(data);
    if (!w.snapChunk.last) return null;
    if (snap.receivedBytes !== snap.sizeBytes) {
      throw new PeerProtocolError('snapshot-size', `snapshot ended at ${snap.receivedBytes} of the announced ${snap.sizeBytes} bytes`);
    }
    this.snap = null;
    const snapshot = readBytes(Buffer.concat(snap.chunks, snap.sizeBytes));
    snap.preload.finish(snapshot);
    return { type: 'SNAP', zxid: snap.zxid, snapshot };
  }
}

/**
 * A PING's leadership round (Leader.confirmRound, for a linearizable sync).
 * Rounds start at 1, so the wire's 0 (proto3's default) means "no round".
 */
function readRoundForWire(round: number | undefined): number {
  if (round === undefined) return 0;
  if (!Number.isInteger(round) || round < 1 || round > 0xffff_ffff) throw new PeerProtocolError('out-of-range', `ping round ${round}`);
  return round;
}

function pingFromWire(round: number | undefined | null): { type: 'PING'; round?: number } {
  if (round === undefined || round === null || round === 0) return { type: 'PING' };
  if (!Number.isInteger(round) || round < 0 || round > 0xffff_ffff) throw new PeerProtocolError('out-of-range', `ping round ${round}`);
  return { type: 'PING', round };
}

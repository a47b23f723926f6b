/**
 * Election codec: @corral/election's `Notification` ⇄ peer.proto's
 * Notification. The wire carries exactly the TypeScript fields; an
 * observer's own vote uses -1 for leader, zxid and peerEpoch.
 */
import type { Notification, ServerState } from '@corral/election';
import { PeerProtocolError } from './peer-errors.js';
import type { WireNotification } from './peer-proto.js';
import { readInt64OrMinusOne, readSid, readSidOrMinusOne, readUint64, writeInt64OrMinusOne, writeUint64 } from './wire-values.js';

const stateToWire: Readonly<Record<ServerState, string>> = {
  LOOKING: 'SERVER_STATE_LOOKING',
  FOLLOWING: 'SERVER_STATE_FOLLOWING',
  LEADING: 'SERVER_STATE_LEADING',
  OBSERVING: 'SERVER_STATE_OBSERVING',
};

const stateFromWire: ReadonlyMap<string, ServerState> = new Map(
  (Object.entries(stateToWire) as [ServerState, string][]).map(([state, wire]) => [wire, state]),
);

/** Encodes a notification for an ElectionMessage. */
export function notificationToWire(n: Notification): WireNotification {
  return {
    sid: writeUint64(n.sid, 'sid'),
    state: stateToWire[n.state],
    leader: writeInt64OrMinusOne(n.leader, 'leader'),
    zxid: writeInt64OrMinusOne(n.zxid, 'zxid'),
    electionEpoch: writeUint64(n.electionEpoch, 'electionEpoch'),
    peerEpoch: writeInt64OrMinusOne(n.peerEpoch, 'peerEpoch'),
    configVersion: writeUint64(n.configVersion, 'configVersion'),
  };
}

/** Decodes a notification; throws PeerProtocolError for anything the TypeScript type cannot hold. */
export function notificationFromWire(w: WireNotification | null | undefined): Notification {
  if (w === null || w === undefined) throw new PeerProtocolError('missing-field', 'notification is empty');
  const state = typeof w.state === 'string' ? stateFromWire.get(w.state) : undefined;
  if (state === undefined) throw new PeerProtocolError('bad-enum', `state ${String(w.state)} is not a server state`);
  return {
    sid: readSid(w.sid, 'sid'),
    state,
    leader: readSidOrMinusOne(w.leader, 'leader'),
    zxid: readInt64OrMinusOne(w.zxid, 'zxid'),
    electionEpoch: readUint64(w.electionEpoch, 'electionEpoch'),
    peerEpoch: readInt64OrMinusOne(w.peerEpoch, 'peerEpoch'),
    configVersion: readUint64(w.configVersion, 'configVersion'),
  };
}

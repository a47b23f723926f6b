/**
 * proto/peer.proto loaded with @grpc/proto-loader, and the wire shapes its
 * messages take in JavaScript (camelCase fields, 64-bit values as decimal
 * strings, enums as names, `msg` naming the set oneof member). Only the
 * codecs in this directory use these shapes.
 */
import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { protoRoot } from '../proto-root.js';

/** The peer API's proto file, relative to protoRoot. */
export const peerProtoFile = 'peer.proto';

/** A 64-bit value as proto-loader hands it over (longs: String) or accepts it. */
export type WireLong = string;

export interface WireAuthChallenge { sid: WireLong; nonce: Buffer; mechanism: string }
export interface WireAuthResponse { sid: WireLong; proof: Buffer; nonce: Buffer }
export interface WireAuthAccept { proof: Buffer }

export interface WireNotification {
  sid: WireLong;
  state: string;
  leader: WireLong;
  zxid: WireLong;
  electionEpoch: WireLong;
  peerEpoch: WireLong;
  configVersion: WireLong;
}

/** ElectionMessage: `msg` names the member that is set. */
export interface WireElectionMessage {
  msg?: 'challenge' | 'auth' | 'accept' | 'notification';
  challenge?: WireAuthChallenge | null;
  auth?: WireAuthResponse | null;
  accept?: WireAuthAccept | null;
  notification?: WireNotification | null;
}

export interface WireTxn { zxid: WireLong; data: Buffer }
export interface WireLearnerInfo { acceptedEpoch: WireLong; protocolVersion: number; configVersion: WireLong; acceptsBatches?: boolean }

/** LearnerMessage (learner → leader). */
export interface WireLearnerMessage {
  msg?: 'auth' | 'followerInfo' | 'observerInfo' | 'ackEpoch' | 'ack' | 'ping' | 'request' | 'revalidate' | 'batch';
  auth?: WireAuthResponse | null;
  followerInfo?: WireLearnerInfo | null;
  observerInfo?: WireLearnerInfo | null;
  ackEpoch?: { currentEpoch: WireLong; lastZxid: WireLong; committedZxid: WireLong } | null;
  ack?: { zxid: WireLong } | null;
  ping?: { sessionData: Buffer; round?: number } | null;
  request?: { data: Buffer } | null;
  revalidate?: { data: Buffer } | null;
  batch?: { messages: WireLearnerMessage[] } | null;
}

/** LeaderMessage (leader → learner). */
export interface WireLeaderMessage {
  msg?:
    | 'challenge' | 'accept' | 'leaderInfo' | 'diff' | 'trunc' | 'snap' | 'snapChunk' | 'proposal' | 'commit' | 'inform'
    | 'newLeader' | 'upToDate' | 'ping' | 'revalidate' | 'batch';
  challenge?: WireAuthChallenge | null;
  accept?: WireAuthAccept | null;
  leaderInfo?: { newEpoch: WireLong; protocolVersion: number; acceptsBatches?: boolean } | null;
  diff?: { zxid: WireLong } | null;
  trunc?: { zxid: WireLong } | null;
  snap?: { zxid: WireLong; sizeBytes: WireLong } | null;
  snapChunk?: { data: Buffer; last: boolean } | null;
  proposal?: { txn: WireTxn | null } | null;
  commit?: { zxid: WireLong } | null;
  inform?: { txn: WireTxn | null } | null;
  newLeader?: { zxid: WireLong } | null;
  upToDate?: Record<string, never> | null;
  ping?: { sessionData: Buffer; round?: number } | null;
  revalidate?: { data: Buffer } | null;
  batch?: { messages: WireLeaderMessage[] } | null;
}

/** Loads the peer API as proto-loader definitions. */
export function loadPeerApi(): PackageDefinition {
  return loadSync([peerProtoFile], { includeDirs: [protoRoot], keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
}

/** The two services, ready for a grpc-js Server, and their client constructors. */
export interface PeerServices {
  readonly election: ServiceDefinition;
  readonly broadcast: ServiceDefinition;
  readonly ElectionClient: ServiceClientConstructor;
  readonly BroadcastClient: ServiceClientConstructor;
}

let cached: PeerServices | null = null;

/** The Election and Broadcast service definitions (loaded once per process). */
export function peerServices(): PeerServices {
  if (cached !== null) return cached;
  const api = loadPackageDefinition(loadPeerApi()) as unknown as {
    corral: { peer: { v1: { Election: ServiceClientConstructor; Broadcast: ServiceClientConstructor } } };
  };
  const { Election, Broadcast } = api.corral.peer.v1;
  cached = { election: Election.service, broadcast: Broadcast.service, ElectionClient: Election, BroadcastClient: Broadcast };
  return cached;
}

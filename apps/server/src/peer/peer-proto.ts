/**
 * proto/peer.proto loaded with protobufjs, and the wire shapes its
 * messages take in JavaScript (camelCase fields, 64-bit values as decimal
 * strings, enums as names, `msg` naming the set oneof member). Only the
 * codecs in this directory use these shapes.
 */
import { join } from 'node:path';
import { makeClientConstructor, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
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
  leaderInfo?: { newEpoch: WireLong; protocolVersion: number; acceptsBatches?: boolean; cumulativeAcks?: boolean } | null;
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

/** How messages become JavaScript objects: camelCase fields, longs as decimal strings, enum names, defaults, `msg` oneofs. */
const peerObjectOptions = { longs: String, enums: String, defaults: true, oneofs: true } as const;

/**
 * One service's grpc-js definition built straight from protobufjs, with the
 * same codecs proto-loader makes (fromObject + encode, decode + toObject
 * with peerObjectOptions) but without the descriptors it also builds for
 * reflection: those took ~50 ms of CPU at every member's start-up.
 */
function leanServiceDefinition(service: protobuf.Service): ServiceDefinition {
  const definition: Record<string, unknown> = {};
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType;
    const response = method.resolvedResponseType;
    if (request === null || response === null) throw new Error(`peer.proto: ${method.name} has unresolved types`);
    definition[method.name] = {
      path: `/${service.fullName.slice(1)}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      // protobufjs writes a Buffer under Node (its BufferWriter), as proto-loader hands it on.
      requestSerialize: (value: object) => request.encode(request.fromObject(value)).finish() as Buffer,
      requestDeserialize: (bytes: Buffer) => request.toObject(request.decode(bytes), peerObjectOptions),
      responseSerialize: (value: object) => response.encode(response.fromObject(value)).finish() as Buffer,
      responseDeserialize: (bytes: Buffer) => response.toObject(response.decode(bytes), peerObjectOptions),
      originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
    };
  }
  return definition as ServiceDefinition;
}

/** The two services, ready for a grpc-js Server, and their client constructors. */
export interface PeerServices {
  readonly election: ServiceDefinition;
  readonly broadcast: ServiceDefinition;
  readonly ElectionClient: ServiceClientConstructor;
  readonly BroadcastClient: ServiceClientConstructor;
  /** Encodes a LeaderMessage (the Follow stream's responses), for bytes shared by several streams. */
  readonly leaderMessageSerialize: (value: object) => Buffer;
}

let cached: PeerServices | null = null;

/** The Election and Broadcast service definitions (loaded once per process). */
export function peerServices(): PeerServices {
  if (cached !== null) return cached;
  const root = new protobuf.Root().loadSync(join(protoRoot, peerProtoFile), { keepCase: false });
  root.resolveAll();
  const election = leanServiceDefinition(root.lookupService('corral.peer.v1.Election'));
  const broadcastService = leanServiceDefinition(root.lookupService('corral.peer.v1.Broadcast'));
  const follow = broadcastService['Follow'];
  if (follow === undefined) throw new Error('peer.proto has no Broadcast.Follow');
  const leaderMessageSerialize = follow.responseSerialize as (value: object) => Buffer;
  // A leader writes a Buffer it encoded once for several learners (leader-wire-sharing.ts) as it is.
  const broadcast: ServiceDefinition = {
    ...broadcastService,
    Follow: { ...follow, responseSerialize: (value: object) => (Buffer.isBuffer(value) ? value : leaderMessageSerialize(value)) },
  };
  cached = {
    election, broadcast, leaderMessageSerialize,
    ElectionClient: makeClientConstructor(election, 'corral.peer.v1.Election'),
    BroadcastClient: makeClientConstructor(broadcastService, 'corral.peer.v1.Broadcast'),
  };
  return cached;
}

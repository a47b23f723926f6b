/**
 * The peer transport's surface for the Driver (apps/server/README.md, "Peer transport"): the
 * network, its events, the auth config reader, the limits and the errors. The codecs are
 * exported for tools that record or replay peer traffic.
 */
export { PeerNetwork } from './peer-network.js';
export { defaultPeerLimits, validatePeerLimits } from './limits.js';
export { peerAuthSecretFromProperties, peerAuthSecretKey, peerAuthSecretFileKey, peerAuthSecretBytesMin } from './peer-auth.js';
export { PeerAuthError, PeerProtocolError } from './peer-errors.js';
export { LeaderStreamDecoder, isLeaderMsg, isLearnerMsg, leaderMsgToWire, learnerMsgFromWire, learnerMsgToWire, peerProtocolVersion } from './broadcast-codec.js';
export { notificationFromWire, notificationToWire } from './election-codec.js';
export { peerProtoFile, peerServices } from './peer-proto.js';
export type { BroadcastStreamRef, PeerEvents, PeerNetworkOptions } from './peer-network.js';
export type { PeerLimits } from './limits.js';
export type { PeerAuthErrorReason, PeerProtocolErrorReason } from './peer-errors.js';
export type { LeaderPeerMsg, LearnerPeerMsg, LeaderStreamDecoderLimits } from './broadcast-codec.js';
export type { PeerServices } from './peer-proto.js';

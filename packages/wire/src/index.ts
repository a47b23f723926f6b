/**
 * @corral/wire: ZooKeeper's client binary protocol (jute over TCP), as spoken
 * by ZooKeeper 3.9 clients: framing, connect handshake, every request and
 * reply record, multi, watch notifications. Decoding only ever throws
 * ProtocolError and never allocates from an unchecked length.
 */

// Constants (values equal ZooDefs / Watcher / CreateMode / ClientCnxn).
export {
  /** ZooDefs.OpCode. */
  OpCode,
  /** ZooDefs.Perms ACL bits. */
  Perms,
  /** CreateMode flag values. */
  CreateMode,
  /** WatcherEvent.type values. */
  EventType,
  /** WatcherEvent.state values. */
  KeeperState,
  /** AddWatchRequest.mode values. */
  AddWatchMode,
  /** checkWatches/removeWatches watcherType values. */
  WatcherType,
  /** Special xids: notification -1, ping -2, auth -4, setWatches -8. */
  Xid,
} from './constants.js';

/** KeeperException codes (from @corral/base), re-exported for protocol users. */
export { ZkCode } from '@corral/base';

// Limits.
export {
  /** jute.maxbuffer default (1048575): largest frame body accepted. */
  maxFrameBytesDefault,
  /** Largest configurable frame limit (2^31 - 1). */
  maxFrameBytesCeiling,
  /** Size of the length prefix. */
  framePrefixBytes,
  /** Cap on any vector count. */
  vectorCountMax,
  /** Cap on ops per multi. */
  multiOpsMax,
  /** Encode buffer kept between frames. */
  writerRetainedBytesMax,
  /** Initial JuteWriter capacity. */
  writerInitialBytes,
  /** Encoded size of a Stat. */
  statBytes,
} from './limits.js';

/** Malformed or oversized input: close the connection. */
export { ProtocolError } from './protocol-error.js';

/** Low-level jute primitive reader (bounds-checked, never allocates from untrusted lengths). */
export { JuteReader } from './jute-reader.js';
/** Low-level jute primitive writer into a growable buffer. */
export { JuteWriter } from './jute-writer.js';

// Shared record codecs, for txn-log and snapshot encodings.
export {
  /** Reads data.Stat. */
  readStat,
  /** Writes data.Stat. */
  writeStat,
  /** Reads vector<data.ACL>. */
  readAclVector,
  /** Writes vector<data.ACL>. */
  writeAclVector,
} from './records.js';

/** Splits a byte stream into frames, refusing bad lengths as soon as the prefix arrives. */
export { FrameDecoder } from './frame-decoder.js';
/** The four-letter admin word ("ruok", …) whose bytes form a given first length prefix, or null. */
export { fourLetterWordOf } from './four-letter-words.js';
/** Every four-letter word of ZooKeeper 3.9, and the test for one. */
export { fourLetterWords, isFourLetterWord } from './four-letter-words.js';

// Connect handshake.
export {
  /** Server side: decode the first frame of a connection. */
  decodeConnectRequest,
  /** Server side: encode the handshake answer (complete frame). */
  encodeConnectResponse,
  /** Client side: encode the first frame (complete frame). */
  encodeConnectRequest,
  /** Client side: decode the handshake answer. */
  decodeConnectResponse,
} from './connect.js';

// Requests.
export {
  /** Server side: decode a request frame. */
  decodeRequest,
  /** Decode only the RequestHeader (e.g. to answer MARSHALLINGERROR). */
  decodeRequestHeader,
  /** Client side: encode a request (complete frame). */
  encodeRequest,
} from './request-codec.js';

// Replies and notifications.
export {
  /** Server side: encode a reply (complete frame; header only when err ≠ 0). */
  encodeReply,
  /** Server side: encode a watch notification (complete frame). */
  encodeWatcherEvent,
  /** Client side: decode a reply, given the opcode sent with its xid. */
  decodeReply,
  /** Client side: decode only the ReplyHeader. */
  decodeReplyHeader,
  /** Client side: decode a notification (xid -1). */
  decodeNotification,
} from './reply-codec.js';

export type { ProtocolErrorReason } from './protocol-error.js';
export type { FrameDecoderOptions } from './frame-decoder.js';
export type { FourLetterWord } from './four-letter-words.js';
export type {
  ACL,
  AddWatchRequest,
  AuthRequest,
  CheckVersionRequest,
  ClientInfo,
  ClientRequest,
  ClientResponse,
  ConnectRequest,
  ConnectResponse,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
  EmptyRequest,
  EmptyResponse,
  ErrorResult,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetChildren2Response,
  GetChildrenResponse,
  GetDataResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  Id,
  MultiOp,
  MultiReadOp,
  MultiRequest,
  MultiResponse,
  MultiResult,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  ReplyHeader,
  RequestHeader,
  SaslRequest,
  SaslResponse,
  SetACLRequest,
  SetDataRequest,
  SetWatches2Request,
  SetWatchesRequest,
  Stat,
  StatResponse,
  SyncResponse,
  WatcherEvent,
  WatchesRequest,
  WhoAmIResponse,
} from './types.js';

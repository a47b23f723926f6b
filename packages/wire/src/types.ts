/**
 * Typed records of the client protocol. Field names follow zookeeper.jute so
 * that code can be read side by side with the Java classes. 64-bit values are
 * bigint, except ctime/mtime (milliseconds, safe below 2^53; agreed by lead).
 */
import type { OpCode } from './constants.js';

type Op = typeof OpCode;

/** data.Id */
export interface Id {
  scheme: string;
  id: string;
}

/** data.ACL */
export interface ACL {
  perms: number;
  id: Id;
}

/** data.Stat (68 bytes on the wire). */
export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

/** data.ClientInfo (whoAmI). */
export interface ClientInfo {
  authScheme: string;
  user: string;
}

/**
 * proto.ConnectRequest. `readOnly` is optional on the wire: clients up to 3.3
 * (and e.g. go-zookeeper) omit it. `omitsReadOnly` records that, because
 * ZooKeeper then also omits it from the ConnectResponse (ProtocolManager).
 */
export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  readOnly: boolean;
  /** True when the trailing readOnly byte was absent (decode) / is to be left out (encode). */
  omitsReadOnly?: boolean;
}

/** proto.ConnectResponse. */
export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array;
  readOnly: boolean;
  /** Leave out the trailing readOnly byte: set it from the request's `omitsReadOnly`. */
  omitsReadOnly?: boolean;
}

/** proto.RequestHeader */
export interface RequestHeader {
  xid: number;
  type: number;
}

/** proto.ReplyHeader */
export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}

/** proto.WatcherEvent */
export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

// ---- requests ------------------------------------------------------------

/** CreateRequest (create, create2, createContainer). */
export interface CreateRequest {
  type: Op['create'] | Op['create2'] | Op['createContainer'];
  path: string;
  /** null is jute's null buffer (length -1), distinct from empty data: ZooKeeper stores and returns it as null. */
  data: Uint8Array | null;
  acl: readonly ACL[];
  flags: number;
}

/** CreateTTLRequest. */
export interface CreateTTLRequest {
  type: Op['createTTL'];
  path: string;
  /** null is jute's null buffer (length -1), distinct from empty data: ZooKeeper stores and returns it as null. */
  data: Uint8Array | null;
  acl: readonly ACL[];
  flags: number;
  ttl: bigint;
}

/**
 * DeleteRequest. deleteContainer carries only the path on the wire
 * (DeleteContainerRequest, a length-prefixed UTF-8 buffer); it decodes with
 * version -1 and encodes without the version.
 */
export interface DeleteRequest {
  type: Op['delete'] | Op['deleteContainer'];
  path: string;
  version: number;
}

/** ExistsRequest / GetDataRequest / GetChildrenRequest / GetChildren2Request. */
export interface PathWatchRequest {
  type: Op['exists'] | Op['getData'] | Op['getChildren'] | Op['getChildren2'];
  path: string;
  watch: boolean;
}

/** SetDataRequest. */
export interface SetDataRequest {
  type: Op['setData'];
  path: string;
  /** null is jute's null buffer (length -1), distinct from empty data: ZooKeeper stores and returns it as null. */
  data: Uint8Array | null;
  version: number;
}

/** GetACLRequest / GetAllChildrenNumberRequest / SyncRequest. */
export interface PathRequest {
  type: Op['getACL'] | Op['getAllChildrenNumber'] | Op['sync'];
  path: string;
}

/** GetEphemeralsRequest. */
export interface GetEphemeralsRequest {
  type: Op['getEphemerals'];
  prefixPath: string;
}

/** SetACLRequest. */
export interface SetACLRequest {
  type: Op['setACL'];
  path: string;
  acl: readonly ACL[];
  version: number;
}

/** CheckVersionRequest. */
export interface CheckVersionRequest {
  type: Op['check'];
  path: string;
  version: number;
}

/** The operations MultiOperationRecord can carry (write ops for multi, getData/getChildren for multiRead). */
export type MultiOp = CreateRequest | CreateTTLRequest | DeleteRequest | SetDataRequest | CheckVersionRequest | MultiReadOp;

/** A read op inside multiRead: on the wire GetDataRequest/GetChildrenRequest (the watch flag is ignored by ZooKeeper). */
export interface MultiReadOp {
  type: Op['getData'] | Op['getChildren'];
  path: string;
  watch: boolean;
}

/**
 * MultiOperationRecord (multi, multiRead). Typed as any ClientRequest (as the
 * API sketch has it) but only MultiOp kinds exist on the wire: decoding yields
 * only those, and encoding another kind throws ProtocolError('unknown-opcode').
 */
export interface MultiRequest {
  type: Op['multi'] | Op['multiRead'];
  ops: readonly ClientRequest[];
}

/** AuthPacket (sent with xid -4). */
export interface AuthRequest {
  type: Op['auth'];
  authType: number;
  scheme: string;
  auth: Uint8Array;
}

/** SetWatches (sent with xid -8). */
export interface SetWatchesRequest {
  type: Op['setWatches'];
  relativeZxid: bigint;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
}

/** SetWatches2 (sent with xid -8; Curator and 3.6+ clients). */
export interface SetWatches2Request {
  type: Op['setWatches2'];
  relativeZxid: bigint;
  dataWatches: readonly string[];
  existWatches: readonly string[];
  childWatches: readonly string[];
  persistentWatches: readonly string[];
  persistentRecursiveWatches: readonly string[];
}

/** AddWatchRequest. */
export interface AddWatchRequest {
  type: Op['addWatch'];
  path: string;
  mode: number;
}

/** CheckWatchesRequest / RemoveWatchesRequest (`type` field on the wire is `watcherType` here). */
export interface WatchesRequest {
  type: Op['checkWatches'] | Op['removeWatches'];
  path: string;
  watcherType: number;
}

/** ReconfigRequest (decoded so the server can refuse it properly). */
export interface ReconfigRequest {
  type: Op['reconfig'];
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}

/** GetSASLRequest. */
export interface SaslRequest {
  type: Op['sasl'];
  token: Uint8Array;
}

/** Requests that are a RequestHeader only. */
export interface EmptyRequest {
  type: Op['ping'] | Op['closeSession'] | Op['whoAmI'];
}

/** Every request a client can send, discriminated by `type` (the OpCode). */
export type ClientRequest =
  | CreateRequest
  | CreateTTLRequest
  | DeleteRequest
  | PathWatchRequest
  | SetDataRequest
  | PathRequest
  | GetEphemeralsRequest
  | SetACLRequest
  | CheckVersionRequest
  | MultiRequest
  | AuthRequest
  | SetWatchesRequest
  | SetWatches2Request
  | AddWatchRequest
  | WatchesRequest
  | ReconfigRequest
  | SaslRequest
  | EmptyRequest;

// ---- responses -----------------------------------------------------------

/** CreateResponse (create only). */
export interface CreateResponse {
  type: Op['create'];
  path: string;
}

/** Create2Response: FinalRequestProcessor answers create2, createTTL and createContainer with it. */
export interface Create2Response {
  type: Op['create2'] | Op['createContainer'] | Op['createTTL'];
  path: string;
  stat: Stat;
}

/** ExistsResponse / SetDataResponse / SetACLResponse. */
export interface StatResponse {
  type: Op['exists'] | Op['setData'] | Op['setACL'];
  stat: Stat;
}

/** GetDataResponse; reconfig is also answered with one (the new config as data). */
export interface GetDataResponse {
  type: Op['getData'] | Op['reconfig'];
  /** null is jute's null buffer (length -1), distinct from empty data: ZooKeeper stores and returns it as null. */
  data: Uint8Array | null;
  stat: Stat;
}

/** GetACLResponse. */
export interface GetACLResponse {
  type: Op['getACL'];
  acl: readonly ACL[];
  stat: Stat;
}

/** GetChildrenResponse. */
export interface GetChildrenResponse {
  type: Op['getChildren'];
  children: readonly string[];
}

/** GetChildren2Response. */
export interface GetChildren2Response {
  type: Op['getChildren2'];
  children: readonly string[];
  stat: Stat;
}

/** GetAllChildrenNumberResponse. */
export interface GetAllChildrenNumberResponse {
  type: Op['getAllChildrenNumber'];
  totalNumber: number;
}

/** GetEphemeralsResponse. */
export interface GetEphemeralsResponse {
  type: Op['getEphemerals'];
  ephemerals: readonly string[];
}

/** SyncResponse. */
export interface SyncResponse {
  type: Op['sync'];
  path: string;
}

/** MultiResponse (multi, multiRead): one result per op, errors as ErrorResult. */
export interface MultiResponse {
  type: Op['multi'] | Op['multiRead'];
  results: readonly MultiResult[];
}

/** WhoAmIResponse. */
export interface WhoAmIResponse {
  type: Op['whoAmI'];
  clientInfo: readonly ClientInfo[];
}

/** SetSASLResponse. */
export interface SaslResponse {
  type: Op['sasl'];
  token: Uint8Array;
}

/**
 * Replies without a body record. Exception kept by the codec: addWatch is
 * answered with ErrorResponse{err: 0} (4 zero bytes) by FinalRequestProcessor
 * and the Java client reads them, so the encoder writes them.
 */
export interface EmptyResponse {
  type:
    | Op['delete']
    | Op['deleteContainer']
    | Op['check']
    | Op['ping']
    | Op['closeSession']
    | Op['auth']
    | Op['setWatches']
    | Op['setWatches2']
    | Op['addWatch']
    | Op['removeWatches']
    | Op['checkWatches'];
}

/** Every reply body, discriminated by the OpCode of the request it answers. */
export type ClientResponse =
  | CreateResponse
  | Create2Response
  | StatResponse
  | GetDataResponse
  | GetACLResponse
  | GetChildrenResponse
  | GetChildren2Response
  | GetAllChildrenNumberResponse
  | GetEphemeralsResponse
  | SyncResponse
  | MultiResponse
  | WhoAmIResponse
  | SaslResponse
  | EmptyResponse;

/** OpResult.ErrorResult inside a MultiResponse. */
export interface ErrorResult {
  type: Op['error'];
  err: number;
}

/**
 * One entry of a MultiResponse. The type is as wide as the API sketch, but on
 * the wire only create, create2, delete, setData, check, getChildren, getData
 * and error exist: createTTL and createContainer results are sent as create2
 * (OpResult.CreateResult) and decode as create2; encoding any other type
 * throws ProtocolError('unknown-opcode').
 */
export type MultiResult = ClientResponse | ErrorResult;

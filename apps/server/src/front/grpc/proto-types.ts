/**
 * The shapes of corral.v1 messages as @grpc/proto-loader hands them to us
 * (camelCase fields, int64 as decimal strings, bytes as Buffer, enums as
 * numbers, `oneofs: true` so the chosen case is named). Written by hand from
 * proto/corral/v1/*.proto: only the fields the front end reads or writes.
 */

/** int64 as proto-loader decodes it (`longs: String`) or as we may encode it. */
export type Int64 = string | number | bigint;

export interface SessionRefMsg { sessionId?: Int64; password?: Buffer }
export interface IdMsg { scheme?: string; id?: string }
export interface AclMsg { perms?: number; id?: IdMsg | null }
export interface StatMsg {
  czxid: string; mzxid: string; ctime: string; mtime: string; version: number; cversion: number; aversion: number;
  ephemeralOwner: string; dataLength: number; numChildren: number; pzxid: string;
}

export interface CreateMsg { path?: string; data?: Buffer | null; _data?: string; acl?: AclMsg[]; mode?: number | string; ttlMs?: Int64; session?: SessionRefMsg | null }
export interface DeleteMsg { path?: string; version?: number; _version?: string; session?: SessionRefMsg | null }
export interface PathWatchMsg { path?: string; watch?: boolean; session?: SessionRefMsg | null }
export interface SetDataMsg { path?: string; data?: Buffer | null; _data?: string; version?: number; _version?: string; session?: SessionRefMsg | null }
export interface SetAclMsg { path?: string; acl?: AclMsg[]; version?: number; _version?: string; session?: SessionRefMsg | null }
export interface CheckMsg { path?: string; version?: number; _version?: string }
export interface MultiOpMsg { create?: CreateMsg; delete?: DeleteMsg; setData?: SetDataMsg; check?: CheckMsg; op?: string }
export interface MultiMsg { ops?: MultiOpMsg[]; session?: SessionRefMsg | null }
export interface ReadOpMsg { getData?: PathWatchMsg; getChildren?: PathWatchMsg; op?: string }
export interface MultiReadMsg { ops?: ReadOpMsg[]; session?: SessionRefMsg | null }
export interface AddWatchMsg { path?: string; mode?: number }
export interface RemoveWatchesMsg { path?: string; watcherType?: number }
export interface GetEphemeralsMsg { prefix?: string }

/** A Call of the session stream: `op` names the case that is set. */
export interface CallMsg {
  id?: number;
  op?: string;
  create?: CreateMsg; delete?: DeleteMsg; exists?: PathWatchMsg; getData?: PathWatchMsg; setData?: SetDataMsg;
  getChildren?: PathWatchMsg; getAllChildrenNumber?: PathWatchMsg; getAcl?: PathWatchMsg; setAcl?: SetAclMsg;
  multi?: MultiMsg; multiRead?: MultiReadMsg; sync?: PathWatchMsg; whoAmI?: Record<string, never>;
  addWatch?: AddWatchMsg; removeWatches?: RemoveWatchesMsg; getEphemerals?: GetEphemeralsMsg; setWatches?: RestoreWatchesMsg;
}

export interface RestoreWatchesMsg {
  relativeZxid?: Int64; dataWatches?: string[]; existWatches?: string[]; childWatches?: string[];
  persistentWatches?: string[]; persistentRecursiveWatches?: string[];
}
export interface OpenSessionMsg {
  sessionId?: Int64; password?: Buffer; timeoutMs?: number; lastZxidSeen?: Int64; restoreWatches?: RestoreWatchesMsg | null; acceptBatches?: boolean;
  readOnly?: boolean;
}
export interface AddAuthMsg { scheme?: string; auth?: Buffer }
export interface SessionRequestMsg {
  kind?: string;
  open?: OpenSessionMsg; call?: CallMsg; ping?: object; addAuth?: AddAuthMsg; close?: object; calls?: { calls?: CallMsg[] };
}

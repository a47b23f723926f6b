/**
 * The replica's own messages, carried opaquely inside broadcast's REQUEST
 * and REVALIDATE (broadcast never looks inside). Encoded with jute
 * primitives; a payload that does not decode raises ProtocolError (network
 * input is never asserted on, STYLE §5), and the replica drops it.
 *
 * REQUEST (learner → leader): a client write, or a session's create/close,
 * for the leader's prep. REVALIDATE: a learner's batch of session touches or
 * a reconnect check (learner → leader), and the leader's verdict (leader →
 * learner), as ZooKeeper's Learner.validateSession / PING session lists.
 */
import { assert } from '@corral/base';
import type { Id } from '@corral/data-tree';
import { JuteReader, JuteWriter, ProtocolError, decodeRequest, encodeRequest, type ClientRequest } from '@corral/wire';
import { touchesPerMessageMax } from './limits.js';

/** A client write forwarded to the leader. */
export interface ForwardedWrite {
  readonly kind: 'write';
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly authIds: readonly Id[];
  readonly request: ClientRequest;
}

/** A new session, its id chosen by the server the client connected to. */
export interface ForwardedCreateSession {
  readonly kind: 'createSession';
  readonly sessionId: bigint;
  readonly timeoutMs: number;
}

/** A client's closeSession. */
export interface ForwardedCloseSession {
  readonly kind: 'closeSession';
  readonly sessionId: bigint;
  readonly cxid: number;
}

/** A client's sync on a learner: the leader answers once everything it proposed before is committed. */
export interface ForwardedSync {
  readonly kind: 'sync';
  readonly sessionId: bigint;
  readonly cxid: number;
}

/** What a learner's REQUEST carries. */
export type RequestPayload = ForwardedWrite | ForwardedCreateSession | ForwardedCloseSession | ForwardedSync;

/** Sessions that sent something to a learner since its last batch: the leader pushes their deadlines out. */
export interface TouchBatch {
  readonly kind: 'touch';
  readonly sessions: readonly { readonly sessionId: bigint; readonly timeoutMs: number }[];
}

/** A client reconnects to a learner with this session: is it still alive? (REVALIDATE in ZooKeeper.) */
export interface RevalidateAsk {
  readonly kind: 'revalidate';
  readonly sessionId: bigint;
  readonly timeoutMs: number;
}

/** The leader's answer to a RevalidateAsk. */
export interface RevalidateAnswer {
  readonly kind: 'revalidated';
  readonly sessionId: bigint;
  readonly valid: boolean;
}

/**
 * The leader's answer to a ForwardedSync. It travels on the learner's
 * stream after the COMMITs of every txn the leader had proposed when the
 * sync arrived, so the learner has applied them when it answers its client.
 */
export interface SyncAnswer {
  readonly kind: 'synced';
  readonly sessionId: bigint;
  readonly cxid: number;
}

/** What a REVALIDATE carries. */
export type RevalidatePayload = TouchBatch | RevalidateAsk | RevalidateAnswer | SyncAnswer;

const Kind = { write: 1, createSession: 2, closeSession: 3, touch: 4, revalidate: 5, revalidated: 6, sync: 7, synced: 8 } as const;

/** Encodes a REQUEST payload. */
export function encodeRequestPayload(payload: RequestPayload): Uint8Array {
  const out = new JuteWriter();
  switch (payload.kind) {
    case 'write': {
      out.writeInt(Kind.write);
      out.writeLong(payload.sessionId);
      out.writeInt(payload.cxid);
      out.writeInt(payload.authIds.length);
      for (const id of payload.authIds) {
        out.writeString(id.scheme);
        out.writeString(id.id);
      }
      // The request's own frame without its length prefix: xid (= cxid), type, record.
      out.writeBuffer(encodeRequest({ xid: payload.cxid, type: payload.request.type }, payload.request).subarray(4));
      break;
    }
    case 'createSession':
      out.writeInt(Kind.createSession);
      out.writeLong(payload.sessionId);
      out.writeInt(payload.timeoutMs);
      break;
    case 'closeSession':
    case 'sync':
      out.writeInt(Kind[payload.kind]);
      out.writeLong(payload.sessionId);
      out.writeInt(payload.cxid);
      break;
  }
  return out.toBuffer();
}

/** Decodes a REQUEST payload; throws ProtocolError. */
export function decodeRequestPayload(bytes: Uint8Array): RequestPayload {
  const input = new JuteReader(bytes);
  const kind = input.readInt();
  let payload: RequestPayload;
  switch (kind) {
    case Kind.write: {
      const sessionId = input.readLong();
      const cxid = input.readInt();
      const count = input.readVectorCount(8, 'authIds');
      const authIds: Id[] = [];
      for (let index = 0; index < count; index += 1) authIds.push({ scheme: input.readString(), id: input.readString() });
      const { header, request } = decodeRequest(input.readBuffer());
      if (request === null || header.xid !== cxid) throw new ProtocolError('null-field', 'forwarded write without a request record');
      payload = { kind: 'write', sessionId, cxid, authIds, request };
      break;
    }
    case Kind.createSession:
      payload = { kind: 'createSession', sessionId: input.readLong(), timeoutMs: input.readInt() };
      break;
    case Kind.closeSession:
      payload = { kind: 'closeSession', sessionId: input.readLong(), cxid: input.readInt() };
      break;
    case Kind.sync:
      payload = { kind: 'sync', sessionId: input.readLong(), cxid: input.readInt() };
      break;
    default:
      throw new ProtocolError('unknown-opcode', `unknown REQUEST payload kind ${kind}`);
  }
  input.expectEnd('REQUEST payload');
  return payload;
}

/** Encodes a REVALIDATE payload. */
export function encodeRevalidatePayload(payload: RevalidatePayload): Uint8Array {
  const out = new JuteWriter();
  switch (payload.kind) {
    case 'touch':
      assert(payload.sessions.length <= touchesPerMessageMax, 'a touch batch fits its limit');
      out.writeInt(Kind.touch);
      out.writeInt(payload.sessions.length);
      for (const { sessionId, timeoutMs } of payload.sessions) {
        out.writeLong(sessionId);
        out.writeInt(timeoutMs);
      }
      break;
    case 'revalidate':
      out.writeInt(Kind.revalidate);
      out.writeLong(payload.sessionId);
      out.writeInt(payload.timeoutMs);
      break;
    case 'revalidated':
      out.writeInt(Kind.revalidated);
      out.writeLong(payload.sessionId);
      out.writeBool(payload.valid);
      break;
    case 'synced':
      out.writeInt(Kind.synced);
      out.writeLong(payload.sessionId);
      out.writeInt(payload.cxid);
      break;
  }
  return out.toBuffer();
}

/** Decodes a REVALIDATE payload; throws ProtocolError. */
export function decodeRevalidatePayload(bytes: Uint8Array): RevalidatePayload {
  const input = new JuteReader(bytes);
  const kind = input.readInt();
  let payload: RevalidatePayload;
  switch (kind) {
    case Kind.touch: {
      const count = input.readVectorCount(12, 'touches');
      if (count > touchesPerMessageMax) throw new ProtocolError('bad-count', `touch batch of ${count} over ${touchesPerMessageMax}`);
      const sessions: { sessionId: bigint; timeoutMs: number }[] = [];
      for (let index = 0; index < count; index += 1) sessions.push({ sessionId: input.readLong(), timeoutMs: input.readInt() });
      payload = { kind: 'touch', sessions };
      break;
    }
    case Kind.revalidate:
      payload = { kind: 'revalidate', sessionId: input.readLong(), timeoutMs: input.readInt() };
      break;
    case Kind.revalidated:
      payload = { kind: 'revalidated', sessionId: input.readLong(), valid: input.readBool() };
      break;
    case Kind.synced:
      payload = { kind: 'synced', sessionId: input.readLong(), cxid: input.readInt() };
      break;
    default:
      throw new ProtocolError('unknown-opcode', `unknown REVALIDATE payload kind ${kind}`);
  }
  input.expectEnd('REVALIDATE payload');
  return payload;
}

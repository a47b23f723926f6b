/**
 * Reply frames: ReplyHeader{xid, zxid, err} followed, on success only, by the
 * record implied by the request's opcode; and notification frames
 * (xid -1) carrying a WatcherEvent.
 */
import type { Buffer } from 'node:buffer';
import { Xid } from './constants.js';
import { JuteReader } from './jute-reader.js';
import { sharedWriter } from './jute-writer.js';
import { ProtocolError } from './protocol-error.js';
import { readReplyHeader, readWatcherEvent, writeReplyHeader, writeWatcherEvent } from './records.js';
import { readResponseBody, writeResponseBody } from './response-bodies.js';
import type { ClientResponse, ReplyHeader, WatcherEvent } from './types.js';

/**
 * Encodes a reply as a complete frame (with length prefix). When `header.err`
 * is not 0 only the header is sent and `response` is ignored: clients
 * (ClientCnxn.readResponse) read the body only when err is 0. A multi whose
 * ops failed is not an error at this level: ZooKeeper replies err 0 with
 * ErrorResult entries (FinalRequestProcessor never sets err for multi).
 */
export function encodeReply(header: ReplyHeader, response: ClientResponse | null): Buffer {
  const writer = sharedWriter;
  writer.beginFrame();
  writeReplyHeader(writer, header);
  if (header.err === 0 && response !== null) writeResponseBody(writer, response);
  return writer.finishFrame();
}

/**
 * Encodes a watch notification frame: ReplyHeader{xid -1, zxid, err 0} +
 * WatcherEvent. ZooKeeper 3.9 sends the zxid of the change that fired the
 * watch (ZOOKEEPER-4655); 3.8 and older sent -1, the default here.
 */
export function encodeWatcherEvent(event: WatcherEvent, zxid = -1n): Buffer {
  const writer = sharedWriter;
  writer.beginFrame();
  writeReplyHeader(writer, { xid: Xid.notification, zxid, err: 0 });
  writeWatcherEvent(writer, event);
  return writer.finishFrame();
}

/** Decodes only the ReplyHeader of a frame (to find its xid before choosing a decoder). */
export function decodeReplyHeader(frame: Uint8Array): ReplyHeader {
  return readReplyHeader(new JuteReader(frame));
}

/**
 * Decodes a reply frame body to a request of opcode `requestType` (the
 * caller's record of what it sent with that xid; ping replies use
 * OpCode.ping). `response` is null when header.err ≠ 0 (any body is then
 * ignored, as ClientCnxn does). A notification (xid -1) throws
 * ProtocolError('unexpected-xid'): use decodeNotification for those.
 */
export function decodeReply(frame: Uint8Array, requestType: number): { header: ReplyHeader; response: ClientResponse | null } {
  const reader = new JuteReader(frame);
  const header = readReplyHeader(reader);
  if (header.xid === Xid.notification) throw new ProtocolError('unexpected-xid', 'notification passed to decodeReply');
  if (header.err !== 0) return { header, response: null };
  const response = readResponseBody(reader, requestType);
  reader.expectEnd(`reply to opcode ${requestType}`);
  return { header, response };
}

/** Decodes a notification frame body (xid -1): its header and WatcherEvent. */
export function decodeNotification(frame: Uint8Array): { header: ReplyHeader; event: WatcherEvent } {
  const reader = new JuteReader(frame);
  const header = readReplyHeader(reader);
  if (header.xid !== Xid.notification) throw new ProtocolError('unexpected-xid', `xid ${header.xid} is not a notification`);
  const event = readWatcherEvent(reader);
  reader.expectEnd('WatcherEvent');
  return { header, event };
}

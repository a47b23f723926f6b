/**
 * ConnectRequest / ConnectResponse: the first frame each way on a
 * connection. Their bodies carry no RequestHeader/ReplyHeader. The trailing
 * readOnly flag is optional: compat/ProtocolManager reads it only if present
 * and, when the client left it out, also leaves it out of the response.
 */
import { Buffer } from 'node:buffer';
import { JuteReader } from './jute-reader.js';
import { sharedWriter } from './jute-writer.js';
import type { ConnectRequest, ConnectResponse } from './types.js';

/**
 * Decodes a ConnectRequest frame body (without the length prefix).
 * readOnly absent ⇒ false with `omitsReadOnly: true`. Like ZooKeeper, bytes
 * after readOnly are ignored (ByteBufferInputStream reads only the record).
 */
export function decodeConnectRequest(frame: Uint8Array): ConnectRequest {
  const reader = new JuteReader(frame);
  const protocolVersion = reader.readInt();
  const lastZxidSeen = reader.readLong();
  const timeOut = reader.readInt();
  const sessionId = reader.readLong();
  const passwd = reader.readBuffer();
  const omitsReadOnly = reader.remaining === 0;
  const readOnly = omitsReadOnly ? false : reader.readBool();
  return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly, omitsReadOnly };
}

/** Encodes a ConnectRequest as a complete frame (with length prefix); readOnly is left out if `omitsReadOnly`. */
export function encodeConnectRequest(request: ConnectRequest): Buffer {
  const writer = sharedWriter;
  writer.beginFrame();
  writer.writeInt(request.protocolVersion);
  writer.writeLong(request.lastZxidSeen);
  writer.writeInt(request.timeOut);
  writer.writeLong(request.sessionId);
  writer.writeBuffer(request.passwd);
  if (request.omitsReadOnly !== true) writer.writeBool(request.readOnly);
  return writer.finishFrame();
}

/**
 * Encodes a ConnectResponse as a complete frame (with length prefix). Pass
 * the request's `omitsReadOnly` through so old clients get the 3.3 layout.
 */
export function encodeConnectResponse(response: ConnectResponse): Buffer {
  const writer = sharedWriter;
  writer.beginFrame();
  writer.writeInt(response.protocolVersion);
  writer.writeInt(response.timeOut);
  writer.writeLong(response.sessionId);
  writer.writeBuffer(response.passwd);
  if (response.omitsReadOnly !== true) writer.writeBool(response.readOnly);
  return writer.finishFrame();
}

/** Decodes a ConnectResponse frame body; readOnly absent ⇒ false with `omitsReadOnly: true`. Trailing bytes are ignored. */
export function decodeConnectResponse(frame: Uint8Array): ConnectResponse {
  const reader = new JuteReader(frame);
  const protocolVersion = reader.readInt();
  const timeOut = reader.readInt();
  const sessionId = reader.readLong();
  const passwd = reader.readBuffer();
  const omitsReadOnly = reader.remaining === 0;
  const readOnly = omitsReadOnly ? false : reader.readBool();
  return { protocolVersion, timeOut, sessionId, passwd, readOnly, omitsReadOnly };
}

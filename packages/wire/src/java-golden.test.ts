/**
 * Goal: our encoders produce byte for byte what Apache ZooKeeper's own jute
 * classes produce, and our decoders read those bytes back to the same
 * values. Method: compile testdata/JuteGolden.java against the installed
 * zookeeper jars into a temp dir, run it, and compare each "name hex" line
 * with the TypeScript encoding of the same values. Skipped (with the reason)
 * when javac, java or the jars are missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeConnectRequest, decodeConnectResponse, encodeConnectRequest, encodeConnectResponse } from './connect.js';
import { EventType, KeeperState, OpCode, Xid } from './constants.js';
import { JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { readStat, writeStat } from './records.js';
import { decodeRequest, encodeRequest } from './request-codec.js';
import { decodeNotification, decodeReply, encodeReply, encodeWatcherEvent } from './reply-codec.js';
import { sampleAcl, sampleRequests, sampleResponses, sampleStat } from './samples.test.js';
import type { ClientRequest, ClientResponse } from './types.js';

const jars = ['/usr/share/java/zookeeper-jute.jar', '/usr/share/java/zookeeper.jar', '/usr/share/java/slf4j-api.jar'];
const source = fileURLToPath(new URL('../testdata/JuteGolden.java', import.meta.url));

/** Runs the Java program; returns name → bytes, or a reason to skip. */
function javaGolden(): Map<string, Buffer> | string {
  const missing = jars.filter((jar) => !existsSync(jar));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  if (spawnSync('javac', ['-version']).status !== 0) return 'javac not found';
  const dir = mkdtempSync(join(tmpdir(), 'corral-jute-golden-'));
  try {
    const classpath = jars.join(':');
    const compiled = spawnSync('javac', ['-d', dir, '-cp', classpath, source], { encoding: 'utf8' });
    assert.equal(compiled.status, 0, `javac failed: ${compiled.stderr}`);
    const ran = spawnSync('java', ['-cp', `${dir}:${classpath}`, 'JuteGolden'], { encoding: 'utf8' });
    assert.equal(ran.status, 0, `java failed: ${ran.stderr}`);
    const out = new Map<string, Buffer>();
    for (const line of ran.stdout.trim().split('\n')) {
      const [name, hex] = line.split(' ');
      assert.ok(name !== undefined && hex !== undefined, `bad line ${line}`);
      out.set(name, Buffer.from(hex, 'hex'));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const golden = javaGolden();
const skip = typeof golden === 'string' ? golden : false;

function sampleRequest<T extends ClientRequest['type']>(type: T): ClientRequest {
  const found = sampleRequests.find((request) => request.type === type);
  assert.ok(found !== undefined);
  return found;
}

function sampleResponse<T extends ClientResponse['type']>(type: T): ClientResponse {
  const found = sampleResponses.find((response) => response.type === type);
  assert.ok(found !== undefined);
  return found;
}

/** Java golden name → the request header xid it was printed with and the sample. */
const requestCases: { name: string; xid: number; request: ClientRequest }[] = [
  { name: 'create', xid: 17, request: sampleRequest(OpCode.create) },
  { name: 'create2', xid: 18, request: sampleRequest(OpCode.create2) },
  { name: 'createTTL', xid: 19, request: sampleRequest(OpCode.createTTL) },
  { name: 'getData', xid: 20, request: sampleRequest(OpCode.getData) },
  { name: 'exists', xid: 24, request: sampleRequest(OpCode.exists) },
  { name: 'setData', xid: 25, request: sampleRequest(OpCode.setData) },
  { name: 'delete', xid: 26, request: sampleRequest(OpCode.delete) },
  { name: 'setACL', xid: 27, request: sampleRequest(OpCode.setACL) },
  { name: 'getEphemerals', xid: 28, request: sampleRequest(OpCode.getEphemerals) },
  { name: 'removeWatches', xid: 29, request: sampleRequest(OpCode.removeWatches) },
  { name: 'addWatch', xid: 22, request: sampleRequest(OpCode.addWatch) },
  { name: 'ping', xid: Xid.ping, request: { type: OpCode.ping } },
  { name: 'auth', xid: Xid.auth, request: sampleRequest(OpCode.auth) },
  { name: 'setWatches2', xid: Xid.setWatches, request: sampleRequest(OpCode.setWatches2) },
  { name: 'reconfig', xid: 30, request: sampleRequest(OpCode.reconfig) },
  {
    name: 'multi',
    xid: 21,
    request: {
      type: OpCode.multi,
      ops: [
        { type: OpCode.create, path: '/m1', data: new TextEncoder().encode('1'), acl: sampleAcl, flags: 0 },
        { type: OpCode.delete, path: '/m0', version: 3 },
        { type: OpCode.setData, path: '/m1', data: new TextEncoder().encode('z'), version: -1 },
        { type: OpCode.check, path: '/m1', version: 1 },
      ],
    },
  },
  { name: 'multiRead', xid: 31, request: sampleRequest(OpCode.multiRead) },
];

const replyHeader = { xid: 23, zxid: 0x300000007n, err: 0 };
const replyCases: { name: string; response: ClientResponse }[] = [
  { name: 'replyGetData', response: sampleResponse(OpCode.getData) },
  { name: 'replyCreate2', response: sampleResponse(OpCode.create2) },
  { name: 'replyGetChildren2', response: { type: OpCode.getChildren2, children: ['x', 'y', 'zé'], stat: sampleStat } },
  { name: 'replyGetACL', response: sampleResponse(OpCode.getACL) },
  { name: 'replyExists', response: sampleResponse(OpCode.exists) },
  { name: 'replySync', response: sampleResponse(OpCode.sync) },
  { name: 'replyAddWatch', response: sampleResponse(OpCode.addWatch) },
  { name: 'replyWhoAmI', response: sampleResponse(OpCode.whoAmI) },
  { name: 'replyMulti', response: sampleResponse(OpCode.multi) },
  { name: 'replyMultiRead', response: sampleResponse(OpCode.multiRead) },
];

function expected(name: string): Buffer {
  assert.ok(typeof golden !== 'string');
  const bytes = golden.get(name);
  assert.ok(bytes !== undefined, `JuteGolden printed no ${name}`);
  return bytes;
}

/** The frame body of an encoded frame, after checking its prefix. */
function unframe(frame: Buffer): Buffer {
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  return frame.subarray(4);
}

for (const { name, xid, request } of requestCases) {
  test(`java golden: request ${name}`, { skip }, () => {
    const header = { xid, type: request.type };
    assert.equal(unframe(encodeRequest(header, request)).toString('hex'), expected(name).toString('hex'));
    assert.deepEqual(decodeRequest(expected(name)), { header, request });
  });
}

for (const { name, response } of replyCases) {
  test(`java golden: reply ${name}`, { skip }, () => {
    assert.equal(unframe(encodeReply(replyHeader, response)).toString('hex'), expected(name).toString('hex'));
    assert.deepEqual(decodeReply(expected(name), response.type), { header: replyHeader, response });
  });
}

test('java golden: error reply is the header only', { skip }, () => {
  const header = { xid: 5, zxid: 9n, err: -101 };
  assert.equal(unframe(encodeReply(header, sampleResponse(OpCode.getData))).toString('hex'), expected('replyError').toString('hex'));
});

test('java golden: notification', { skip }, () => {
  const event = { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/a' };
  assert.equal(unframe(encodeWatcherEvent(event)).toString('hex'), expected('notification').toString('hex'));
  assert.deepEqual(decodeNotification(expected('notification')).event, event);
});

test('java golden: Stat', { skip }, () => {
  const writer = new JuteWriter(8);
  writeStat(writer, sampleStat);
  assert.equal(writer.toBuffer().toString('hex'), expected('stat').toString('hex'));
  assert.deepEqual(readStat(new JuteReader(expected('stat'))), sampleStat);
});

test('java golden: connect request and response (with readOnly)', { skip }, () => {
  const request = { protocolVersion: 0, lastZxidSeen: 0x1234n, timeOut: 30000, sessionId: -2n, passwd: new Uint8Array(16).fill(7), readOnly: true };
  assert.equal(unframe(encodeConnectRequest(request)).toString('hex'), expected('connectRequest').toString('hex'));
  assert.deepEqual(decodeConnectRequest(expected('connectRequest')), { ...request, omitsReadOnly: false });
  const response = { protocolVersion: 0, timeOut: 4000, sessionId: 0x1000000abn, passwd: new Uint8Array(16).fill(1), readOnly: false };
  assert.equal(unframe(encodeConnectResponse(response)).toString('hex'), expected('connectResponse').toString('hex'));
  assert.deepEqual(decodeConnectResponse(expected('connectResponse')), { ...response, omitsReadOnly: false });
});

/**
 * Valid requests of every client opcode, built from a seeded PRNG and
 * encoded with @corral/wire's client encoders. "Valid" means well-formed
 * on the wire: field values are drawn from both sensible and out-of-range
 * sets (versions, flags, TTLs, ACL lists, paths, data sizes), because
 * everything the server asserts on later must be refused before it is
 * logged (issue 7, item 2).
 */
import { Buffer } from 'node:buffer';
import { OpCode, encodeRequest, type ACL, type ClientRequest, type MultiOp } from '@corral/wire';
import { canaryPaths, canaryUser } from './canary.js';
import type { Prng } from './prng.js';

const int32Edges = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 1000, 0x7ffffffe];
const int64Edges = [0n, 1n, -1n, -9n, 0x7fffffffffffffffn, -0x8000000000000000n, 1000n, 60_000n, 0xffffffffffn];

/**
 * Paths the fuzz writes to, plus (below) the canary and system paths it must
 * not be able to damage. Some sit right under the root, whose ACL lets
 * anyone create: a random ACL on /fuzz often locks the fuzz out of its own
 * subtree, and creates that fail on a missing or closed parent test little.
 */
const fuzzPaths = ['/fuzz', '/fuzz/a', '/fuzz/b', '/fuzz/a/x', '/fuzz/c', '/fuzz/ttl', '/fuzz/ctr', '/fuzz/ctr/k', '/f0', '/f1', '/f2', '/f3'];
const oddPaths = [
  '', '/', '//', '/fuzz/', 'fuzz', '/fuzz//a', '/.', '/..', '/fuzz/.', '/fuzz/..', '/a\u0000b', '/\u{1F600}',
  '/zookeeper', '/zookeeper/quota', '/zookeeper/config', `/${'x'.repeat(300)}`, `/fuzz/${'y'.repeat(4000)}`,
  '/\ud800', '/fuzz/\u0001', ' ', '/fuzz/a/x/y/z',
];

/** A path: mostly the fuzz subtree, sometimes a canary or malformed one. */
export function randomPath(prng: Prng): string {
  const roll = prng.below(10);
  if (roll < 6) return prng.pick(fuzzPaths);
  if (roll < 8) return prng.pick(canaryPaths);
  return prng.pick(oddPaths);
}

function randomInt32(prng: Prng, usual: () => number): number {
  return prng.chance(0.7) ? usual() : prng.pick(int32Edges);
}

function randomVersion(prng: Prng): number {
  return randomInt32(prng, () => prng.between(-1, 3));
}

function randomData(prng: Prng): Uint8Array {
  const roll = prng.below(100);
  if (roll < 60) return prng.bytes(prng.below(32));
  if (roll < 90) return prng.bytes(prng.below(4096));
  if (roll < 98) return prng.bytes(prng.below(200_000));
  return new Uint8Array(prng.pick([1_048_000, 1_048_575 - 64, 1_048_576]));
}

const schemes = ['world', 'digest', 'ip', 'auth', 'sasl', 'x509', 'super', '', 'nonsense'];

function randomAcl(prng: Prng): ACL[] {
  const roll = prng.below(10);
  if (roll < 5) return [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
  if (roll === 5) return [];
  const count = prng.chance(0.9) ? prng.between(1, 4) : prng.between(100, 2000);
  const acl: ACL[] = [];
  for (let i = 0; i < count; i++) {
    const scheme = prng.pick(schemes);
    const id = prng.pick(['anyone', '127.0.0.1', '127.0.0.0/8', '10.0.0.1/99', `${canaryUser}:wrong`, 'u:p', '', 'x'.repeat(prng.below(5000))]);
    acl.push({ perms: randomInt32(prng, () => prng.below(32)), id: { scheme, id } });
  }
  return acl;
}

function randomFlags(prng: Prng): number {
  return randomInt32(prng, () => prng.below(7));
}

function randomTtl(prng: Prng): bigint {
  return prng.chance(0.6) ? BigInt(prng.between(1, 100_000)) : prng.pick(int64Edges);
}

function randomLong(prng: Prng): bigint {
  return prng.chance(0.5) ? BigInt(prng.uint32()) : prng.pick(int64Edges);
}

function randomPaths(prng: Prng): string[] {
  const count = prng.chance(0.95) ? prng.below(4) : prng.between(100, 3000);
  return Array.from({ length: count }, () => randomPath(prng));
}

function randomMultiOp(prng: Prng, read: boolean, skipOpcodes: ReadonlySet<number>): MultiOp {
  if (read && prng.chance(0.9)) return { type: prng.pick([OpCode.getData, OpCode.getChildren]), path: randomPath(prng), watch: prng.chance(0.5) };
  const request = randomRequest(prng, allowed(prng.pick(multiOpcodes), skipOpcodes), skipOpcodes);
  return request as MultiOp;
}

/** `type`, or getData when the run excludes it (so one seed keeps the same shape with or without exclusions). */
function allowed(type: number, skipOpcodes: ReadonlySet<number>): number {
  return skipOpcodes.has(type) ? OpCode.getData : type;
}

const multiOpcodes = [OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL, OpCode.delete, OpCode.setData, OpCode.check, OpCode.getData, OpCode.getChildren];

/** Every opcode a client request record exists for, plus server-only ones (deleteContainer) a client must not be able to use. */
export const requestOpcodes: readonly number[] = [
  OpCode.create, OpCode.delete, OpCode.exists, OpCode.getData, OpCode.setData, OpCode.getACL, OpCode.setACL,
  OpCode.getChildren, OpCode.sync, OpCode.ping, OpCode.getChildren2, OpCode.check, OpCode.multi, OpCode.create2,
  OpCode.reconfig, OpCode.checkWatches, OpCode.removeWatches, OpCode.createContainer, OpCode.deleteContainer,
  OpCode.createTTL, OpCode.multiRead, OpCode.auth, OpCode.setWatches, OpCode.sasl, OpCode.getEphemerals,
  OpCode.getAllChildrenNumber, OpCode.setWatches2, OpCode.addWatch, OpCode.whoAmI, OpCode.closeSession,
];

/** Opcodes with no client record: the server must answer or close, never act. */
const headerOnlyOpcodes = [OpCode.notification, OpCode.createSession, OpCode.error, 10, 23, 99, 108, 0x7fffffff, -0x80000000];

/** A well-formed request record of opcode `type` with random fields. */
export function randomRequest(prng: Prng, type: number, skipOpcodes: ReadonlySet<number> = new Set()): ClientRequest {
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return { type, path: randomPath(prng), data: randomData(prng), acl: randomAcl(prng), flags: randomFlags(prng) };
    case OpCode.createTTL:
      return { type, path: randomPath(prng), data: randomData(prng), acl: randomAcl(prng), flags: randomFlags(prng), ttl: randomTtl(prng) };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type, path: randomPath(prng), version: randomVersion(prng) };
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return { type, path: randomPath(prng), watch: prng.chance(0.5) };
    case OpCode.setData:
      return { type, path: randomPath(prng), data: randomData(prng), version: randomVersion(prng) };
    case OpCode.getACL:
    case OpCode.getAllChildrenNumber:
    case OpCode.sync:
      return { type, path: randomPath(prng) };
    case OpCode.getEphemerals:
      return { type, prefixPath: randomPath(prng) };
    case OpCode.setACL:
      return { type, path: randomPath(prng), acl: randomAcl(prng), version: randomVersion(prng) };
    case OpCode.check:
      return { type, path: randomPath(prng), version: randomVersion(prng) };
    case OpCode.multi:
    case OpCode.multiRead: {
      const count = prng.chance(0.95) ? prng.below(8) : prng.between(100, 2000);
      const read = type === OpCode.multiRead;
      return { type, ops: Array.from({ length: count }, () => randomMultiOp(prng, read, skipOpcodes)) };
    }
    case OpCode.auth: {
      const auth = prng.pick([`${canaryUser}:wrong`, 'u:p', '', ':', 'x'.repeat(prng.below(10_000)), '127.0.0.1']);
      return { type, authType: randomInt32(prng, () => 0), scheme: prng.pick(schemes), auth: Buffer.from(auth) };
    }
    case OpCode.setWatches:
      return { type, relativeZxid: randomLong(prng), dataWatches: randomPaths(prng), existWatches: randomPaths(prng), childWatches: randomPaths(prng) };
    case OpCode.setWatches2:
      return {
        type, relativeZxid: randomLong(prng), dataWatches: randomPaths(prng), existWatches: randomPaths(prng),
        childWatches: randomPaths(prng), persistentWatches: randomPaths(prng), persistentRecursiveWatches: randomPaths(prng),
      };
    case OpCode.addWatch:
      return { type, path: randomPath(prng), mode: randomInt32(prng, () => prng.below(2)) };
    case OpCode.checkWatches:
    case OpCode.removeWatches:
      return { type, path: randomPath(prng), watcherType: randomInt32(prng, () => prng.between(1, 3)) };
    case OpCode.reconfig:
      return { type, joiningServers: prng.chance(0.5) ? null : 'server.9=127.0.0.1:1:2', leavingServers: prng.chance(0.5) ? null : '1', newMembers: null, curConfigId: randomLong(prng) };
    case OpCode.sasl:
      return { type, token: prng.bytes(prng.below(64)) };
    case OpCode.ping:
    case OpCode.whoAmI:
    case OpCode.closeSession:
      return { type };
    default:
      throw new RangeError(`no request record for opcode ${type}`);
  }
}

function randomXid(prng: Prng, nextXid: number): number {
  return prng.chance(0.9) ? nextXid : prng.pick([-1, -2, -4, -8, 0, 0x7fffffff, -0x80000000, nextXid - 1]);
}

/**
 * One complete request frame (length prefix included), of no opcode in
 * `skipOpcodes` (a long run may leave out a known bug being fixed elsewhere,
 * so it keeps finding others). closeSession is
 * rare, so most connections get to send several requests; auth and
 * setWatches usually carry their special xids as real clients send them.
 */
export function randomRequestFrame(prng: Prng, nextXid: number, skipOpcodes: ReadonlySet<number>): Uint8Array {
  if (prng.chance(0.03)) {
    const body = prng.bytes(prng.below(64));
    const frame = Buffer.alloc(12 + body.length);
    frame.writeInt32BE(8 + body.length, 0);
    frame.writeInt32BE(randomXid(prng, nextXid), 4);
    frame.writeInt32BE(allowed(prng.pick(headerOnlyOpcodes), skipOpcodes), 8);
    frame.set(body, 12);
    return frame;
  }
  let type = allowed(prng.pick(requestOpcodes), skipOpcodes);
  if (type === OpCode.closeSession && prng.chance(0.8)) type = OpCode.getData;
  const request = randomRequest(prng, type, skipOpcodes);
  let xid = randomXid(prng, nextXid);
  if (type === OpCode.auth && prng.chance(0.8)) xid = -4;
  if ((type === OpCode.setWatches || type === OpCode.setWatches2) && prng.chance(0.8)) xid = -8;
  return encodeRequest({ xid, type }, request);
}

/**
 * The canary: a subtree only one digest identity may change, created before
 * the fuzz starts. No request the fuzz can make (it never knows the
 * password) may change its data, versions, children or ACLs; the oracle
 * compares a quick view every second and everything at the end.
 * /canary/big holds 1 MB that every client may read, for the connection
 * that pipelines reads and never reads the replies.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { OpCode, type ACL, type ClientRequest, type Stat } from '@corral/wire';
import type { OracleClient, Reply } from './client.js';

/** The digest user owning the canary. The generator uses it only with wrong passwords. */
export const canaryUser = 'fuzz-canary';
const canaryPassword = 'the-fuzzer-never-sends-this';

/** The canary nodes, parents first. */
export const canaryPaths: readonly string[] = ['/canary', '/canary/c0', '/canary/c1', '/canary/big'];

/** Size of /canary/big. */
export const canaryBigBytes = 1_000_000;

const ownerId = { scheme: 'digest', id: `${canaryUser}:${createHash('sha1').update(`${canaryUser}:${canaryPassword}`).digest('base64')}` };
const ownerAcl: ACL[] = [{ perms: 31, id: ownerId }];
const bigAcl: ACL[] = [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }, { perms: 31, id: ownerId }];

/** What the oracle remembers of one canary node. */
interface NodeView {
  readonly stat: Stat;
  readonly dataSha1: string;
  readonly acl: readonly ACL[];
  readonly children: readonly string[];
}

/** The canary as created; compare() reports every difference from it. */
export type CanaryView = ReadonlyMap<string, NodeView>;

async function ok(client: OracleClient, request: ClientRequest): Promise<Reply> {
  const reply = await client.request(request);
  if (reply.header.err !== 0) throw new Error(`canary: opcode ${request.type} on ${'path' in request ? request.path : ''} failed with err ${reply.header.err}`);
  return reply;
}

/** Authenticates `client` as the canary owner. */
export async function authenticateOwner(client: OracleClient): Promise<void> {
  await ok(client, { type: OpCode.auth, authType: 0, scheme: 'digest', auth: Buffer.from(`${canaryUser}:${canaryPassword}`) });
}

/** Creates the canary (the client must be the owner) and returns its view. */
export async function createCanary(client: OracleClient): Promise<CanaryView> {
  await ok(client, { type: OpCode.create, path: '/canary', data: Buffer.from('canary root'), acl: ownerAcl, flags: 0 });
  await ok(client, { type: OpCode.create, path: '/canary/c0', data: Buffer.from('c0 v0'), acl: ownerAcl, flags: 0 });
  // Two updates so versions other than 0 are checked too.
  await ok(client, { type: OpCode.setData, path: '/canary/c0', data: Buffer.from('c0 v1'), version: 0 });
  await ok(client, { type: OpCode.setData, path: '/canary/c0', data: Buffer.from('c0 v2'), version: 1 });
  await ok(client, { type: OpCode.create, path: '/canary/c1', data: new Uint8Array(0), acl: ownerAcl, flags: 0 });
  await ok(client, { type: OpCode.setACL, path: '/canary/c1', acl: ownerAcl, version: 0 });
  const big = Buffer.alloc(canaryBigBytes);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  await ok(client, { type: OpCode.create, path: '/canary/big', data: big, acl: bigAcl, flags: 0 });
  await ok(client, { type: OpCode.create, path: barrierPath, data: new Uint8Array(0), acl: ownerAcl, flags: 0 });
  return readCanary(client);
}

/** A node outside the canary that only the owner writes, for barrier(). */
const barrierPath = '/fuzz-oracle-barrier';

/**
 * A write by the owner, answered only after every txn logged before it was
 * applied: after a barrier, a check sees the effect of every request the
 * fuzz sent before it (reads on another session are not ordered after them).
 */
export async function barrier(client: OracleClient): Promise<void> {
  await ok(client, { type: OpCode.setData, path: barrierPath, data: new Uint8Array(0), version: -1 });
}

/** Reads the whole canary: data, stat, ACL and children of every node. */
export async function readCanary(client: OracleClient): Promise<CanaryView> {
  const view = new Map<string, NodeView>();
  for (const path of canaryPaths) {
    const data = await client.request({ type: OpCode.getData, path, watch: false });
    if (data.header.err !== 0 || data.response?.type !== OpCode.getData) {
      view.set(path, { stat: missingStat, dataSha1: `err ${data.header.err}`, acl: [], children: [] });
      continue;
    }
    const acl = await ok(client, { type: OpCode.getACL, path });
    const children = await ok(client, { type: OpCode.getChildren, path, watch: false });
    view.set(path, {
      stat: data.response.stat,
      dataSha1: data.response.data === null ? 'null' : createHash('sha1').update(data.response.data).digest('hex'),
      acl: acl.response?.type === OpCode.getACL ? acl.response.acl : [],
      children: children.response?.type === OpCode.getChildren ? [...children.response.children].sort() : [],
    });
  }
  return view;
}

const missingStat: Stat = { czxid: 0n, mzxid: 0n, ctime: 0, mtime: 0, version: -1, cversion: -1, aversion: -1, ephemeralOwner: 0n, dataLength: -1, numChildren: -1, pzxid: 0n };

/**
 * The quick per-second check: the stat of every canary node (a changed,
 * added or removed child shows in the parent's cversion, numChildren and
 * pzxid). Returns the differences, empty when intact.
 */
export async function quickCheck(client: OracleClient, created: CanaryView): Promise<string[]> {
  const problems: string[] = [];
  for (const [path, want] of created) {
    const reply = await client.request({ type: OpCode.exists, path, watch: false });
    const stat = reply.header.err === 0 && reply.response?.type === OpCode.exists ? reply.response.stat : null;
    if (stat === null) problems.push(`${path}: exists answered err ${reply.header.err}`);
    else if (!isDeepStrictEqual(stat, want.stat)) problems.push(`${path}: stat changed from ${describe(want.stat)} to ${describe(stat)}`);
  }
  return problems;
}

/** Every difference between two full views. */
export function compareCanary(created: CanaryView, now: CanaryView): string[] {
  const problems: string[] = [];
  for (const [path, want] of created) {
    const got = now.get(path);
    if (got === undefined) problems.push(`${path}: not read`);
    else if (!isDeepStrictEqual(got, want)) problems.push(`${path}: was ${JSON.stringify(want, bigintJson)}, now ${JSON.stringify(got, bigintJson)}`);
  }
  return problems;
}

function describe(stat: Stat): string {
  return JSON.stringify(stat, bigintJson);
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Snapshots: the tree as a sequence of bounded chunks, so the server can
 * write them across event-loop turns while it keeps applying txns (a fuzzy
 * snapshot, as ZooKeeper's: the header zxid is taken first, and replaying
 * the log from header zxid + 1 with `{ replay: true }` repairs whatever
 * changed during the walk).
 *
 * Chunk: u32 magic, u8 format version, u32 chunk index, records, u32
 * checksum of all preceding chunk bytes. A record never spans chunks.
 * Records: START(zxid) first; SESSION; ACL(index, list) before first use;
 * EPHEMERAL(sessionId, path) for each ephemeral at the start of the walk
 * (format 2; replay needs the ones deleted during the walk, see
 * DataTree.restoreEphemeralAtStart); NODE(path, data (null data is length
 * 0xffffffff, absent from snapshots written before null was kept, so those
 * read unchanged), aclIndex, persisted stat), parent before child (a node
 * deleted and re-created during the walk may appear twice: the later wins);
 * END(counts, zxid and digest at the end of the walk) last. Format 1 (no
 * EPHEMERAL records) still loads.
 */
import { assert } from '@corral/base';
import type { ACL } from './acl.js';
import { ByteReader, ByteWriter } from './byte-io.js';
import { DataTree } from './data-tree.js';
import { CorruptDataError } from './errors.js';
import { checksum32 } from './hash.js';
import {
  dataBytesMax,
  pathBytesMax,
  snapshotAclListsMax,
  snapshotChunkBytes,
  snapshotChunkBytesMax,
  snapshotNodesMax,
  snapshotSessionsMax,
} from './limits.js';
import type { StatPersisted } from './stat.js';

const chunkMagic = 0x4352534e; // "CRSN"
const noOwner = 0n;
/** Version of the snapshot format; bump on any layout change. 2 added EPHEMERAL records. */
export const snapshotFormatVersion = 2;
/** Older formats the loader still reads. */
const snapshotFormatVersionsReadable: ReadonlySet<number> = new Set([1, snapshotFormatVersion]);

const Tag = { start: 1, session: 2, acl: 3, node: 4, end: 5, ephemeral: 6 } as const;

/** Options of serializeSnapshot. */
export interface SerializeSnapshotOptions {
  /** Target chunk size, 1..snapshotChunkBytes (tests use tiny chunks to interleave txns). */
  readonly chunkBytes?: number;
}

/** Serializes a tree as chunks of about snapshotChunkBytes. Lazy: the tree may change between chunks. */
export function* serializeSnapshot(tree: DataTree, options: SerializeSnapshotOptions = {}): Generator<Uint8Array, void, undefined> {
  const chunkBytes = options.chunkBytes ?? snapshotChunkBytes;
  assert(Number.isSafeInteger(chunkBytes) && chunkBytes > 0 && chunkBytes <= snapshotChunkBytes, `bad chunkBytes ${chunkBytes}`);
  let chunkIndex = 0;
  let out = startChunk(chunkIndex);
  // Each record is followed by `if (out.size >= chunkBytes) { yield …; out = startChunk(…) }`
  // written out: a helper generator delegated to with yield* cost one generator per znode.
  out.u8(Tag.start);
  out.i64(tree.lastProcessedZxid);
  const startZxid = tree.lastProcessedZxid;
  // Copied before the first chunk is yielded: the state at START, whatever
  // the walk later sees.
  const ephemeralsAtStart: [bigint, string][] = [];
  for (const sessionId of tree.ephemeralSessions()) {
    for (const path of tree.ephemerals(sessionId)) ephemeralsAtStart.push([sessionId, path]);
  }
  let sessionCount = 0;
  for (const [sessionId, timeOut] of [...tree.sessions()]) {
    out.u8(Tag.session);
    out.i64(sessionId);
    out.i32(timeOut);
    sessionCount++;
    if (out.size >= chunkBytes) {
      yield finishChunk(out);
      out = startChunk(++chunkIndex);
    }
  }
  for (const [sessionId, path] of ephemeralsAtStart) {
    out.u8(Tag.ephemeral);
    out.i64(sessionId);
    out.string(path);
    if (out.size >= chunkBytes) {
      yield finishChunk(out);
      out = startChunk(++chunkIndex);
    }
  }
  const aclIndexes = new Map<readonly ACL[], number>();
  let nodeCount = 0;
  // Insertion order is parent-first (DataTree.nodeEntries), so no path
  // lookups are needed; nodes added during the walk are visited at the end.
  for (const [path, node] of tree.nodeEntries()) {
    let aclIndex = aclIndexes.get(node.acl);
    if (aclIndex === undefined) {
      aclIndex = aclIndexes.size;
      aclIndexes.set(node.acl, aclIndex);
      out.u8(Tag.acl);
      out.u32(aclIndex);
      out.acl(node.acl);
    }
    writeNode(out, path, node, aclIndex);
    nodeCount++;
    if (out.size >= chunkBytes) {
      yield finishChunk(out);
      out = startChunk(++chunkIndex);
    }
  }
  out.u8(Tag.end);
  out.u32(nodeCount);
  out.u32(sessionCount);
  out.u32(aclIndexes.size);
  out.i64(startZxid);
  out.i64(tree.lastProcessedZxid);
  // 0 = no digest: recomputing one for a tree that does not keep it would cost another walk.
  out.i64(tree.hasIncrementalDigest ? tree.digest() : 0n);
  yield finishChunk(out);
}

function startChunk(index: number): ByteWriter {
  const out = new ByteWriter(snapshotChunkBytesMax, snapshotChunkBytes + 4096);
  out.u32(chunkMagic);
  out.u8(snapshotFormatVersion);
  out.u32(index);
  return out;
}

function finishChunk(out: ByteWriter): Uint8Array {
  out.u32(checksum32(out.finish()));
  return out.finish();
}

function writeNode(out: ByteWriter, path: string, node: Readonly<StatPersisted> & { data: Uint8Array | null }, aclIndex: number): void {
  out.u8(Tag.node);
  out.string(path);
  out.nodeData(node.data);
  out.u32(aclIndex);
  out.i64(node.czxid);
  out.i64(node.mzxid);
  out.i64(node.pzxid);
  out.f64(node.ctime);
  out.f64(node.mtime);
  out.i32(node.version);
  out.i32(node.cversion);
  out.i32(node.aversion);
  out.i64(node.ephemeralOwner);
}

/** Loader state across chunks. */
class SnapshotLoader {
  readonly tree: DataTree;

  constructor(options: DeserializeSnapshotOptions) {
    this.tree = new DataTree({ empty: true, incrementalDigest: options.incrementalDigest ?? true });
  }

  readonly acls = new Map<number, ACL[]>();
  readonly sessions = new Map<bigint, number>();
  readonly ephemeralsAtStart: [bigint, string][] = [];
  startZxid: bigint | undefined = undefined;
  /** The zxid the tree stood at when the walk ended (END). */
  endZxid: bigint | undefined = undefined;
  nodeCount = 0;
  ended = false;
  chunkIndex = 0;

  chunk(bytes: Uint8Array): void {
    if (this.ended) throw new CorruptDataError('chunk after END record');
    if (bytes.length > snapshotChunkBytesMax) throw new CorruptDataError(`snapshot chunk of ${bytes.length} bytes over limit`);
    if (bytes.length < 13) throw new CorruptDataError('snapshot chunk too short');
    const body = bytes.subarray(0, bytes.length - 4);
    const trailer = new ByteReader(bytes.subarray(bytes.length - 4));
    if (trailer.u32('checksum') !== checksum32(body)) throw new CorruptDataError(`snapshot chunk ${this.chunkIndex} checksum mismatch`);
    const input = new ByteReader(body);
    if (input.u32('magic') !== chunkMagic) throw new CorruptDataError('not a snapshot chunk');
    const version = input.u8('snapshot format version');
    if (!snapshotFormatVersionsReadable.has(version)) throw new CorruptDataError(`unknown snapshot format version ${version}`);
    const index = input.u32('chunk index');
    if (index !== this.chunkIndex) throw new CorruptDataError(`chunk ${index} where ${this.chunkIndex} expected`);
    this.chunkIndex++;
    while (input.remaining > 0) this.record(input);
  }

  private record(input: ByteReader): void {
    const tag = input.u8('record tag');
    if (this.startZxid === undefined && tag !== Tag.start) throw new CorruptDataError('snapshot does not begin with START');
    if (this.ended) throw new CorruptDataError('record after END');
    switch (tag) {
      case Tag.start:
        if (this.startZxid !== undefined) throw new CorruptDataError('second START record');
        this.startZxid = input.i64('zxid');
        return;
      case Tag.session:
        if (this.sessions.size >= snapshotSessionsMax) throw new CorruptDataError('too many sessions');
        this.sessions.set(input.i64('sessionId'), input.i32('timeOut'));
        return;
      case Tag.acl: {
        const index = input.u32('ACL index');
        if (index !== this.acls.size || index >= snapshotAclListsMax) throw new CorruptDataError(`ACL index ${index} out of order`);
        this.acls.set(index, input.acl('snapshot'));
        return;
      }
      case Tag.ephemeral:
        if (this.ephemeralsAtStart.length >= snapshotNodesMax) throw new CorruptDataError('too many ephemerals');
        this.ephemeralsAtStart.push([input.i64('sessionId'), input.string('path', pathBytesMax)]);
        return;
      case Tag.node:
        this.node(input);
        return;
      case Tag.end:
        this.end(input);
        return;
      default:
        throw new CorruptDataError(`unknown snapshot record tag ${tag}`);
    }
  }

  private node(input: ByteReader): void {
    if (this.nodeCount >= snapshotNodesMax) throw new CorruptDataError('too many nodes');
    const path = input.string('path', pathBytesMax);
    const data = input.nodeData('data', dataBytesMax);
    const acl = this.acls.get(input.u32('ACL index'));
    if (acl === undefined) throw new CorruptDataError(`node ${path} refers to an undefined ACL list`);
    // Equal zxids share one bigint (a bigint is a heap object each): most
    // nodes were never changed, so czxid, mzxid and pzxid are one value.
    const czxid = input.i64('czxid');
    const mzxidRead = input.i64('mzxid');
    const pzxidRead = input.i64('pzxid');
    const mzxid = mzxidRead === czxid ? czxid : mzxidRead;
    const pzxid = pzxidRead === czxid ? czxid : pzxidRead === mzxid ? mzxid : pzxidRead;
    const ctime = input.f64('ctime');
    const mtime = input.f64('mtime');
    const version = input.i32('version');
    const cversion = input.i32('cversion');
    const aversion = input.i32('aversion');
    const owner = input.i64('ephemeralOwner');
    const stat: StatPersisted = {
      czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner: owner === 0n ? noOwner : owner,
    };
    if (!path.startsWith('/') || (this.nodeCount === 0) !== (path === '/')) throw new CorruptDataError(`bad node path ${path}`);
    if (!this.tree.restoreNode(path, data, acl, stat)) throw new CorruptDataError(`node ${path} without parent or duplicated`);
    this.nodeCount++;
  }

  private end(input: ByteReader): void {
    const nodeCount = input.u32('node count');
    const sessionCount = input.u32('session count');
    const aclCount = input.u32('ACL count');
    const startZxid = input.i64('start zxid');
    const endZxid = input.i64('end zxid');
    const digest = BigInt.asUintN(64, input.i64('digest'));
    if (nodeCount !== this.nodeCount || sessionCount !== this.sessions.size || aclCount !== this.acls.size) {
      throw new CorruptDataError('snapshot counts do not match its records');
    }
    if (startZxid !== this.startZxid) throw new CorruptDataError('END zxid differs from START');
    if (endZxid < startZxid) throw new CorruptDataError('END zxid below START');
    this.endZxid = endZxid;
    this.tree.restoreMeta(startZxid, this.sessions);
    for (const [sessionId, path] of this.ephemeralsAtStart) this.tree.restoreEphemeralAtStart(sessionId, path);
    // Only a snapshot taken while nothing was applied reflects exactly one zxid.
    if (endZxid === startZxid && digest !== 0n && this.tree.hasIncrementalDigest && this.tree.digest() !== digest) {
      throw new CorruptDataError('snapshot digest mismatch');
    }
    this.ended = true;
  }
}

/**
 * Loads chunks from serializeSnapshot into a new tree whose
 * lastProcessedZxid is the snapshot's START zxid; throws CorruptDataError on
 * any corruption, truncation or limit breach. Replay the log after it with
 * `{ replay: true }`.
 */
/** Options of deserializeSnapshot. */
export interface DeserializeSnapshotOptions {
  /** Whether the loaded tree keeps its digest incrementally (DataTreeOptions.incrementalDigest). */
  readonly incrementalDigest?: boolean;
}

export function deserializeSnapshot(chunks: Iterable<Uint8Array>, options: DeserializeSnapshotOptions = {}): DataTree {
  const loader = createSnapshotLoader(options);
  for (const chunk of chunks) loader.push(chunk);
  return loader.finish();
}

/** Loads a snapshot one chunk at a time, so a caller reading chunks from disk holds only one. */
export interface SnapshotLoaderHandle {
  /** Validates and applies one chunk (in order). Throws CorruptDataError. */
  push(chunk: Uint8Array): void;
  /** The loaded tree; throws CorruptDataError if the END record was not seen. */
  finish(): DataTree;
  /**
   * After finish: the zxid the tree stood at when the walk ended. Replaying
   * the log from the tree's zxid up to it with `{ replay: true }` gives the
   * tree exactly as it was at this zxid (equal to the START zxid when
   * nothing was applied during the walk).
   */
  walkEndZxid(): bigint;
}

/** An incremental snapshot loader (deserializeSnapshot for streamed chunks). */
export function createSnapshotLoader(options: DeserializeSnapshotOptions = {}): SnapshotLoaderHandle {
  const loader = new SnapshotLoader(options);
  return {
    push: (chunk) => loader.chunk(chunk),
    finish: () => {
      if (!loader.ended) throw new CorruptDataError('snapshot truncated: no END record');
      return loader.tree;
    },
    walkEndZxid: () => {
      assert(loader.endZxid !== undefined, 'walkEndZxid after finish');
      return loader.endZxid;
    },
  };
}

/**
 * One znode as stored. A flat class with plain fields keeps per-node memory
 * small (no nested Stat object); the client Stat is computed on demand.
 * Fields are mutated only by DataTree; readers get it typed as ZnodeView.
 */
import type { ACL } from './acl.js';
import type { Stat, StatPersisted } from './stat.js';
import { ephemeralKind } from './stat.js';

/** Read-only view of a znode. Persisted stat fields are on the view itself (no allocation). */
export interface ZnodeView extends Readonly<StatPersisted> {
  /** The node's data; null when created or set with null (ZooKeeper's getData answers null). Owned by the tree: never mutate it. */
  readonly data: Uint8Array | null;
  /** Bytes of data: 0 for null data (DataNode.copyStat). */
  readonly dataLength: number;
  /** The node's ACL list, shared with other nodes that have the same list. Never mutate it. */
  readonly acl: readonly ACL[];
  /** A fresh client-view Stat (DataNode.copyStat) on every access. */
  readonly stat: Stat;
  /** Number of children. */
  readonly childCount: number;
  /** Child names, live: do not apply txns while iterating. */
  childNames(): Iterable<string>;
}

const noChildren: readonly string[] = Object.freeze([]);

/** The stored znode. */
export class Znode implements ZnodeView {
  data: Uint8Array | null;
  acl: readonly ACL[];
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  /** Absent while the node has no children: most znodes are leaves. */
  children: Set<string> | undefined;

  constructor(data: Uint8Array | null, acl: readonly ACL[], stat: Readonly<StatPersisted>) {
    this.data = data;
    this.acl = acl;
    this.czxid = stat.czxid;
    this.mzxid = stat.mzxid;
    this.pzxid = stat.pzxid;
    this.ctime = stat.ctime;
    this.mtime = stat.mtime;
    this.version = stat.version;
    this.cversion = stat.cversion;
    this.aversion = stat.aversion;
    this.ephemeralOwner = stat.ephemeralOwner;
    this.children = undefined;
  }

  /** Bytes of data; 0 for null data, as ZooKeeper counts it. */
  get dataLength(): number {
    return this.data === null ? 0 : this.data.length;
  }

  get childCount(): number {
    return this.children === undefined ? 0 : this.children.size;
  }

  childNames(): Iterable<string> {
    return this.children ?? noChildren;
  }

  get stat(): Stat {
    const numChildren = this.childCount;
    return {
      czxid: this.czxid,
      mzxid: this.mzxid,
      ctime: this.ctime,
      mtime: this.mtime,
      version: this.version,
      // DataNode.copyStat: persisted cversion counts creates; clients see creates + deletes.
      cversion: this.cversion * 2 - numChildren,
      aversion: this.aversion,
      ephemeralOwner: ephemeralKind(this.ephemeralOwner) === 'ephemeral' ? this.ephemeralOwner : 0n,
      // DataNode.copyStat: null data has length 0.
      dataLength: this.dataLength,
      numChildren,
      pzxid: this.pzxid,
    };
  }

  addChild(name: string): void {
    if (this.children === undefined) this.children = new Set();
    this.children.add(name);
  }

  /** Adds a child name; false if the node already had it. */
  addChildIfAbsent(name: string): boolean {
    if (this.children === undefined) this.children = new Set();
    const before = this.children.size;
    this.children.add(name);
    return this.children.size !== before;
  }

  removeChild(name: string): void {
    if (this.children === undefined) return;
    this.children.delete(name);
    if (this.children.size === 0) this.children = undefined;
  }
}

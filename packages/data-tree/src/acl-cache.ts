/**
 * Interning of ACL lists, ZooKeeper's ReferenceCountedACLCache idea: nodes
 * with equal ACL lists share one frozen array, and a list is dropped when
 * the last node using it goes. Most trees have a handful of distinct lists,
 * so this saves an array and its entries per znode.
 */
import type { ACL } from './acl.js';
import { assert } from '@corral/base';
import { Hash64 } from './hash.js';

interface AclEntry {
  readonly list: readonly ACL[];
  readonly key: string;
  readonly hashLow: number;
  readonly hashHigh: number;
  refCount: number;
}

/** The key identifying an ACL list's content (order matters, as in ZooKeeper). */
function aclKey(acl: readonly ACL[]): string {
  let key = '';
  for (const entry of acl) key += `${entry.perms}|${entry.id.scheme.length}|${entry.id.scheme}|${entry.id.id.length}|${entry.id.id};`;
  return key;
}

/** Reference-counted store of shared, frozen ACL lists. */
export class AclCache {
  private readonly byKey = new Map<string, AclEntry>();
  private readonly byList = new Map<readonly ACL[], AclEntry>();
  /**
   * Lists already looked up by content, by identity: the snapshot loader
   * passes the same array for every node with that ACL, and building the
   * content key per node was most of the cost of restoring a node.
   */
  private readonly aliases = new WeakMap<readonly ACL[], AclEntry>();

  /** Number of distinct lists held. */
  get size(): number {
    return this.byKey.size;
  }

  /** Returns the shared list equal to `acl` and counts one more user. */
  acquire(acl: readonly ACL[]): readonly ACL[] {
    let entry = this.byList.get(acl);
    if (entry === undefined) {
      const alias = this.aliases.get(acl);
      // An alias is only good while its entry is still the live one for that content.
      if (alias !== undefined && this.byKey.get(alias.key) === alias) {
        entry = alias;
      } else {
        entry = this.byKey.get(aclKey(acl)) ?? this.add(acl);
        this.aliases.set(acl, entry);
      }
    }
    entry.refCount++;
    return entry.list;
  }

  /** One user of a shared list is gone. */
  release(list: readonly ACL[]): void {
    const entry = this.byList.get(list);
    assert(entry !== undefined, 'released ACL list is not in the cache');
    assert(entry.refCount > 0, 'ACL list reference count underflow');
    entry.refCount--;
    if (entry.refCount === 0) {
      this.byList.delete(list);
      this.byKey.delete(entry.key);
    }
  }

  /** Digest lanes of a shared list. */
  hashOf(list: readonly ACL[]): { low: number; high: number } {
    const entry = this.byList.get(list);
    assert(entry !== undefined, 'ACL list is not in the cache');
    return { low: entry.hashLow, high: entry.hashHigh };
  }

  private add(acl: readonly ACL[]): AclEntry {
    const key = aclKey(acl);
    const list = Object.freeze(acl.map((entry) => Object.freeze({ perms: entry.perms, id: Object.freeze({ scheme: entry.id.scheme, id: entry.id.id }) })));
    const hash = new Hash64().string(key);
    const entry: AclEntry = { list, key, hashLow: hash.low(), hashHigh: hash.high(), refCount: 0 };
    this.byKey.set(key, entry);
    this.byList.set(list, entry);
    return entry;
  }
}

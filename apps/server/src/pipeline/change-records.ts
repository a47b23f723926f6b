/**
 * Outstanding changes (ZooKeeper's PrepRequestProcessor.ChangeRecord and
 * zks.outstandingChanges): the state each path will have once the txns
 * already prepared but not yet applied are applied. Prep validates new
 * writes against this view, so pipelined writes see each other.
 */
import { assert, type Zxid } from '@corral/base';
import type { ACL, StatPersisted } from '@corral/data-tree';

/**
 * The would-be state of one path; `stat === null` means "deleted". The stat
 * is the stored form (cversion counts child creates only), as ZooKeeper's
 * ChangeRecord holds a StatPersisted.
 */
export interface ChangeRecord {
  readonly zxid: Zxid;
  readonly path: string;
  readonly stat: StatPersisted | null;
  readonly childCount: number;
  readonly acl: readonly ACL[];
  /** null data stays null (ZooKeeper keeps it apart from empty). */
  readonly data: Uint8Array | null;
}

/** The ordered log of outstanding change records, indexed by path. */
export class ChangeRecords {
  private readonly ordered: ChangeRecord[] = [];
  private headIndex = 0;
  private readonly byPath = new Map<string, ChangeRecord>();

  /** The newest outstanding record for a path, if any. */
  get(path: string): ChangeRecord | undefined {
    return this.byPath.get(path);
  }

  /** Number of records not yet retired by `applied`. */
  get size(): number {
    return this.ordered.length - this.headIndex;
  }

  add(record: ChangeRecord): void {
    const last = this.ordered[this.ordered.length - 1];
    assert(last === undefined || last.zxid <= record.zxid, 'change records are added in zxid order');
    this.ordered.push(record);
    this.byPath.set(record.path, record);
  }

  /** Retires every record with zxid ≤ `zxid`: the tree now reflects them. */
  applied(zxid: Zxid): void {
    while (this.headIndex < this.ordered.length) {
      const record = this.ordered[this.headIndex];
      assert(record !== undefined, 'record present below length');
      if (record.zxid > zxid) break;
      this.headIndex += 1;
      if (this.byPath.get(record.path) === record) this.byPath.delete(record.path);
    }
    // Compact occasionally so the array does not grow without bound.
    if (this.headIndex > 1024 && this.headIndex * 2 > this.ordered.length) {
      this.ordered.splice(0, this.headIndex);
      this.headIndex = 0;
    }
  }

  /** Visits outstanding records oldest first. */
  forEach(visit: (record: ChangeRecord) => void): void {
    for (let index = this.headIndex; index < this.ordered.length; index += 1) {
      const record = this.ordered[index];
      if (record !== undefined) visit(record);
    }
  }

  /**
   * Drops every record of `zxid`, the newest prepared txn, when the txn is
   * refused after prep (too large for the log): each path it touched goes
   * back to its previous outstanding record, or to the tree.
   */
  discard(zxid: Zxid): void {
    const touched = new Set<string>();
    while (this.ordered.length > this.headIndex) {
      const last = this.ordered[this.ordered.length - 1];
      if (last === undefined || last.zxid !== zxid) break;
      this.ordered.pop();
      touched.add(last.path);
      if (this.byPath.get(last.path) === last) this.byPath.delete(last.path);
    }
    // One backward pass finds the newest remaining record of each touched path.
    for (let index = this.ordered.length - 1; index >= this.headIndex && touched.size > 0; index -= 1) {
      const record = this.ordered[index];
      if (record === undefined || !touched.has(record.path)) continue;
      touched.delete(record.path);
      this.byPath.set(record.path, record);
    }
  }

  /** Saves the current records for `paths`, for `rollback` of a failed multi. */
  save(paths: Iterable<string>): Map<string, ChangeRecord | undefined> {
    const saved = new Map<string, ChangeRecord | undefined>();
    for (const path of paths) saved.set(path, this.byPath.get(path));
    return saved;
  }

  /** Drops every record of `zxid` (a failed multi) and restores the saved ones. */
  rollback(zxid: Zxid, saved: Map<string, ChangeRecord | undefined>): void {
    while (this.ordered.length > this.headIndex) {
      const last = this.ordered[this.ordered.length - 1];
      if (last === undefined || last.zxid !== zxid) break;
      this.ordered.pop();
      if (this.byPath.get(last.path) === last) this.byPath.delete(last.path);
    }
    for (const [path, record] of saved) {
      if (record === undefined) {
        const current = this.byPath.get(path);
        if (current?.zxid === zxid) this.byPath.delete(path);
      } else if (record.zxid !== zxid) {
        this.byPath.set(path, record);
      }
    }
  }
}

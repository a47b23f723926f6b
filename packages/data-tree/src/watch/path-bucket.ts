/**
 * The watchers of one path, packed. Each entry is one small integer,
 * `sessionIndex << 4 | kindBits`, so a watch costs no object of its own
 * (ZooKeeper's WatchManager spends a HashSet entry, a HashMap entry and a
 * WatchStats reference per watch). Three shapes, chosen by size:
 * - one entry: the packed number itself (the common case: most paths are
 *   watched by one session);
 * - up to `smallEntriesMax` entries: an exact-size number[] scanned linearly;
 * - more: an open-addressed Int32Array hash table keyed by session index,
 *   slot 0 holding the entry count, linear probing with backward-shift
 *   deletion (no tombstones), load factor at most 3/4.
 * Order of entries is deterministic (insertion order, or slot order for
 * tables), never observable as a ZooKeeper guarantee: ZooKeeper delivers one
 * trigger's events in HashSet order.
 */
import { assert } from '@corral/base';
import { watchKindMask } from './watch-kind.js';

/** The watchers of one path: a packed entry, a small array, or a hash table. */
export type PathBucket = number | number[] | Int32Array;

/** Most entries kept in a linearly scanned array before switching to a table. */
export const smallEntriesMax = 8;

const tableCapacityMin = 16;

/** Packs a session index and kind bits into one small integer. */
export function packEntry(sessionIndex: number, bits: number): number {
  return sessionIndex * 16 + bits;
}

/** The session index of a packed entry. */
export function entrySession(entry: number): number {
  return entry >>> 4;
}

/** The kind bits of a packed entry. */
export function entryBits(entry: number): number {
  return entry & watchKindMask;
}

/** Number of entries in `bucket`. */
export function bucketSize(bucket: PathBucket): number {
  if (typeof bucket === 'number') return 1;
  if (Array.isArray(bucket)) return bucket.length;
  return bucket[0] ?? 0;
}

/** The kind bits of `sessionIndex` in `bucket`, 0 when it has no entry. */
export function bucketGet(bucket: PathBucket | undefined, sessionIndex: number): number {
  if (bucket === undefined) return 0;
  if (typeof bucket === 'number') return entrySession(bucket) === sessionIndex ? entryBits(bucket) : 0;
  if (Array.isArray(bucket)) {
    for (const entry of bucket) if (entrySession(entry) === sessionIndex) return entryBits(entry);
    return 0;
  }
  const slot = tableFind(bucket, sessionIndex);
  return slot < 0 ? 0 : entryBits(bucket[slot] ?? 0);
}

/** Appends every packed entry of `bucket` to `out`. */
export function bucketCollect(bucket: PathBucket, out: number[]): void {
  if (typeof bucket === 'number') {
    out.push(bucket);
  } else if (Array.isArray(bucket)) {
    for (const entry of bucket) out.push(entry);
  } else {
    for (let i = 1; i < bucket.length; i++) {
      const entry = bucket[i] ?? 0;
      if (entry !== 0) out.push(entry);
    }
  }
}

/**
 * Sets the kind bits of `sessionIndex` (0 removes its entry) and returns the
 * bucket to store from now on, or undefined when it became empty. The bucket
 * passed in may be reused or dropped.
 */
export function bucketPut(bucket: PathBucket | undefined, sessionIndex: number, bits: number): PathBucket | undefined {
  assert(bits >= 0 && bits <= watchKindMask, `kind bits out of range: ${bits}`);
  if (bucket === undefined) return bits === 0 ? undefined : packEntry(sessionIndex, bits);
  if (typeof bucket === 'number') return putSingle(bucket, sessionIndex, bits);
  if (Array.isArray(bucket)) return putSmall(bucket, sessionIndex, bits);
  return putTable(bucket, sessionIndex, bits);
}

/**
 * A bucket holding the first `count` packed entries of `entries` (distinct
 * sessions, non-zero bits), built in one pass: a trigger that consumes
 * one-shot watches rebuilds the bucket once instead of deleting entry by entry.
 */
export function bucketFrom(entries: readonly number[], count: number): PathBucket | undefined {
  if (count === 0) return undefined;
  if (count === 1) return entries[0] ?? 0;
  if (count <= smallEntriesMax) return entries.slice(0, count);
  let capacity = tableCapacityMin;
  while (count * 4 > capacity * 3) capacity *= 2;
  const table = new Int32Array(capacity + 1);
  for (let i = 0; i < count; i++) tableInsertNew(table, entries[i] ?? 0);
  return table;
}

function putSingle(entry: number, sessionIndex: number, bits: number): PathBucket | undefined {
  if (entrySession(entry) === sessionIndex) return bits === 0 ? undefined : packEntry(sessionIndex, bits);
  if (bits === 0) return entry;
  return [entry, packEntry(sessionIndex, bits)];
}

function putSmall(entries: number[], sessionIndex: number, bits: number): PathBucket | undefined {
  const at = entries.findIndex((entry) => entrySession(entry) === sessionIndex);
  if (at >= 0 && bits !== 0) {
    entries[at] = packEntry(sessionIndex, bits);
    return entries;
  }
  if (at >= 0) return removeSmall(entries, at);
  if (bits === 0) return entries;
  if (entries.length >= smallEntriesMax) {
    const table = tableFrom(entries, tableCapacityMin);
    return putTable(table, sessionIndex, bits);
  }
  // An exact-size copy: push() would grow the backing store to 1.5n + 16
  // slots, which for a two-watcher path triples its size.
  const grown = new Array<number>(entries.length + 1);
  for (let i = 0; i < entries.length; i++) grown[i] = entries[i] ?? 0;
  grown[entries.length] = packEntry(sessionIndex, bits);
  return grown;
}

function removeSmall(entries: number[], at: number): PathBucket {
  const last = entries.length - 1;
  if (last === 1) return entries[1 - at] ?? 0;
  entries[at] = entries[last] ?? 0;
  entries.length = last;
  return entries;
}

function tableFrom(entries: ArrayLike<number>, capacity: number): Int32Array {
  const table = new Int32Array(capacity + 1);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? 0;
    if (entry !== 0) tableInsertNew(table, entry);
  }
  return table;
}

function tableHome(table: Int32Array, sessionIndex: number): number {
  const capacity = table.length - 1;
  // Fibonacci hashing: the top log2(capacity) bits of index * 2^32/phi.
  return Math.imul(sessionIndex, 0x9e3779b1) >>> (Math.clz32(capacity) + 1);
}

/** Array index of the slot holding `sessionIndex`, or -1. */
function tableFind(table: Int32Array, sessionIndex: number): number {
  const mask = table.length - 2;
  for (let i = tableHome(table, sessionIndex); ; i = (i + 1) & mask) {
    const entry = table[1 + i] ?? 0;
    if (entry === 0) return -1;
    if (entrySession(entry) === sessionIndex) return 1 + i;
  }
}

function tableInsertNew(table: Int32Array, entry: number): void {
  const mask = table.length - 2;
  let i = tableHome(table, entrySession(entry));
  while ((table[1 + i] ?? 0) !== 0) i = (i + 1) & mask;
  table[1 + i] = entry;
  table[0] = (table[0] ?? 0) + 1;
}

function putTable(table: Int32Array, sessionIndex: number, bits: number): PathBucket | undefined {
  const slot = tableFind(table, sessionIndex);
  if (slot >= 0 && bits !== 0) {
    table[slot] = packEntry(sessionIndex, bits);
    return table;
  }
  if (slot >= 0) return tableDelete(table, slot);
  if (bits === 0) return table;
  const capacity = table.length - 1;
  const count = table[0] ?? 0;
  const target = (count + 1) * 4 > capacity * 3 ? tableFrom(table.subarray(1), capacity * 2) : table;
  tableInsertNew(target, packEntry(sessionIndex, bits));
  return target;
}

function tableDelete(table: Int32Array, slot: number): PathBucket {
  const mask = table.length - 2;
  let hole = slot - 1;
  table[slot] = 0;
  // Backward shift: move later entries of the probe run into the hole unless
  // their home slot lies cyclically in (hole, j], where they already are reachable.
  for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
    const entry = table[1 + j] ?? 0;
    if (entry === 0) break;
    const home = tableHome(table, entrySession(entry));
    const reachable = hole <= j ? hole < home && home <= j : hole < home || home <= j;
    if (!reachable) {
      table[1 + hole] = entry;
      table[1 + j] = 0;
      hole = j;
    }
  }
  const count = (table[0] ?? 0) - 1;
  table[0] = count;
  const capacity = table.length - 1;
  // Hysteresis: shrink only well below the grow threshold, so a path
  // oscillating around one size does not rehash on every change.
  if (count <= smallEntriesMax / 2) return smallFrom(table);
  if (capacity > tableCapacityMin && count * 8 < capacity) return tableFrom(table.subarray(1), capacity / 2);
  return table;
}

function smallFrom(table: Int32Array): number[] {
  const entries = new Array<number>(table[0] ?? 0);
  let at = 0;
  for (let i = 1; i < table.length; i++) {
    const entry = table[i] ?? 0;
    if (entry !== 0) entries[at++] = entry;
  }
  return entries;
}

/**
 * Where znode data lives. Each node owns a copy of its data (never a view
 * of a network or log buffer, which would pin that whole buffer). Small
 * values are carved out of shared slabs: a Uint8Array with an ArrayBuffer of
 * its own costs ~130 bytes of bookkeeping beyond the data, more than a
 * typical 100-byte value; a view into a slab costs only the view. A slab is
 * freed by the garbage collector once no node's data points into it.
 */
import { dataSlabBytes, dataSlabValueBytesMax } from './limits.js';

const emptyData = new Uint8Array(0);
let slab = new Uint8Array(dataSlabBytes);
let slabUsed = 0;

/**
 * A private copy of `data`, from a slab when small. Views are 8-byte aligned
 * (word-wise hashing). Null data stays null: a node's data field holds null
 * as cheaply as a pointer, so null costs nothing beyond what empty costs.
 */
export function ownData(data: Uint8Array): Uint8Array;
export function ownData(data: Uint8Array | null): Uint8Array | null;
export function ownData(data: Uint8Array | null): Uint8Array | null {
  if (data === null) return null;
  const length = data.length;
  if (length === 0) return emptyData;
  if (length > dataSlabValueBytesMax) return data.slice();
  if (slabUsed + length > dataSlabBytes) {
    slab = new Uint8Array(dataSlabBytes);
    slabUsed = 0;
  }
  const copy = slab.subarray(slabUsed, slabUsed + length);
  copy.set(data);
  slabUsed = (slabUsed + length + 7) & ~7;
  return copy;
}

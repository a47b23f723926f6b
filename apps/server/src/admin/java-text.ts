/**
 * Numbers as Apache's Java code prints them in the four-letter words, and the
 * node count it reports.
 */
import type { DataTree } from '@corral/data-tree';

/** Java's Double.toString for the values we print: at least one decimal, at most four. */
export function javaDouble(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(Math.round(value * 10_000) / 10_000);
}

/** A session id as `0x` and Long.toHexString (two's complement for negative ids). */
export function hexId(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}

/** Apache's DataTree also maps "" to the root, so its node count is one more than its nodes. */
export function reportedNodeCount(tree: DataTree): number {
  return tree.nodeCount + 1;
}

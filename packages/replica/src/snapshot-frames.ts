/**
 * A SNAP's bytes: the snapshot's chunks, each behind its u32 length. The
 * snapshot format has no length per chunk and its loader takes one chunk at a
 * time under a size limit, so the plain concatenation a SNAP used to carry
 * could only be loaded while the tree fit one chunk: a learner sent a larger
 * one exited (found by the ensemble bench's 100,000-txn catch-up).
 */
import { CorruptDataError } from '@corral/data-tree';

const lengthBytes = 4;

/** The chunks, each prefixed with its length, in one buffer. */
export function frameSnapshotChunks(chunks: Iterable<Uint8Array>): Uint8Array {
  const list = [...chunks];
  let total = 0;
  for (const chunk of list) total += lengthBytes + chunk.byteLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const chunk of list) {
    view.setUint32(offset, chunk.byteLength);
    out.set(chunk, offset + lengthBytes);
    offset += lengthBytes + chunk.byteLength;
  }
  return out;
}

/** The chunks of a framed SNAP (views, not copies); a frame that runs past the end is corrupt. */
export function* snapshotChunksOf(bytes: Uint8Array): Generator<Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (offset + lengthBytes > bytes.byteLength) throw new CorruptDataError('SNAP frame header truncated');
    const length = view.getUint32(offset);
    const start = offset + lengthBytes;
    if (start + length > bytes.byteLength) throw new CorruptDataError(`SNAP frame of ${length} bytes runs past the end`);
    yield bytes.subarray(start, start + length);
    offset = start + length;
  }
}

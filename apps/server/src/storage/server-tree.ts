/**
 * How the server loads and builds its trees. It keeps no incremental
 * digest: that would cost a hash of two nodes per write, and nothing on the
 * request path reads it (the simulator and the tests keep it and compare).
 * Every tree the server builds (recovery, a rebuild below a TRUNC, a SNAP
 * loaded as it arrives) uses these options, so a follower that synced by
 * SNAP does not start paying for a digest its recovered peers never keep.
 */
import type { DeserializeSnapshotOptions } from '@corral/data-tree';

/** Snapshot loader options for every tree the server builds. */
export const serverTreeOptions: DeserializeSnapshotOptions = Object.freeze({ incrementalDigest: false });

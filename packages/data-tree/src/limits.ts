/**
 * Named limits of the data tree (STYLE §6). Every length read from a txn or
 * a snapshot is checked against one of these before anything is allocated.
 */

/** Longest path in UTF-8 bytes; ZooKeeper has none beyond jute.maxbuffer, we pick 32 KiB. */
export const pathBytesMax = 32 * 1024;

/** Largest znode data: the server caps jute.maxbuffer at this, so any data a client can send fits. */
export const dataBytesMax = 16 * 1024 * 1024;

/** Most entries in one ACL list. */
export const aclEntriesMax = 1024;

/** Longest ACL scheme or id string in UTF-8 bytes. */
export const aclStringBytesMax = 4096;

/** Most operations in one multi txn: as many as the wire accepts in one frame (1 << 20). */
export const multiOpsMax = 1 << 20;

/** Most paths in a closeSession txn's paths2Delete. */
export const paths2DeleteMax = 1_000_000;

/** Largest encoded txn (a multi may carry several full-size data payloads). */
export const txnBytesMax = 64 * 1024 * 1024;

/** Target size of one snapshot chunk; a chunk exceeds it only by one record. */
export const snapshotChunkBytes = 256 * 1024;

/** Largest snapshot chunk accepted on load (one maximal node record plus slack). */
export const snapshotChunkBytesMax = snapshotChunkBytes + dataBytesMax + pathBytesMax + 64 * 1024;

/** Most znodes accepted when loading a snapshot. */
export const snapshotNodesMax = 50_000_000;

/** Most distinct ACL lists accepted when loading a snapshot. */
export const snapshotAclListsMax = 10_000_000;

/** Most sessions accepted when loading a snapshot. */
export const snapshotSessionsMax = 10_000_000;

/** Size of one shared slab for small znode data (data-slab.ts). */
export const dataSlabBytes = 64 * 1024;

/** Largest value stored in a slab; larger data gets its own buffer. */
export const dataSlabValueBytesMax = 1024;

/**
 * Named limits of the watch index (STYLE §6). ZooKeeper itself has none: a
 * client can set watches until the server runs out of heap. Ours are large
 * enough for every client we know of (a Curator TreeCache holds one data and
 * one child watch per node it caches, i.e. one entry per znode) and small
 * enough that one session cannot take the whole heap.
 */

/**
 * Most watched paths per session. 4 Mi entries cost about 250 MiB at our
 * worst measured density (one session, distinct paths: ~60 B each plus the
 * path string), which one server can afford for a few sessions; a TreeCache
 * over a 4-million-node tree is beyond what a 3.8 ensemble serves anyway.
 */
export const watchesPerSessionMax = 4 * 1024 * 1024;

/**
 * Most (path, session) entries in the whole index: 64 Mi entries is about
 * 1 GiB at ~16 B per entry when many sessions share paths, the dense case.
 */
export const watchesTotalMax = 64 * 1024 * 1024;

/**
 * Longest watched path in UTF-16 code units. Equal to the tree's pathBytesMax
 * (32 KiB): a watch on a path the tree would reject is useless, and exists()
 * watches on missing nodes are the only way a client can make us store a
 * path the tree does not own.
 */
export const watchPathLengthMax = 32 * 1024;

/**
 * Most sessions holding watches at once. Session indexes are packed with the
 * four kind bits into one 31-bit small integer (index << 4 | kind), so 2^27
 * is a structural maximum, not a tunable.
 */
export const watchSessionsMax = (1 << 27) - 1;

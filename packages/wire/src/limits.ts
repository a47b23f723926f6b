/**
 * Named limits of the jute client port (STYLE §6). Every length read from the
 * network is checked against the bytes actually present and against these
 * maxima before anything is allocated for it.
 */

/**
 * Default largest frame body accepted, in bytes: ZooKeeper's `jute.maxbuffer`
 * default (0xfffff). NIOServerCnxn.readLength refuses `len < 0 || len >
 * jute.maxbuffer` ("Len error") before allocating, so a frame of exactly
 * 1048575 bytes is accepted and 1048576 is refused.
 */
export const maxFrameBytesDefault = 0xfffff;

/**
 * Hard ceiling for any configured frame limit: the length prefix is a signed
 * 32-bit int, so nothing larger can be framed at all.
 */
export const maxFrameBytesCeiling = 0x7fffffff;

/** Bytes of the big-endian length prefix in front of every frame. */
export const framePrefixBytes = 4;

/**
 * Largest element count accepted for any jute vector (children, ACLs, watch
 * lists). The real bound is bytes remaining ÷ minimum element size, checked
 * per vector; this cap only keeps a configured huge frame limit from letting a
 * single vector count run away.
 */
export const vectorCountMax = 1 << 24;

/**
 * Largest number of operations in one multi / multiRead request. ZooKeeper has
 * no separate cap (only jute.maxbuffer); each op costs at least 17 bytes on
 * the wire, so a 1 MiB frame cannot exceed this anyway.
 */
export const multiOpsMax = 1 << 20;

/**
 * The reusable encode buffer is shrunk back to this size after encoding a
 * larger frame, so one huge reply does not pin memory for the process life.
 */
export const writerRetainedBytesMax = 1 << 20;

/** Initial capacity of a JuteWriter when none is given. */
export const writerInitialBytes = 16 * 1024;

/** Minimum encoded size of one Stat record (fixed size). */
export const statBytes = 68;

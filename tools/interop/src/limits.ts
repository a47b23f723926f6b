/**
 * Named limits of the interop harness (STYLE §6). Timeouts are generous because a
 * JVM on this 2-core machine may take several seconds to start.
 */
export const interopLimits = {
  /** Random client ports are drawn from this range (COMMON.md: 40000-49999). */
  portMin: 40000,
  portMax: 49999,
  /** Fresh ports tried before giving up when a server cannot bind. */
  portAttemptsMax: 8,
  /** How long a server may take to answer `ruok` with `imok`. */
  serverStartTimeoutMs: 60_000,
  /** Between readiness probes. */
  readinessPollMs: 100,
  /** How long a graceful SIGTERM may take before SIGKILL. */
  serverStopTimeoutMs: 10_000,
  /** Default wall-time budget of one client child process. */
  clientTimeoutMs: 60_000,
  /** Captured stdout/stderr per child process; beyond this the child is killed. */
  outputBytesMax: 32 * 1024 * 1024,
  /** How long a four-letter-word exchange may take. */
  fourLetterTimeoutMs: 5_000,
  /** Server log bytes kept for failure messages. */
  logTailBytes: 4_000,
} as const;

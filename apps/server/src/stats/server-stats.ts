/**
 * Server-wide counters behind srvr, stat, mntr and crst/srst: packets,
 * request latency (min/avg/max in ms, as ZooKeeper's ServerStats) and
 * fsync timing from the log.
 */

/** Mutable counters; reset by `srst`. */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  latencyMinMs = Number.MAX_SAFE_INTEGER;
  latencyMaxMs = 0;
  latencySumMs = 0;
  latencyCount = 0;
  readonly startedAtMs: number;

  constructor(nowMs: number) {
    this.startedAtMs = nowMs;
  }

  recordLatency(latencyMs: number): void {
    this.packetsSent += 1;
    this.latencyCount += 1;
    this.latencySumMs += latencyMs;
    if (latencyMs < this.latencyMinMs) this.latencyMinMs = latencyMs;
    if (latencyMs > this.latencyMaxMs) this.latencyMaxMs = latencyMs;
  }

  get latencyMin(): number {
    return this.latencyCount === 0 ? 0 : this.latencyMinMs;
  }

  get latencyAvg(): number {
    return this.latencyCount === 0 ? 0 : this.latencySumMs / this.latencyCount;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.latencyMinMs = Number.MAX_SAFE_INTEGER;
    this.latencyMaxMs = 0;
    this.latencySumMs = 0;
    this.latencyCount = 0;
  }
}

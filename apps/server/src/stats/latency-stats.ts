/**
 * Request latency counters (min/avg/max/last in ms), as ZooKeeper's
 * ServerStats and per-connection stats keep them for srvr, stat, cons and
 * mntr. Reset by srst (server) and crst (connections).
 */

/** Running latency figures. */
export class LatencyStats {
  count = 0;
  sumMs = 0;
  maxMs = 0;
  lastMs = 0;
  private minMsSeen = Number.MAX_SAFE_INTEGER;

  record(latencyMs: number): void {
    this.count += 1;
    this.sumMs += latencyMs;
    this.lastMs = latencyMs;
    if (latencyMs < this.minMsSeen) this.minMsSeen = latencyMs;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
  }

  /** Smallest latency, 0 before the first request. */
  get minMs(): number {
    return this.count === 0 ? 0 : this.minMsSeen;
  }

  /** Mean latency, 0 before the first request. */
  get avgMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count;
  }

  reset(): void {
    this.count = 0;
    this.sumMs = 0;
    this.maxMs = 0;
    this.lastMs = 0;
    this.minMsSeen = Number.MAX_SAFE_INTEGER;
  }
}

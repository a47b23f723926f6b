/**
 * Server-wide counters behind srvr, stat, mntr and srst: packets and
 * request latency (ms, as ZooKeeper's ServerStats).
 */
import { LatencyStats } from './latency-stats.js';

/** Mutable counters; reset by `srst`. */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  readonly latency = new LatencyStats();
  readonly startedAtMs: number;

  constructor(nowMs: number) {
    this.startedAtMs = nowMs;
  }

  /** One reply sent, `latencyMs` after its request arrived. */
  recordReply(latencyMs: number): void {
    this.packetsSent += 1;
    this.latency.record(latencyMs);
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.latency.reset();
  }
}

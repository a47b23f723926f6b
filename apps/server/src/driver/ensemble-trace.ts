/**
 * Once-a-second counters of the Driver's broadcast path, logged when
 * CORRAL_TRACE_BROADCAST=1 (ensemble performance work): Readies, durable
 * writes and the records per write, their time, peer messages by type.
 * Off, every call is one branch on a constant.
 */
import type { Logger } from '../logger.js';

const enabled = process.env['CORRAL_TRACE_BROADCAST'] === '1';
/** Milliseconds between two trace lines. */
const traceIntervalMs = 1000;

/** The counters of one interval. */
class TraceCounters {
  readies = 0;
  writes = 0;
  records = 0;
  writeMs = 0;
  writeMsMax = 0;
  readonly sent = new Map<string, number>();
  readonly received = new Map<string, number>();
}

let counters = new TraceCounters();
let timer: NodeJS.Timeout | null = null;

/** Starts the once-a-second line (if enabled). */
export function startBroadcastTrace(logger: Logger, sid: number): void {
  if (!enabled || timer !== null) return;
  timer = setInterval(() => {
    const c = counters;
    counters = new TraceCounters();
    if (c.readies === 0 && c.writes === 0) return;
    logger.info({
      sid, readies: c.readies, writes: c.writes, records: c.records, perWrite: c.writes === 0 ? 0 : Math.round(c.records / c.writes),
      writeMsAvg: c.writes === 0 ? 0 : Math.round((c.writeMs / c.writes) * 10) / 10, writeMsMax: Math.round(c.writeMsMax),
      sent: [...c.sent].map(([k, v]) => `${k}:${v}`).join(','), received: [...c.received].map(([k, v]) => `${k}:${v}`).join(','),
    }, 'broadcast trace');
  }, traceIntervalMs);
  timer.unref();
}

export const broadcastTrace = {
  enabled,
  ready(): void {
    if (enabled) counters.readies += 1;
  },
  wrote(records: number, ms: number): void {
    if (!enabled) return;
    counters.writes += 1;
    counters.records += records;
    counters.writeMs += ms;
    if (ms > counters.writeMsMax) counters.writeMsMax = ms;
  },
  sent(type: string): void {
    if (enabled) counters.sent.set(type, (counters.sent.get(type) ?? 0) + 1);
  },
  received(type: string): void {
    if (enabled) counters.received.set(type, (counters.received.get(type) ?? 0) + 1);
  },
};

/**
 * Timestamps of a write's hops (client frame in, peer messages in and out,
 * durable write started and done, reply out), kept when CORRAL_TRACE_HOPS
 * names a file prefix and written to `<prefix>.<pid>.jsonl` at exit: the
 * ensemble set-lat breakdown (tools/bench/README.md). Times are
 * `performance.timeOrigin + performance.now()` in ms, comparable across the
 * processes of one machine. Off, every call is one branch on a constant.
 */
import { writeFileSync } from 'node:fs';

const prefix = process.env['CORRAL_TRACE_HOPS'] ?? '';
const enabled = prefix !== '';
/** Events kept (the first ones; a set-lat run of 10 s at ~1,000 writes/s is ~60,000). */
const hopEventsMax = 200_000;
const events: string[] = [];

if (enabled) {
  process.on('exit', () => {
    writeFileSync(`${prefix}.${process.pid}.jsonl`, events.join('\n') + '\n');
  });
}

export const hopTrace = {
  enabled,
  /** Records `what` (and a detail such as a message type) at this moment. */
  mark(what: string, detail = ''): void {
    if (!enabled || events.length >= hopEventsMax) return;
    events.push(JSON.stringify([performance.timeOrigin + performance.now(), what, detail]));
  },
};

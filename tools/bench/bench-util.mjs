// What grpc-bench.mjs and client-bench.mjs share: option parsing, a process's CPU time,
// and the summary's median and number format.
import { readFileSync } from 'node:fs';

/** `--kebab-case value` pairs into a copy of `defaults` (numbers stay numbers); exits 64 on an unknown option. */
export function parseOptions(defaults, argv = process.argv.slice(2)) {
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in opts) || argv[i + 1] === undefined) {
      console.error(`unknown option or missing value: ${argv[i]}`);
      process.exit(64);
    }
    opts[key] = typeof opts[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return opts;
}

/** utime + stime of a process, in clock ticks (100 Hz). */
export function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The median of the finite numbers in `xs` (NaN if none). */
export function median(xs) {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A number with thousands separators, `-` when not finite. */
export function fmt(x, digits = 0) {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-';
}

/**
 * Waits `durationS` seconds and says how long it really was, the CPU `pid` used in
 * that time (percent of one core) and this process's CPU (process.cpuUsage delta).
 */
export async function measureWindow(pid, durationS, wait) {
  const ticks0 = cpuTicks(pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  await wait(durationS * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const clientUsage = process.cpuUsage(client0);
  return { seconds, serverCpuPct: (cpuTicks(pid) - ticks0) / seconds, clientUsage, clientCpuPct: ((clientUsage.user + clientUsage.system) / 1e6 / seconds) * 100 };
}

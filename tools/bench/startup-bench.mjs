#!/usr/bin/env node
// Start-up of one Corral ensemble member, by entry file: spawn → the
// `ensemble member started` log line (wall ms, and the child's CPU ms at that
// moment from /proc), and `--help` run to exit. Entries are run interleaved
// (a, b, c, a, b, c, ...) because this VM is shared. The member's zoo.cfg
// names two peers that are not running (the line comes before any election);
// its data dir is fresh each run, so this measures loading code, not data.
//   --runs N          runs per entry (default 10)
//   --entries a,b     modules (dist/cli.js), bundle (dist/corral.bundle.mjs),
//                     shim (bin/corral.js: resolves, then the bundle),
//                     bundle-maps (the bundle under --enable-source-maps)
//   --only a,b        member, help (default both)
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuTicks, fmt, median, parseOptions } from './bench-util.mjs';

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const opts = parseOptions({ runs: 10, entries: 'modules,bundle,shim,bundle-maps', only: 'member,help' });
const entries = {
  modules: { args: [join(repo, 'apps/server/dist/cli.js')] },
  bundle: { args: [join(repo, 'apps/server/dist/corral.bundle.mjs')] },
  shim: { args: [join(repo, 'apps/server/bin/corral.js')] },
  'bundle-maps': { args: ['--enable-source-maps', join(repo, 'apps/server/dist/corral.bundle.mjs')] },
};
const chosen = opts.entries.split(',');
for (const name of chosen) if (!(name in entries)) throw new Error(`unknown entry ${name}`);
const startLimitMs = 30_000;
const basePort = 40000 + Math.floor(Math.random() * 9000);

/** Spawns `node <entry> ...args` and resolves at the first output line matching `ready` (or at exit). */
function timeUntil(entry, args, ready, cwd) {
  return new Promise((resolve, reject) => {
    const startedNs = process.hrtime.bigint();
    const child = spawn(process.execPath, [...entries[entry].args, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let cpuMs = NaN;
    const timer = setTimeout(() => child.kill('SIGKILL'), startLimitMs);
    const onData = (chunk) => {
      output += chunk.toString();
      if (ready !== null && ready.test(output) && Number.isNaN(cpuMs)) {
        const wallMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
        cpuMs = cpuTicks(child.pid) * 10;
        child.kill('SIGKILL');
        child.once('exit', () => resolve({ wallMs, cpuMs }));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (ready === null && code === 0) resolve({ wallMs: Number(process.hrtime.bigint() - startedNs) / 1e6, cpuMs: NaN });
      else if (Number.isNaN(cpuMs)) reject(new Error(`${entry} exited ${code} before ready:\n${output.slice(-2000)}`));
    });
  });
}

function memberConfig(dir, run) {
  const port = basePort + (run % 300) * 3;
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'myid'), '1\n');
  const servers = [0, 1, 2].map((i) => `server.${i + 1}=127.0.0.1:${port + 1000 + i}:${port + 2000 + i};127.0.0.1:${port + i}`);
  writeFileSync(join(dir, 'zoo.cfg'), `tickTime=200\ninitLimit=10\nsyncLimit=5\ndataDir=${join(dir, 'data')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\n${servers.join('\n')}\n`);
  return join(dir, 'zoo.cfg');
}

const results = new Map(chosen.map((name) => [name, { member: [], memberCpu: [], help: [] }]));
console.log(`start-up bench: ${opts.runs} runs per entry, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (let run = 0; run < opts.runs; run++) {
  for (const name of chosen) {
    const r = results.get(name);
    if (opts.only.includes('member')) {
      const dir = mkdtempSync(join(tmpdir(), 'corral-startup-'));
      try {
        const { wallMs, cpuMs } = await timeUntil(name, ['server', '--config', memberConfig(dir, run)], /ensemble member started/, dir);
        r.member.push(wallMs);
        r.memberCpu.push(cpuMs);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (opts.only.includes('help')) r.help.push((await timeUntil(name, ['--help'], null, repo)).wallMs);
  }
}
console.log('entry        member started: wall ms (median, min)  CPU ms   --help to exit: wall ms (median, min)');
for (const [name, r] of results) {
  console.log(`${name.padEnd(12)} ${fmt(median(r.member), 1).padStart(8)} ${fmt(Math.min(...r.member), 1).padStart(8)}  ${fmt(median(r.memberCpu)).padStart(20)}  ${fmt(median(r.help), 1).padStart(10)} ${fmt(Math.min(...r.help), 1).padStart(8)}`);
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

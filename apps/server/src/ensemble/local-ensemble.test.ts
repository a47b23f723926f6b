// LocalEnsemble and `corral ensemble --local N` control real `corral server`
// processes by PID: kill -9, SIGSTOP/SIGCONT, restart on the same data, and
// stop with nothing left behind. Ports: a random base in 40000-49999 (its
// +100/+200 ranges stay inside). Whether the members form a quorum is the
// ensemble suites' business (tools/interop/src/ensemble); here a member
// answering `srvr` on its client port is enough.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { corralCliPath, LocalEnsemble } from './local-ensemble.js';
import { localLayout } from './ensemble-config.js';
import { askFourLetterWord } from './four-letter-client.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A base port whose client, quorum and election ports for three members are free right now. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(40000, 49700);
    const ports = [0, 1, 2].flatMap((index) => [base + index, base + 100 + index, base + 200 + index]);
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) return base;
  }
  throw new Error('no free base port in 40000-49999');
}

/** Another test may take a port between the check and the bind: such a start is tried again. */
const startAttemptsMax = 3;

async function answersSrvr(port: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await askFourLetterWord({ host: '127.0.0.1', port, word: 'srvr', timeoutMs: 500 })).includes('Zxid')) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

test('LocalEnsemble: kill -9, pause/resume, restart and close act on each member by PID', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-local-ensemble-'));
  let layout = localLayout({ size: 3, basePort: await freeBasePort(), dataDir: dir });
  let ensemble = LocalEnsemble.start({ layout });
  for (let attempt = 1; attempt < startAttemptsMax; attempt++) {
    const serving = await Promise.all(layout.members.map((member) => answersSrvr(member.clientPort)));
    if (serving.every(Boolean) || !/EADDRINUSE/.test(ensemble.describe())) break;
    await ensemble.close();
    layout = localLayout({ size: 3, basePort: await freeBasePort(), dataDir: dir });
    ensemble = LocalEnsemble.start({ layout });
  }
  const pids = layout.members.map((member) => ensemble.pid(member.sid));
  try {
    for (const member of layout.members) assert.ok(await answersSrvr(member.clientPort), ensemble.describe());
    const [first, second] = layout.members;
    assert.ok(first !== undefined && second !== undefined);
    const firstPid = ensemble.pid(first.sid);
    assert.ok(firstPid !== null);
    await ensemble.kill9(first.sid);
    assert.equal(ensemble.isRunning(first.sid), false);
    assert.equal(alive(firstPid), false);
    ensemble.startMember(first.sid);
    assert.notEqual(ensemble.pid(first.sid), firstPid);
    assert.ok(await answersSrvr(first.clientPort));
    ensemble.pause(second.sid);
    await assert.rejects(askFourLetterWord({ host: '127.0.0.1', port: second.clientPort, word: 'srvr', timeoutMs: 500 }), /timed out/);
    ensemble.resume(second.sid);
    assert.ok(await answersSrvr(second.clientPort));
  } finally {
    await ensemble.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const pid of [...pids, ...layout.members.map((member) => ensemble.pid(member.sid))]) {
    if (pid !== null) assert.equal(alive(pid), false, `pid ${pid} outlived close()`);
  }
});

/** Runs `corral ensemble --local 3` until all three serve; the caller stops it. */
async function startEnsembleCommand(dir: string): Promise<{ child: ChildProcess; basePort: number; output: () => string; exited: Promise<number | null> }> {
  for (let attempt = 1; ; attempt++) {
    const basePort = await freeBasePort();
    const child = spawn(process.execPath, [corralCliPath(), 'ensemble', '--local', '3', '--base-port', String(basePort), '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const serving = await Promise.all([0, 1, 2].map((index) => answersSrvr(basePort + index)));
    if (serving.every(Boolean)) return { child, basePort, output: () => text, exited };
    await stopLauncher(child, exited, text);
    assert.ok(attempt < startAttemptsMax && /EADDRINUSE/.test(text), text);
  }
}

test('corral ensemble --local 3 prints the connect string and stops every server on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-ensemble-cli-'));
  const { child, basePort, output, exited } = await startEnsembleCommand(dir);
  try {
    assert.match(output(), new RegExp(`connect string: 127\\.0\\.0\\.1:${basePort},127\\.0\\.0\\.1:${basePort + 1},127\\.0\\.0\\.1:${basePort + 2}`));
    const serverPids = [...output().matchAll(/server \d: pid (\d+)/g)].map((match) => Number(match[1]));
    assert.equal(serverPids.length, 3, output());
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output());
    for (const pid of serverPids) assert.equal(alive(pid), false, `server pid ${pid} outlived the launcher`);
    assert.match(output(), /\[ensemble\] stopped/);
  } finally {
    await stopLauncher(child, exited, output());
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Stops the launcher with SIGTERM (a SIGKILL would orphan its servers) and waits; then
 * SIGKILLs, by the PIDs it printed, any server still alive (a failed test must not leave any).
 */
async function stopLauncher(child: ChildProcess, exited: Promise<number | null>, output: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  for (const match of output.matchAll(/server \d: pid (\d+)/g)) {
    const pid = Number(match[1]);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

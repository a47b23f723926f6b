// Goal: a port that cannot be bound (jute client port or grpcPort) stops
// `corral server` with one line naming the port and exit 1, not a stack.
// Method: occupy a random port in 40000-49999 with a plain TCP server, point
// the CLI's clientPort or grpcPort at it, read stderr and the exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heldPort } from './testing/held-port.js';
import { resolveServerEntry } from './server-entry.js';

// The file a launcher runs: the bundle when fresh (so the shipped form is what is tested), else cli.js.
const cli = resolveServerEntry().file;

function runServer(config: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'server', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

for (const which of ['clientPort', 'grpcPort'] as const) {
  test(`a ${which} already in use stops the server with one line and exit 1`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'corral-cli-listen-'));
    const { port, server } = await heldPort();
    try {
      const free = port === 49999 ? 40000 : port + 1;
      const ports = which === 'clientPort' ? `clientPort=${port}\ngrpcPort=${free}` : `clientPort=${free}\ngrpcPort=${port}`;
      const config = join(dir, 'zoo.cfg');
      await writeFile(config, `dataDir=${join(dir, 'data')}\n${ports}\n`);
      const { code, stderr } = await runServer(config);
      assert.equal(code, 1);
      const line = stderr.split('\n').find((l) => l.startsWith('cannot listen:'));
      assert.ok(line !== undefined && line.includes(String(port)) && line.includes('EADDRINUSE'), stderr);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

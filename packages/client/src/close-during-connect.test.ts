// Goal: close() settles when it comes while a connection attempt is in
// progress and nothing else keeps the event loop alive (a process whose
// servers are all gone). It used to wait for the reconnect backoff, whose
// timer is unref'd, so the loop emptied and the process exited with close()
// still pending (seen when a test killed every server of an ensemble).
// Method: a listener that accepts and never answers holds the client in its
// handshake; a child process (nothing else alive in it) connects with a
// signal that aborts 200 ms in, i.e. during the attempt. It must print that
// the connect was given up and exit 0, not 13 (unsettled top-level await).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer, type Socket } from 'node:net';

test('close() during a connection attempt settles with no other handle alive', async () => {
  const held = new Set<Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
    socket.on('error', () => undefined);
  });
  let port = 0;
  for (let attempt = 0; port === 0; attempt++) {
    const candidate = randomInt(40000, 50000);
    const error = await new Promise<Error | null>((resolve) => {
      silent.once('error', resolve);
      silent.listen(candidate, '127.0.0.1', () => resolve(null));
    });
    if (error === null) port = candidate;
    else if (attempt > 10) throw error;
  }
  try {
    const client = new URL('./client.js', import.meta.url).href;
    const script = `
      const { ZkClient } = await import(${JSON.stringify(client)});
      await ZkClient.connect('127.0.0.1:${port}', { sessionTimeoutMs: 30000, signal: AbortSignal.timeout(200) }).then(
        () => console.log('connected?'),
        (error) => console.log('gave up: ' + error.name),
      );`;
    // Not spawnSync: this process's listener must keep accepting while the child runs.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    assert.equal(status, 0, output);
    assert.match(output, /^gave up: /m);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

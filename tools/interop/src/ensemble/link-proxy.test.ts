// LinkProxy in front of an echo server on loopback (ports 40000-49999):
// bytes pass both ways; a one-way drop loses exactly that direction; heal
// resets the connections that lost bytes, and new ones pass again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { pickFreePort } from '../ports.js';
import { LinkProxy } from './link-proxy.js';

async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  const port = await pickFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A client of the proxy that collects what comes back. */
async function dial(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => text, closed };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

test('LinkProxy forwards, drops one direction at a time, and heal resets the damaged connections', async () => {
  const echo = await echoServer();
  const proxy = await LinkProxy.start(echo.port);
  try {
    assert.ok(proxy.port >= 40000 && proxy.port <= 49999);
    const first = await dial(proxy.port);
    first.socket.write('a');
    await until(() => first.received() === 'a');

    // Replies dropped: the request reaches the echo server, its answer does not come back.
    proxy.drop({ toPeer: false, fromPeer: true });
    first.socket.write('b');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(first.received(), 'a');
    assert.equal(proxy.isCut, true);

    proxy.heal();
    await first.closed;
    const second = await dial(proxy.port);
    second.socket.write('c');
    await until(() => second.received() === 'c');

    // Requests dropped: nothing reaches the server, so nothing echoes.
    proxy.drop({ toPeer: true, fromPeer: false });
    second.socket.write('d');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(second.received(), 'c');
    proxy.heal();
    await second.closed;
    second.socket.destroy();
  } finally {
    await proxy.close();
    await echo.close();
  }
});

// Goal: @corral/client works unchanged over the gRPC session stream: the
// basic operations with ZooKeeper's codes, null data, a watch, a failed multi with
// per-op codes, the mutex recipe with growing fencing tokens, and a session
// (and its watches) surviving a cut stream.
// Method: a real server (child process) with grpcPort on random ports, the
// client built with GrpcSessionTransport, a TCP proxy in front of the gRPC
// port to sever the connection.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCode, ZkError } from '@corral/base';
import { CreateMode, OpCode } from '@corral/wire';
import { ZkClient } from './client.js';
import { GrpcSessionTransport } from './grpc-transport.js';
import { MultiError } from './multi-results.js';
import { Mutex } from './recipes/mutex.js';
import { startCorralServer, type TestServer } from './testing/corral-server.js';
import { createServer, connect, type Socket } from 'node:net';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A server whose gRPC port is `grpcPort` (random, retried on a clash). */
async function serverWithGrpc(): Promise<{ server: TestServer; grpcPort: number }> {
  for (let attempt = 0; ; attempt += 1) {
    const grpcPort = 40000 + Math.floor(Math.random() * 10000);
    try {
      const server = await startCorralServer(`grpcPort=${grpcPort}`);
      closers.push(() => server.stop());
      return { server, grpcPort };
    } catch (error) {
      if (attempt > 5) throw error;
    }
  }
}

async function grpcClient(connectString: string): Promise<ZkClient> {
  const client = await ZkClient.connect(connectString, { transport: new GrpcSessionTransport(), sessionTimeoutMs: 4000 });
  closers.push(() => client.close());
  return client;
}

test('grpc transport: operations, codes, watches and multi through @corral/client', async () => {
  const { grpcPort } = await serverWithGrpc();
  const client = await grpcClient(`127.0.0.1:${grpcPort}`);
  assert.equal(await client.create('/g', 'x'), '/g');
  const got = await client.getData('/g');
  assert.equal(Buffer.from(got.data ?? []).toString(), 'x');
  assert.equal((await client.setData('/g', 'y', { version: 0 })).version, 1);
  await assert.rejects(client.setData('/g', 'z', { version: 0 }), (error: unknown) => error instanceof ZkError && error.code === ZkCode.BADVERSION);
  await assert.rejects(client.create('/g', ''), (error: unknown) => error instanceof ZkError && error.code === ZkCode.NODEEXISTS);
  assert.equal(await client.exists('/missing'), null);
  await client.create('/null', null);
  assert.equal((await client.getData('/null')).data, null);
  assert.equal((await client.create2('/g/s-', '', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path, '/g/s-0000000000');
  assert.deepEqual(await client.getChildren('/g'), ['s-0000000000']);
  const fired = new Promise<unknown>((resolve) => {
    void client.getData('/g', { watch: (event) => resolve(event) });
  });
  await client.setData('/g', 'w');
  assert.equal((await fired as { path: string }).path, '/g');
  await assert.rejects(
    client.multi([{ type: OpCode.create, path: '/g/m', data: new Uint8Array(0), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 }, { type: OpCode.check, path: '/g', version: 99 }]),
    (error: unknown) => error instanceof MultiError && error.code === ZkCode.BADVERSION && error.failedIndex === 1,
  );
  assert.equal(await client.exists('/g/m'), null);
  assert.deepEqual((await client.whoAmI()).map((c) => c.authScheme), ['ip']);
});

test('grpc transport: the mutex recipe grants in order with growing fencing tokens', async () => {
  const { grpcPort } = await serverWithGrpc();
  const a = await grpcClient(`127.0.0.1:${grpcPort}`);
  const b = await grpcClient(`127.0.0.1:${grpcPort}`);
  await a.create('/locks', '');
  const first = await new Mutex(a, '/locks').acquire();
  let bHolds = false;
  const second = new Mutex(b, '/locks').acquire().then((lease) => {
    bHolds = true;
    return lease;
  });
  await a.sync('/locks');
  assert.equal(bHolds, false);
  await first.release();
  const lease = await second;
  assert.ok(lease.fencingToken > first.fencingToken);
  await lease.release();
});

/** A byte-level TCP proxy (HTTP/2 passes through untouched) whose connections can be cut. */
async function rawProxy(targetPort: number): Promise<{ connectString: string; sever(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(downstream).add(upstream);
    downstream.pipe(upstream).pipe(downstream);
    const drop = (): void => {
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  for (;;) {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    return {
      connectString: `127.0.0.1:${port}`,
      sever: () => {
        for (const socket of sockets) socket.destroy();
      },
      close: () => new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    };
  }
}

test('grpc transport: a cut stream reconnects with the same session, ephemerals and watches', async () => {
  const { grpcPort } = await serverWithGrpc();
  const proxy = await rawProxy(grpcPort);
  closers.push(() => proxy.close());
  const client = await grpcClient(proxy.connectString);
  const other = await grpcClient(`127.0.0.1:${grpcPort}`);
  await client.create('/eph', '', { mode: CreateMode.EPHEMERAL });
  const sessionId = client.sessionId;
  const fired = new Promise<unknown>((resolve) => {
    void client.exists('/later', { watch: (event) => resolve(event) });
  });
  const reconnected = new Promise<void>((resolve) => client.once('reconnected', () => resolve()));
  await client.sync('/');
  proxy.sever();
  await reconnected;
  assert.equal(client.sessionId, sessionId);
  assert.equal((await other.exists('/eph'))?.ephemeralOwner, sessionId);
  await other.create('/later', '');
  assert.equal((await fired as { path: string }).path, '/later');
});

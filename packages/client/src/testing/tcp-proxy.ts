/**
 * Test helper: a TCP proxy in front of a server, so a test can cut a
 * client's connection (sever: reset every connection) or partition it
 * (blackhole: keep sockets open but drop bytes both ways, and accept new
 * connections that never get an answer), or make it deaf (requests reach the
 * server, replies are dropped: a create that succeeds with its reply lost),
 * and heal it again.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { FrameDecoder, decodeRequestHeader, maxFrameBytesDefault } from '@corral/wire';

/** A proxy owned by one test. */
export interface TcpProxy {
  readonly port: number;
  readonly connectString: string;
  /** Destroys every proxied connection (the client sees a reset). */
  sever(): void;
  /** Drops bytes both ways until heal(); with `refuse`, new connections are closed at once instead. */
  blackhole(options?: { refuse?: boolean }): void;
  /** Forwards client→server bytes but drops server→client ones until heal(). */
  deafen(): void;
  /** Becomes deaf (see deafen) as soon as a client sends a request of `opcode`, so that request's reply is lost. */
  deafenOn(opcode: number): void;
  heal(): void;
  /** Client connections accepted so far (refused ones included). */
  readonly connections: number;
  /** Resolves once `count` client connections have been accepted in total (counted from the start). */
  waitForConnections(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:targetPort on a random port in 40000-49999. */
export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let mode: 'pass' | 'blackhole' | 'refuse' | 'deaf' = 'pass';
  let deafOpcode: number | null = null;
  let accepted = 0;
  const connectionWaiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((client) => {
    accepted += 1;
    for (const waiter of connectionWaiters.filter((w) => w.count <= accepted)) {
      connectionWaiters.splice(connectionWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    // Frames are parsed only to spot deafOpcode; the first frame is the handshake (no request header).
    const decoder = new FrameDecoder({ maxFrameBytes: maxFrameBytesDefault });
    let frameCount = 0;
    client.on('data', (chunk: Buffer) => {
      if (mode !== 'pass' && mode !== 'deaf') return;
      decoder.push(Uint8Array.from(chunk));
      for (let frame = decoder.next(); frame !== null; frame = decoder.next()) {
        if (frameCount++ > 0 && deafOpcode !== null && decodeRequestHeader(frame).type === deafOpcode) {
          mode = 'deaf';
          deafOpcode = null;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => mode === 'pass' && client.write(chunk));
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('error', drop);
    upstream.on('error', drop);
  });
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = 40000 + Math.floor(Math.random() * 10000);
    const error = await new Promise<Error | null>((resolve) => {
      server.once('error', resolve);
      server.listen(port, '127.0.0.1', () => resolve(null));
    });
    if (error === null) break;
    if (attempt > 10) throw error;
  }
  const sever = (): void => {
    for (const [client, upstream] of pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    connectString: `127.0.0.1:${port}`,
    get connections(): number {
      return accepted;
    },
    sever,
    blackhole: (options = {}) => {
      mode = options.refuse === true ? 'refuse' : 'blackhole';
      if (mode === 'refuse') sever();
    },
    deafen: () => {
      mode = 'deaf';
    },
    deafenOn: (opcode) => {
      deafOpcode = opcode;
    },
    heal: () => {
      mode = 'pass';
    },
    waitForConnections: (count) =>
      new Promise<void>((resolve) => {
        if (accepted >= count) resolve();
        else connectionWaiters.push({ count, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        sever();
        server.close(() => resolve());
      }),
  };
}

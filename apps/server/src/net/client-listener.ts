/**
 * The client port: accepts TCP connections (bound to clientPortAddress),
 * enforces maxClientCnxns per remote address as ZooKeeper does, and hands
 * each socket to a JuteConnection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../logger.js';
import { JuteConnection, type ConnectionHost } from './jute-connection.js';
import { connectionsMax } from './limits.js';

/** Listens on the client port and tracks open connections. */
export class ClientListener {
  private readonly server: Server;
  readonly connections = new Set<JuteConnection>();
  private readonly perAddress = new Map<string, number>();
  private readonly host: Omit<ConnectionHost, 'onClose'>;
  private readonly maxClientCnxns: number;
  private readonly logger: Logger;

  constructor(options: { host: Omit<ConnectionHost, 'onClose'>; maxClientCnxns: number; logger: Logger }) {
    this.host = options.host;
    this.maxClientCnxns = options.maxClientCnxns;
    this.logger = options.logger;
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Binds; resolves with the port actually bound (0 picks one). */
  listen(port: number, address: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host: address, backlog: 1024 }, () => {
        this.server.off('error', reject);
        const bound = this.server.address();
        resolve(typeof bound === 'object' && bound !== null ? bound.port : port);
      });
    });
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const count = this.perAddress.get(address) ?? 0;
    if ((this.maxClientCnxns > 0 && count >= this.maxClientCnxns) || this.connections.size >= connectionsMax) {
      this.logger.warn({ address, count }, 'too many connections from one address; closing');
      socket.destroy();
      return;
    }
    this.perAddress.set(address, count + 1);
    let closed = false;
    const connection = new JuteConnection(socket, {
      ...this.host,
      onClose: (c) => {
        if (closed) return;
        closed = true;
        this.connections.delete(c);
        const left = (this.perAddress.get(address) ?? 1) - 1;
        if (left <= 0) this.perAddress.delete(address);
        else this.perAddress.set(address, left);
      },
    });
    this.connections.add(connection);
  }

  /** Stops accepting; with `force`, destroys every open connection. */
  async close(force: boolean): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) {
      if (force) connection.destroy();
      else connection.close('server shutting down');
    }
    await closed;
  }
}

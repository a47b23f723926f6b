/** A port in the tests' range (40000–49999) held by a plain TCP server until the test closes it. */
import { createServer, type Server } from 'node:net';

export async function heldPort(): Promise<{ port: number; server: Server }> {
  for (;;) {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return { port, server };
  }
}

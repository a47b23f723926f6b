/** Random loopback ports in the range COMMON.md reserves for tests. */
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';
import { interopLimits } from './limits.js';

/** A random port in [portMin, portMax]. */
export function randomPort(): number {
  return randomInt(interopLimits.portMin, interopLimits.portMax + 1);
}

/** True when 127.0.0.1:port can be bound right now (a cheap pre-check; the server may still lose a race). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      probe.close(() => resolve(true));
    });
  });
}

/** A random port that was free a moment ago. */
export async function pickFreePort(): Promise<number> {
  for (let attempt = 0; attempt < interopLimits.portAttemptsMax * 4; attempt++) {
    const port = randomPort();
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port found in 40000-49999');
}

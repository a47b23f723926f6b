/**
 * Asks a server a four-letter word (`srvr`, `mntr`, ...) on its client port
 * and reads until it closes: how the launcher and tests learn each member's
 * role (`Mode: leader`) without a client library. Apache ZooKeeper and Corral
 * answer in the same format.
 */
import { connect } from 'node:net';

/** Limits of one exchange. */
export const fourLetterLimits = {
  /** `mntr`/`dump` replies are a few KiB; `dump` of many sessions stays well below this. */
  replyBytesMax: 4 * 1024 * 1024,
  timeoutMs: 3_000,
} as const;

/** Where to send which word. */
export interface FourLetterRequest {
  readonly host: string;
  readonly port: number;
  readonly word: string;
  readonly timeoutMs?: number;
}

/** Sends the word and resolves with the whole reply (empty if the server just closes); rejects on connect failure or timeout. */
export function askFourLetterWord(request: FourLetterRequest): Promise<string> {
  const { host, port, word } = request;
  const timeoutMs = request.timeoutMs ?? fourLetterLimits.timeoutMs;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let byteCount = 0;
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`${word} to ${host}:${port} timed out`)), timeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: Buffer) => {
      byteCount += chunk.length;
      if (byteCount > fourLetterLimits.replyBytesMax) socket.destroy(new Error(`${word} reply exceeds ${fourLetterLimits.replyBytesMax} bytes`));
      else chunks.push(chunk);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      // A reset right after a complete answer is still an answer.
      if (chunks.length > 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** A member's role as `srvr` reports it. */
export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only';

/** The `Mode:` of a `srvr`/`stat` reply, or null when the server is not serving (no quorum, starting). */
export function modeOf(reply: string): ServerMode | null {
  const match = /^Mode: (leader|follower|observer|standalone|read-only)$/m.exec(reply);
  return match === null ? null : (match[1] as ServerMode);
}

/** The `Zxid:` of a `srvr` reply, or null. */
export function zxidOf(reply: string): bigint | null {
  const match = /^Zxid: (0x[0-9a-fA-F]+)$/m.exec(reply);
  return match?.[1] === undefined ? null : BigInt(match[1]);
}

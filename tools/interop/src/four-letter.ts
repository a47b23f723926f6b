/**
 * Four-letter words (`ruok`, `srvr`, `mntr`, ...): send the word, read until the server
 * closes the connection. Both Apache and Corral answer on the client port.
 */
import { connect } from 'node:net';
import { interopLimits } from './limits.js';

/** Sends `word` to host:port and resolves with the whole reply (empty if the server just closes). */
export function fourLetterWord(host: string, port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let byteCount = 0;
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`4lw ${word} to ${host}:${port} timed out`));
    }, interopLimits.fourLetterTimeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: Buffer) => {
      byteCount += chunk.length;
      if (byteCount > interopLimits.fourLetterReplyBytesMax) {
        socket.destroy(new Error(`4lw ${word} reply exceeds ${interopLimits.fourLetterReplyBytesMax} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      // A reset after a complete answer still counts as an answer.
      if (chunks.length > 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Parses `key<TAB>value` (mntr) or `key: value` / `key=value` lines into a map. */
export function parseKeyValueLines(text: string, separator: RegExp): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = separator.exec(line);
    if (match === null || match.index === 0) continue;
    entries.set(line.slice(0, match.index).trim(), line.slice(match.index + match[0].length).trim());
  }
  return entries;
}

/**
 * Four-letter words (`ruok`, `srvr`, `mntr`, ...): send the word, read until the server
 * closes the connection. Both Apache and Corral answer on the client port.
 */
import { askFourLetterWord } from '@corral/server';
import { interopLimits } from './limits.js';

/** Sends `word` to host:port and resolves with the whole reply (empty if the server just closes). */
export function fourLetterWord(host: string, port: number, word: string): Promise<string> {
  return askFourLetterWord({ host, port, word, timeoutMs: interopLimits.fourLetterTimeoutMs });
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

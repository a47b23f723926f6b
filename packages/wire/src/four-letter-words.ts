/**
 * ZooKeeper's four-letter-word admin commands ("ruok", "stat", …). They
 * arrive on the client port in place of the first length prefix
 * (NIOServerCnxn.readLength checks `!initialized && checkFourLetterWord`), so
 * the first four bytes of a connection must be looked up here before being
 * treated as a frame length (most of them exceed jute.maxbuffer).
 */

/** FourLetterCommands of ZooKeeper 3.9: every word, whether Corral implements it or not. */
export const fourLetterWords = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srvr', 'srst', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash',
] as const;

/** One of ZooKeeper's four-letter words. */
export type FourLetterWord = (typeof fourLetterWords)[number];

const words: ReadonlySet<string> = new Set(fourLetterWords);

/** True if `word` is one of ZooKeeper's four-letter words (FourLetterCommands.isKnown). */
export function isFourLetterWord(word: string): word is FourLetterWord {
  return words.has(word);
}

/** The words keyed by the big-endian int of their four bytes. */
const commands = new Map<number, string>(
  fourLetterWords.map(
    (word) => [((word.charCodeAt(0) << 24) | (word.charCodeAt(1) << 16) | (word.charCodeAt(2) << 8) | word.charCodeAt(3)) | 0, word],
  ),
);
// A telnet client's Ctrl-C / close (IAC IP IAC DO), recognised by ZooKeeper too.
commands.set(0xfff4fffd | 0, 'telnet close');

/** The four-letter word whose bytes form the big-endian int `prefix`, or null. */
export function fourLetterWordOf(prefix: number): string | null {
  return commands.get(prefix | 0) ?? null;
}

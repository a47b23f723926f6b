import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fourLetterWordOf, fourLetterWords, isFourLetterWord } from './four-letter-words.js';

test('every listed four-letter word is recognised as a word and as the first length prefix', () => {
  for (const word of fourLetterWords) {
    assert.equal(isFourLetterWord(word), true, word);
    assert.equal(fourLetterWordOf(Buffer.from(word, 'latin1').readInt32BE(0)), word);
  }
  assert.equal(isFourLetterWord('nope'), false);
  assert.equal(isFourLetterWord('telnet close'), false);
});

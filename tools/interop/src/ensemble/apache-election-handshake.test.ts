// The rewrite of Apache's election initial message (see the module): the
// advertised address is replaced and everything after it passes untouched;
// anything that is not a known initial message passes as is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteInitialMessage } from './apache-election-handshake.js';

function initialMessage(version: bigint, sid: bigint, address: string): Buffer {
  const head = Buffer.alloc(20);
  head.writeBigInt64BE(version, 0);
  head.writeBigInt64BE(sid, 8);
  const bytes = Buffer.from(address);
  head.writeInt32BE(bytes.length, 16);
  return Buffer.concat([head, bytes]);
}

const rest = Buffer.from([1, 2, 3]);

for (const version of [-65536n, -65535n]) {
  test(`protocol ${version}: the address is rewritten, sid and the following bytes are kept`, () => {
    const outcome = rewriteInitialMessage(Buffer.concat([initialMessage(version, 7n, '127.0.0.1:3888'), rest]), '127.0.0.1:41234');
    assert.equal(outcome.kind, 'rewritten');
    if (outcome.kind !== 'rewritten') return;
    assert.deepEqual(outcome.bytes, initialMessage(version, 7n, '127.0.0.1:41234'));
    assert.equal(outcome.consumed, 20 + '127.0.0.1:3888'.length);
  });
}

for (const { name, head, want } of [
  { name: 'fewer than 8 bytes', head: Buffer.alloc(5), want: 'incomplete' },
  { name: 'header cut short', head: initialMessage(-65536n, 1n, 'h:1').subarray(0, 12), want: 'incomplete' },
  { name: 'address cut short', head: initialMessage(-65536n, 1n, '127.0.0.1:3888').subarray(0, 25), want: 'incomplete' },
  { name: 'old protocol (the sid first)', head: initialMessage(3n, 1n, 'h:1'), want: 'pass' },
  { name: 'a negative address length', head: Buffer.concat([initialMessage(-65536n, 1n, '').subarray(0, 16), Buffer.from([0xff, 0xff, 0xff, 0xff])]), want: 'pass' },
]) {
  test(`${name}: ${want}`, () => {
    assert.equal(rewriteInitialMessage(head, '127.0.0.1:1').kind, want);
  });
}

// Goal: the simulator thins a server's turn as the server's link does
// (apps/server/src/peer/supersede-rules.ts), so the seeds exercise cumulative
// COMMITs and ACKs: a COMMIT superseded across PROPOSALs, an ACK across
// REQUEST/REVALIDATE/PING, never a NEWLEADER's ACK, never across other messages
// or another stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import type { PeerMsg } from '@corral/broadcast';
import type { Envelope } from './node.js';
import { withoutSuperseded } from './superseded.js';

type Message = { readonly kind: 'peer'; readonly msg: PeerMsg; readonly stream: number; readonly seq: number } | { readonly kind: 'close'; readonly stream: number };

const peer = (to: number, msg: PeerMsg, stream = 1): Envelope<Message> => ({ to, message: { kind: 'peer', msg, stream, seq: -1 } });
const txn = (counter: number) => ({ zxid: makeZxid(1, counter), bytes: new Uint8Array([counter]) });
const types = (batch: readonly Envelope<Message>[]): string[] =>
  batch.map((e) => (e.message.kind === 'peer' ? `${e.to}:${e.message.msg.type}${'zxid' in e.message.msg ? `@${String(e.message.msg.zxid & 0xffn)}` : ''}` : `${e.to}:close`));

test('a COMMIT supersedes an earlier one across PROPOSALs, per learner and stream', () => {
  const batch = [
    peer(2, { type: 'COMMIT', zxid: makeZxid(1, 1) }),
    peer(3, { type: 'COMMIT', zxid: makeZxid(1, 1) }),
    peer(2, { type: 'PROPOSAL', txn: txn(2) }),
    peer(2, { type: 'COMMIT', zxid: makeZxid(1, 2) }),
    peer(3, { type: 'COMMIT', zxid: makeZxid(1, 2) }, 9),
  ];
  assert.deepEqual(types(withoutSuperseded(batch)), ['3:COMMIT@1', '2:PROPOSAL', '2:COMMIT@2', '3:COMMIT@2']);
});

test('a PING between two COMMITs keeps both', () => {
  const batch = [peer(2, { type: 'COMMIT', zxid: makeZxid(1, 1) }), peer(2, { type: 'PING' }), peer(2, { type: 'COMMIT', zxid: makeZxid(1, 2) })];
  assert.deepEqual(types(withoutSuperseded(batch)), ['2:COMMIT@1', '2:PING', '2:COMMIT@2']);
});

test('an ACK supersedes an earlier one across REQUEST and PING, but not a NEWLEADER\'s ACK', () => {
  const batch = [
    peer(1, { type: 'ACK', zxid: makeZxid(2, 0) }),
    peer(1, { type: 'ACK', zxid: makeZxid(2, 1) }),
    peer(1, { type: 'REQUEST', payload: new Uint8Array([1]) }),
    peer(1, { type: 'PING' }),
    peer(1, { type: 'ACK', zxid: makeZxid(2, 2) }),
  ];
  assert.deepEqual(types(withoutSuperseded(batch)), ['1:ACK@0', '1:REQUEST', '1:PING', '1:ACK@2']);
});

test('other messages pass untouched and a batch without superseded messages is kept whole', () => {
  const batch: Envelope<Message>[] = [{ to: 1, message: { kind: 'close', stream: 1 } }, peer(1, { type: 'ACK', zxid: makeZxid(2, 1) })];
  assert.deepEqual(withoutSuperseded(batch), batch);
});

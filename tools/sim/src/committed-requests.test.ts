// Goal: an abandoned write is dropped from the history only when it provably never took effect:
// its session's close is applied and the write's own txn is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TxnType, encodeTxn } from '@corral/data-tree';
import { CommittedRequests } from './committed-requests.js';

const txn = (zxid: bigint, sessionId: bigint, cxid: number, close: boolean): { zxid: bigint; bytes: Uint8Array } => ({
  zxid,
  bytes: close
    ? encodeTxn({ sessionId, cxid, zxid, time: 0, type: TxnType.closeSession }, { type: TxnType.closeSession })
    : encodeTxn({ sessionId, cxid, zxid, time: 0, type: TxnType.error }, { type: TxnType.error, err: -101 }),
});

test('a write never happens only if its session closed and its txn was not applied', () => {
  const committed = new CommittedRequests();
  committed.applied([txn(1n, 7n, 1, false)]);
  assert.equal(committed.neverHappens(7n, 2), false, 'session 7 is still open: cxid 2 may come');
  committed.applied([txn(1n, 7n, 1, false), txn(2n, 7n, 0, true)]);
  assert.equal(committed.neverHappens(7n, 1), false, 'cxid 1 was applied');
  assert.equal(committed.neverHappens(7n, 2), true, 'cxid 2 was not, and session 7 is closed');
  assert.equal(committed.neverHappens(8n, 1), false, 'session 8 was never closed');
});

// Goal: zxid arithmetic matches ZooKeeper's ZxidUtils (epoch high, counter low).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid, zxidCounter, zxidEpoch, zxidToHex } from './zxid.js';
import { ZkCode, zkCodeName } from './zk-code.js';

test('makeZxid puts the epoch in the high 32 bits', () => {
  const cases = [
    { epoch: 0, counter: 0, want: 0n },
    { epoch: 1, counter: 0, want: 0x100000000n },
    { epoch: 0xffffffff, counter: 0xffffffff, want: 0xffffffffffffffffn },
    { epoch: 2, counter: 5, want: 0x200000005n },
  ];
  for (const c of cases) {
    const zxid = makeZxid(c.epoch, c.counter);
    assert.equal(zxid, c.want);
    assert.equal(zxidEpoch(zxid), c.epoch);
    assert.equal(zxidCounter(zxid), c.counter);
  }
  assert.equal(zxidToHex(0x200000005n), '0x200000005');
});

test('zkCodeName names KeeperException codes', () => {
  assert.equal(zkCodeName(ZkCode.NONODE), 'NONODE');
  assert.equal(zkCodeName(-9999), 'UNKNOWN(-9999)');
});

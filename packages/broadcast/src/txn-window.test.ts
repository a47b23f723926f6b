// Goal: the window's array-with-a-head answers like the map it replaced, across epochs and compactions.
// Method: a model (a plain array of held zxids) checked after every push and prune of a long run that spans
// epochs and counter gaps, with enough prunes to compact the array several times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeZxid } from '@corral/base';
import { TxnWindow } from './txn-window.js';

const txn = (zxid: bigint) => ({ zxid, bytes: new Uint8Array() });

test('TxnWindow lookups match a model across epochs, gaps and compactions', () => {
  const window = new TxnWindow(0n, []);
  const held: bigint[] = [];
  let base = 0n;
  let epoch = 1;
  let counter = 0;
  for (let step = 0; step < 6000; step++) {
    // A new epoch every 700 txns; every 250th txn skips a counter (a zxid the window never held).
    if (step % 700 === 699) {
      epoch += 2;
      counter = 0;
    }
    counter += step % 250 === 249 ? 2 : 1;
    const zxid = makeZxid(epoch, counter);
    window.push(txn(zxid));
    held.push(zxid);
    if (step % 7 === 0) {
      const upTo = held[Math.max(0, held.length - 40)] as bigint;
      window.prune(1500, upTo);
      while (held.length > 1500 && (held[0] as bigint) <= upTo) base = held.shift() as bigint;
    }
    if (step % 97 === 0) {
      assert.equal(window.baseZxid, base);
      assert.equal(window.size, held.length);
      assert.equal(window.lastZxid, held.at(-1));
      for (const probe of [held[0], held[held.length >> 1], held.at(-1)] as bigint[]) {
        assert.equal(window.has(probe), true);
        assert.equal(window.get(probe).zxid, probe);
        assert.deepEqual(window.after(probe).map((t) => t.zxid), held.slice(held.indexOf(probe) + 1));
        assert.equal(window.floor(probe), held.indexOf(probe) === 0 ? base : held[held.indexOf(probe) - 1]);
        assert.equal(window.has(probe + 1n), held.includes(probe + 1n));
      }
      assert.equal(window.has(base), false);
      assert.deepEqual(window.after(base).map((t) => t.zxid), held);
    }
  }
  assert.ok(epoch > 7, 'the run spans several epochs');
});

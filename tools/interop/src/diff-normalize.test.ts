/** Unit tests of the differential normalization (no servers): mapping must hide what may
 * differ (zxid values, session ids, times) and keep what must not (order, codes, versions). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, normalizeFourLetter, normalizeRun } from './diff-normalize.js';
import type { DiffSequence, DriverOutput } from './diff-normalize.js';

const stat = (czxid: string, mzxid: string, pzxid: string, owner: string, ctime = 1) => ({
  czxid, mzxid, pzxid, ctime, mtime: ctime, version: 0, cversion: 0, aversion: 0,
  ephemeralOwner: owner, dataLength: 0, numChildren: 0,
});

const sequence: DiffSequence = {
  sessions: 1,
  ops: [{ op: 'create', path: '/a' }, { op: 'create', path: '/a/e', mode: 'ephemeral' }, { op: '4lw', word: 'srvr' }],
};

function run(base: bigint, session: string, ctime: number): DriverOutput {
  const z = (n: number): string => String(base + BigInt(n));
  return {
    sessions: [session],
    results: [
      { i: 0, code: 'OK', path: '/a', stat: stat(z(1), z(1), z(1), '0', ctime) },
      { i: 1, code: 'OK', path: '/a/e', stat: stat(z(5), z(5), z(5), session, ctime) },
      { i: 2, code: 'OK', reply: `Zookeeper version: ${session}\nMode: standalone\n` },
    ],
  };
}

describe('differential normalization', () => {
  it('maps zxids by appearance, owners by session index, drops times and 4lw values', () => {
    const a = normalizeRun(sequence, run(4294967296n, '111', 5));
    const b = normalizeRun(sequence, run(8589934592n + 77n, '999', 9));
    assert.deepEqual(compareRuns(sequence, a, b), []);
  });

  it('reports a differing code, version or zxid order at its step', () => {
    const a = normalizeRun(sequence, run(0n, '1', 1));
    const changed = run(0n, '1', 1);
    const second = changed.results[1];
    assert.ok(second);
    second['stat'] = stat('1', '1', '1', '1'); // reuses the first create's zxid
    const b = normalizeRun(sequence, changed);
    const mismatches = compareRuns(sequence, a, b);
    assert.equal(mismatches.length, 1);
    assert.equal(mismatches[0]?.step, 1);
  });

  it('reduces mntr to required key presence and srvr to its keys', () => {
    assert.deepEqual(normalizeFourLetter('srvr', 'Zookeeper version: x\nMode: standalone\n'), ['Zookeeper version', 'Mode']);
    const mntr = normalizeFourLetter('mntr', 'zk_version\t1\nzk_znode_count\t4\n') as Record<string, boolean>;
    assert.equal(mntr['zk_version'], true);
    assert.equal(mntr['zk_watch_count'], false);
  });
});

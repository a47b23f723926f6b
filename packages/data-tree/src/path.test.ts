// Goal: validatePath and sequentialName match ZooKeeper's PathUtils and
// PrepRequestProcessor exactly (messages from PathUtils.validatePath).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childName, parentPath, sequentialName, validatePath } from './path.js';

test('validatePath returns PathUtils messages', () => {
  const cases: { path: string; sequential: boolean; want: string | null }[] = [
    { path: '/', sequential: false, want: null },
    { path: '/a/b', sequential: false, want: null },
    { path: '', sequential: false, want: 'Path length must be > 0' },
    { path: 'a', sequential: false, want: 'Path must start with / character' },
    { path: '/a/', sequential: false, want: 'Path must not end with / character' },
    { path: '/a/', sequential: true, want: null },
    { path: '/', sequential: true, want: null },
    { path: '/a//b', sequential: false, want: 'Invalid path string "/a//b" caused by empty node name specified @3' },
    { path: '/a/./b', sequential: false, want: 'Invalid path string "/a/./b" caused by relative paths not allowed @3' },
    { path: '/a/..', sequential: false, want: 'Invalid path string "/a/.." caused by relative paths not allowed @4' },
    { path: '/a/.', sequential: true, want: null },
    { path: '/a/...', sequential: false, want: null },
    { path: '/.a', sequential: false, want: null },
    { path: '/a\u0000', sequential: false, want: 'Invalid path string "/a\u0000" caused by null character not allowed @2' },
    { path: '/a\u0001', sequential: false, want: 'Invalid path string "/a\u0001" caused by invalid character @2' },
    { path: '/a\u0085', sequential: false, want: 'Invalid path string "/a\u0085" caused by invalid character @2' },
    { path: '/\ud83d\ude00', sequential: false, want: 'Invalid path string "/\ud83d\ude00" caused by invalid character @1' },
    { path: '/\ufff0', sequential: false, want: 'Invalid path string "/\ufff0" caused by invalid character @1' },
    { path: '/é', sequential: false, want: null },
  ];
  for (const c of cases) assert.equal(validatePath(c.path, c.sequential), c.want, JSON.stringify(c.path));
});

test('sequentialName formats %010d including negative counters', () => {
  const cases = [
    { counter: 0, want: '/a/s0000000000' },
    { counter: 3, want: '/a/s0000000003' },
    { counter: 2147483647, want: '/a/s2147483647' },
    { counter: -1, want: '/a/s-000000001' },
    { counter: -2147483648, want: '/a/s-2147483648' },
    { counter: 2147483648, want: '/a/s-2147483648' },
  ];
  for (const c of cases) assert.equal(sequentialName('/a/s', c.counter), c.want);
});

test('parentPath and childName split at the last slash', () => {
  assert.equal(parentPath('/a'), '/');
  assert.equal(parentPath('/a/b/c'), '/a/b');
  assert.equal(childName('/a/b/c'), 'c');
});

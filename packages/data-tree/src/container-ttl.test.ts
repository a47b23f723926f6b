// Goal: containerAndTtlCandidates follows ContainerManager.getCandidates:
// empty containers that once had children, never-used ones only past
// maxNeverUsedIntervalMs, TTL nodes only when empty and now - mtime > ttl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAclUnsafe } from './acl.js';
import { containerAndTtlCandidates } from './container-ttl.js';
import { DataTree } from './data-tree.js';
import type { Txn } from './txn.js';

test('container and TTL candidates', () => {
  const tree = new DataTree();
  let zxid = 0n;
  const run = (txn: Txn, time: number): void => {
    zxid++;
    tree.apply({ sessionId: 1n, cxid: 0, zxid, time, type: txn.type }, txn);
  };
  const data = new Uint8Array(0);
  run({ type: 19, path: '/used', data, acl: openAclUnsafe, parentCVersion: -1 }, 100);
  run({ type: 19, path: '/never', data, acl: openAclUnsafe, parentCVersion: -1 }, 100);
  run({ type: 19, path: '/busy', data, acl: openAclUnsafe, parentCVersion: -1 }, 100);
  run({ type: 1, path: '/used/x', data, acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 }, 100);
  run({ type: 2, path: '/used/x' }, 100);
  run({ type: 1, path: '/busy/x', data, acl: openAclUnsafe, ephemeral: false, parentCVersion: -1 }, 100);
  run({ type: 21, path: '/ttl', data, acl: openAclUnsafe, parentCVersion: -1, ttl: 50n }, 100);
  assert.deepEqual(containerAndTtlCandidates(tree, 150), ['/used']);
  assert.deepEqual(containerAndTtlCandidates(tree, 151), ['/ttl', '/used']);
  assert.deepEqual(containerAndTtlCandidates(tree, 151, { maxNeverUsedIntervalMs: 50 }), ['/never', '/ttl', '/used']);
  assert.deepEqual(containerAndTtlCandidates(tree, 150, { maxNeverUsedIntervalMs: 50 }), ['/used']);
});

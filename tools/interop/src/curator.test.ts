/**
 * Interop: Apache Curator 5.4 (testdata/CuratorCheck.java, compiled at test time) against
 * the server under test: InterProcessMutex with two contending clients, LeaderLatch with
 * two participants, CuratorCache seeing creates/changes/deletes. Curator always uses
 * create2 and setWatches2, so this also covers those opcodes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileJava } from './java.js';
import type { JavaProgram } from './java.js';
import { parseTabLines } from './java-lines.js';
import { curatorClasspath, missingReason } from './paths.js';
import { describeRun } from './run-client.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

const want: Record<string, string> = {
  'mutex.aAcquired': 'true',
  'mutex.bWhileHeld': 'false',
  'mutex.bAfterRelease': 'true',
  'mutex.counter': '20',
  'mutex.overlaps': '0',
  'mutex.lockNodesLeft': '0',
  'latch.aLeads': 'true',
  'latch.bLeadsWhileAHolds': 'false',
  'latch.participants': '2',
  'latch.leaderId': 'a',
  'latch.bLeadsAfterClose': 'true',
  'cache.initialized': 'true',
  'cache.initial': 'created /cu/cache ,created /cu/cache/pre p',
  'cache.event1': 'created /cu/cache/x 1',
  'cache.event2': 'changed /cu/cache/x 2',
  'cache.event3': 'created /cu/cache/x/y 3',
  'cache.deletes': 'deleted /cu/cache/x,deleted /cu/cache/x/y',
  'cache.size': '2',
};

const skip = missingReason(curatorClasspath);

describe(`Curator 5.4 against ${targetKind()}`, { skip }, () => {
  let server: RunningServer | undefined;
  let program: JavaProgram | undefined;
  before(async () => {
    [server, program] = await Promise.all([startTarget(), compileJava('CuratorCheck.java', curatorClasspath)]);
  });
  after(async () => {
    program?.dispose();
    await server?.stop();
  });

  it('mutex, leader latch and cache behave as on ZooKeeper 3.8', async () => {
    assert.ok(server && program);
    const result = await program.run([server.connectString], 120_000);
    assert.equal(result.code, 0, describeRun(result));
    assert.deepEqual(parseTabLines(result.stdout), want, describeRun(result));
  });
});

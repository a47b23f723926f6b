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
import { curatorWant } from './curator-expectations.js';
import { parseTabLines } from './java-lines.js';
import { curatorClasspath, missingReason } from './paths.js';
import { describeRun } from './run-client.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

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
    assert.deepEqual(parseTabLines(result.stdout), curatorWant, describeRun(result));
  });
});

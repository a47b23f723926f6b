/**
 * Interop: Apache's Java client 3.8 (testdata/JavaClientCheck.java, compiled at test time)
 * against the server under test: create2, getData watches, setData, multi, getChildren2,
 * addWatch PERSISTENT_RECURSIVE, removeWatches, getAllChildrenNumber, getEphemerals,
 * whoAmI, sync, and setWatches(2) after the client's socket is dropped under it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileJava } from './java.js';
import type { JavaProgram } from './java.js';
import { javaClientWant } from './java-client-expectations.js';
import { parseTabLines } from './java-lines.js';
import { missingReason, zookeeperClasspath } from './paths.js';
import { describeRun } from './run-client.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

const skip = missingReason([...zookeeperClasspath]);

describe(`Java client 3.8 against ${targetKind()}`, { skip }, () => {
  let server: RunningServer | undefined;
  let program: JavaProgram | undefined;
  before(async () => {
    [server, program] = await Promise.all([startTarget(), compileJava('JavaClientCheck.java', zookeeperClasspath)]);
  });
  after(async () => {
    program?.dispose();
    await server?.stop();
  });

  it('every Java API call gives ZooKeeper 3.8 results', async () => {
    assert.ok(server && program);
    const result = await program.run([server.connectString], 90_000);
    assert.equal(result.code, 0, describeRun(result));
    assert.deepEqual(parseTabLines(result.stdout), javaClientWant, describeRun(result));
  });
});

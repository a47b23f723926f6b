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
import { parseTabLines } from './java-lines.js';
import { missingReason, zookeeperClasspath } from './paths.js';
import { describeRun } from './run-client.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

const want: Record<string, string> = {
  'create2.path': '/jc',
  // version, dataLength, czxid == mzxid, czxid > 0
  'create2.stat': '0,5,true,true',
  'create2.duplicate': 'NODEEXISTS',
  'getData': 'hello,0,true',
  'setData.version': '1',
  'getData.watch': 'NodeDataChanged /jc',
  'setData.stale': 'BADVERSION',
  'multi.ok': 'CreateResult,CheckResult,SetDataResult,DeleteResult',
  // first failing code, then per-op: OK before, the error, RuntimeInconsistency after
  'multi.failed': 'NONODE:0,-101,-2',
  // children | numChildren, cversion (3 creates + e1 + multi's create and delete of /jc/m)
  'getChildren2': 'a,b,c,e1|4,6',
  'getAllChildrenNumber': '6',
  'getAllChildrenNumber.root': '0',
  'getEphemerals': '/jc/a/e2,/jc/e1',
  'getEphemerals.other': '0',
  'addWatch.recursive': 'NodeCreated /jc/r,NodeCreated /jc/r/a,NodeDataChanged /jc/r/a,NodeDataChanged /jc/r/a,NodeDeleted /jc/r/a',
  'removeWatches': 'DataWatchRemoved /jc/c',
  'removeWatches.none': 'NOWATCHER',
  'whoAmI': 'after:digest:user,after:ip:127.0.0.1,ip:127.0.0.1',
  'sync.rc': '0',
  'reconnect.states': 'Disconnected,SyncConnected',
  'reconnect.sameSession': 'true',
  'setWatches.data': 'NodeDataChanged /jc/sw',
  'setWatches.exists': 'NodeCreated /jc/sw/new',
  // a PERSISTENT (non-recursive) watch also sees the child created after the reconnect
  'setWatches.persistent': 'NodeDataChanged /jc/sw,NodeChildrenChanged /jc/sw',
};

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
    assert.deepEqual(parseTabLines(result.stdout), want, describeRun(result));
  });
});

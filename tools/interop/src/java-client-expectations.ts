/**
 * What ZooKeeper 3.8 gives for each observation of testdata/JavaClientCheck.java (re-proven with
 * CORRAL_INTEROP_TARGET=apache and CORRAL_ENSEMBLE_TARGET=apache), shared by the
 * standalone suite and the ensemble suite.
 */

/** Observation name → value, as ZooKeeper 3.8 gives them. */
export const javaClientWant: Readonly<Record<string, string>> = {
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

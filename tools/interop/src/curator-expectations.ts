/**
 * What ZooKeeper 3.8 gives for each observation of testdata/CuratorCheck.java (re-proven with
 * CORRAL_INTEROP_TARGET=apache and CORRAL_ENSEMBLE_TARGET=apache), shared by the
 * standalone suite and the ensemble suite.
 */

/** Observation name → value, as ZooKeeper 3.8 gives them. */
export const curatorWant: Readonly<Record<string, string>> = {
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

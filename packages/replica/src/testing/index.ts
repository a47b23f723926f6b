/** Test helpers of @corral/replica: Replicas over broadcast's real Leader and Learner, and the Driver's disk rules. */
export { TestEnsemble, testSessionPassword } from './ensemble.js';
export { applyReadyWrites, emptyDisk, initialStateOf, lastLoggedZxid, readyWrites, recoveredDisk, withSnapshot } from './disk-state.js';
export type { TestDisk } from './disk-state.js';
export type { TestEnsembleOptions, TestServer } from './ensemble.js';

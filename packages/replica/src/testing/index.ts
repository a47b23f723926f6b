/** Test helpers of @corral/replica: Replicas over broadcast's real Leader and Learner. */
export { TestEnsemble, testSessionPassword } from './ensemble.js';
export type { TestDisk, TestEnsembleOptions, TestServer } from './ensemble.js';

/** Test helpers of @corral/replica (the fake broadcast WAITS FOR h/broadcast). */
export { FakeLeader, FakeLearner } from './fake-broadcast.js';
export { TestEnsemble, testSessionPassword } from './ensemble.js';
export type { TestServer } from './ensemble.js';

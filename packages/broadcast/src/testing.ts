/**
 * @corral/broadcast/testing: the deterministic harness broadcast's own tests
 * use, exported for tools/sim and the replica tests (STYLE §11: a second
 * entry point, so production code never imports it by accident).
 */
export { Cluster, SimNode, testLimits } from './testing/cluster.js';
export { Checker } from './testing/checker.js';
export { Prng } from './testing/prng.js';
export { runScript, stabilize } from './testing/script.js';
export { runRandom } from './testing/random-run.js';
export { captureMarks, markNames } from './marks.js';
export { formatMsg, formatReady, formatTxn, formatZxid, parseZxid } from './testing/format.js';
export type { ClusterOptions, DiskState, NodeRole } from './testing/cluster.js';
export type { RandomRunOptions, RandomRunResult } from './testing/random-run.js';
export type { MarkName } from './marks.js';

/** @corral/lincheck: a linearizability checker for znode histories (Wing–Gong with per-znode partitions). */
export { checkLinearizable } from './check.js';
export { checkPartition, searchStepsMaxDefault } from './wing-gong.js';
export { HistoryRecorder } from './history.js';
export { znodeModel } from './znode-model.js';
export type { LinearizabilityResult } from './check.js';
export type { PartitionVerdict } from './wing-gong.js';
export type { Operation } from './history.js';
export type { Model, StepResult } from './model.js';
export type { ZnodeInput, ZnodeOutput, ZnodeState } from './znode-model.js';

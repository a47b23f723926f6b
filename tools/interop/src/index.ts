/** @corral/interop: start/stop real servers and run real ZooKeeper clients against them. */
export { startApache, startCorral, startTarget, targetKind } from './servers.js';
export { fourLetterWord, parseKeyValueLines } from './four-letter.js';
export { runClient, describeRun } from './run-client.js';
export { resolveServerOptions, zooCfgText } from './zoo-cfg.js';
export { interopLimits } from './limits.js';
/** Real-process ensembles of either implementation (kill -9, SIGSTOP, partitions through link proxies). */
export { TestEnsemble, apacheLauncher } from './ensemble/test-ensemble.js';
export { LinkProxy } from './ensemble/link-proxy.js';
export { ensembleTargetKind, resolveEnsembleTarget } from './ensemble/ensemble-target.js';
export { WriteLoad, rotatedConnectString } from './ensemble/write-load.js';
export { readFromEachMember, differencesBetween, missingAcked } from './ensemble/member-reads.js';
export type { TestEnsembleOptions } from './ensemble/test-ensemble.js';
export type { AckedWrite, WriteLoadOptions } from './ensemble/write-load.js';
export type { RunningServer, ServerKind } from './servers.js';
export type { ServerOptions, ResolvedServerOptions } from './zoo-cfg.js';
export type { ClientRun, ClientResult } from './run-client.js';

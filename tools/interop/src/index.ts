/** @corral/interop: start/stop real servers and run real ZooKeeper clients against them. */
export { startApache, startCorral, startTarget, targetKind } from './servers.js';
export { fourLetterWord, parseKeyValueLines } from './four-letter.js';
export { runClient, describeRun } from './run-client.js';
export { resolveServerOptions, zooCfgText } from './zoo-cfg.js';
export { interopLimits } from './limits.js';
export type { RunningServer, ServerKind } from './servers.js';
export type { ServerOptions, ResolvedServerOptions } from './zoo-cfg.js';
export type { ClientRun, ClientResult } from './run-client.js';

/**
 * @corral/server: a standalone ZooKeeper-compatible server, for embedding
 * in tools and tests. The `corral` command (cli.ts) is the usual entry.
 */
export { CorralServer, storageLimits } from './server.js';
export { ConfigError, parseZooCfg, parseProperties } from './config/zoo-cfg.js';
export { createLogger } from './logger.js';
export { exportBackup, restoreBackup, readBackup, BackupError } from './storage/backup.js';
export type { ServerConfig, QuorumServerSpec } from './config/server-config.js';
export type { Logger } from './logger.js';
/** Per-connection `cons` counters a ClientTransport carries. */
export { ConnectionStats } from './stats/connection-stats.js';
export type { ClientTransport, ReplyBacklog } from './session/session.js';
/** Local ensembles: zoo.cfg/myid per member, one process per member, controlled by PID (`corral ensemble`, real-process tests). */
export { LocalEnsemble, corralLauncher, corralCliPath, localEnsembleLimits } from './ensemble/local-ensemble.js';
export { localLayout, connectStringOf, memberZooCfg, ensembleLimits } from './ensemble/ensemble-config.js';
export { askFourLetterWord, modeOf, zxidOf } from './ensemble/four-letter-client.js';
export type { LocalEnsembleOptions, MemberLauncher } from './ensemble/local-ensemble.js';
export type { EnsembleLayout, EnsembleMember, PeerAddress } from './ensemble/ensemble-config.js';
export type { MemberCommand } from './ensemble/member-process.js';
export type { ServerMode } from './ensemble/four-letter-client.js';

/**
 * Whether a configuration runs standalone or as an ensemble member, and the
 * ensemble checks ZooKeeper's QuorumPeerConfig makes once myid is known:
 * myid names one of the server lines, `peerType` agrees with that line, and
 * at least one server votes.
 */
import { ConfigError } from './config-error.js';
import type { QuorumServerSpec, ServerConfig } from './server-config.js';

/** This server's place in its ensemble. */
export interface EnsembleMembership {
  readonly myid: number;
  readonly me: QuorumServerSpec;
  readonly servers: readonly QuorumServerSpec[];
  readonly voters: readonly number[];
  readonly observers: readonly number[];
}

/**
 * ZooKeeper runs standalone with no server line, or with exactly one and
 * standaloneEnabled=true (QuorumPeerConfig.isDistributed).
 */
export function isStandalone(config: Pick<ServerConfig, 'servers' | 'standaloneEnabled'>): boolean {
  return config.servers.length === 0 || (config.servers.length === 1 && config.standaloneEnabled);
}

/** Checks an ensemble configuration against myid; throws ConfigError naming the key. */
export function ensembleMembership(config: ServerConfig): EnsembleMembership {
  const { myid, servers } = config;
  if (myid === null) throw new ConfigError('myid', `${config.dataDir}/myid is missing: an ensemble member needs its server id there`);
  const me = servers.find((spec) => spec.sid === myid);
  if (me === undefined) throw new ConfigError('myid', `${myid} (from ${config.dataDir}/myid) has no server.${myid} line`);
  if ((config.peerType === 'observer') !== me.observer) {
    throw new ConfigError('peerType', `is ${config.peerType} but server.${myid} is ${me.observer ? 'an observer' : 'a participant'}`);
  }
  const voters = servers.filter((spec) => !spec.observer).map((spec) => spec.sid).sort((a, b) => a - b);
  const observers = servers.filter((spec) => spec.observer).map((spec) => spec.sid).sort((a, b) => a - b);
  if (voters.length === 0) throw new ConfigError('server.N', 'an ensemble needs at least one participant');
  return { myid, me, servers, voters, observers };
}

/** The client port: zoo.cfg's clientPort, or the one on this server's line when the file has none. */
export function clientAddressOf(config: ServerConfig, me: QuorumServerSpec | null): { port: number; host: string } {
  if (config.clientPortSet || me?.client == null) return { port: config.clientPort, host: config.clientPortAddress };
  return { port: me.client.port, host: me.client.host ?? config.clientPortAddress };
}

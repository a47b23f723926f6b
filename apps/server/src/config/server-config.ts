/**
 * The server's configuration: ZooKeeper's zoo.cfg keys, parsed and
 * validated once at start-up. Everything else takes this object; nothing
 * reads system properties or the environment on the hot path.
 */
import type { FourLetterWord } from '@corral/wire';

/** One `server.N=host:quorumPort:electionPort[:role][;clientAddr]` line. */
export interface QuorumServerSpec {
  readonly sid: number;
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly observer: boolean;
}

/** The validated configuration of one server. */
export interface ServerConfig {
  readonly tickTimeMs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly clientPort: number;
  readonly clientPortAddress: string;
  readonly grpcPort: number | null;
  readonly maxClientCnxns: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly fourLetterWordWhitelist: ReadonlySet<string>;
  readonly extendedTypesEnabled: boolean;
  readonly juteMaxBuffer: number;
  readonly containerCheckIntervalMs: number;
  readonly snapCount: number;
  readonly snapRetainCount: number;
  readonly purgeIntervalHours: number;
  readonly globalOutstandingLimit: number;
  readonly superDigest: string | null;
  readonly servers: readonly QuorumServerSpec[];
  readonly myid: number | null;
  /** Keys the file had that Corral does not know: warned about, not fatal. */
  readonly unknownKeys: readonly string[];
}

/** Every four-letter word Corral implements: a subset of ZooKeeper's (`fourLetterWords` of @corral/wire), checked by its type. */
export const fourLetterWords = [
  'conf', 'cons', 'crst', 'dump', 'envi', 'ruok', 'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro',
] as const satisfies readonly FourLetterWord[];

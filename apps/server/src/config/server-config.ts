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
  /** The `;[clientHost:]clientPort` part, when the line has one. */
  readonly client: { readonly host: string | null; readonly port: number } | null;
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
  /** ZooKeeper's standaloneEnabled: a single server line runs standalone (true) or as an ensemble of one. */
  readonly standaloneEnabled: boolean;
  /** Accepted for compatibility; dynamic reconfiguration is not supported (a warning says so). */
  readonly reconfigEnabled: boolean;
  /** Bind the quorum and election ports on 0.0.0.0 instead of this server's line's host. */
  readonly quorumListenOnAllIPs: boolean;
  /** Attempts to bind the election port before giving up (0: keep trying). */
  readonly electionPortBindRetry: number;
  /** ZooKeeper's cnxTimeout: a peer connection that is not authenticated within it is closed. */
  readonly cnxTimeoutMs: number;
  /**
   * ZooKeeper's zookeeper.commitLogCount: committed txns a leader keeps in
   * memory to DIFF learners (broadcast's windowTxnsMax); a learner further
   * behind is DIFFed from the log on disk, or sent a SNAP.
   */
  readonly commitLogCount: number;
  /**
   * ZooKeeper's zookeeper.snapshotSizeFactor: a learner below the leader's
   * window is DIFFed from the log on disk only while those records total at
   * most this factor times the newest snapshot's size; a SNAP otherwise.
   * Negative: never from disk (always a SNAP below the window).
   */
  readonly snapshotSizeFactor: number;
  /** `peerType`: must agree with this server's line. */
  readonly peerType: 'participant' | 'observer';
  /** The ensemble secret (`quorum.auth.secret` / `quorum.auth.secretFile`), or null. */
  readonly peerAuthSecret: Uint8Array | null;
  /** Whether the file set `clientPort` (else a server line's client port applies). */
  readonly clientPortSet: boolean;
  /** Keys the file had that Corral does not know: warned about, not fatal. */
  readonly unknownKeys: readonly string[];
}

/** Every four-letter word Corral implements: a subset of ZooKeeper's (`fourLetterWords` of @corral/wire), checked by its type. */
export const fourLetterWords = [
  'conf', 'cons', 'crst', 'dump', 'envi', 'ruok', 'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro',
] as const satisfies readonly FourLetterWord[];

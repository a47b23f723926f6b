/**
 * Parses ZooKeeper's zoo.cfg (java.util.Properties "key=value" lines) into a
 * validated ServerConfig. Invalid values stop start-up with a ConfigError
 * naming the key; unknown keys are collected so the caller can warn.
 */
import { peerAuthSecretFromProperties } from '../peer/peer-auth.js';
import { ConfigError } from './config-error.js';
import { fourLetterWords, type QuorumServerSpec, type ServerConfig } from './server-config.js';

export { ConfigError };

const juteMaxBufferDefault = 0xfffff;
/** Largest jute.maxbuffer accepted: every frame must fit a logged txn and the tree's data limit. */
export const juteMaxBufferMax = 16 * 1024 * 1024;
const knownKeys = new Set([
  'tickTime', 'initLimit', 'syncLimit', 'dataDir', 'dataLogDir', 'clientPort', 'clientPortAddress', 'grpcPort',
  'maxClientCnxns', 'minSessionTimeout', 'maxSessionTimeout', '4lw.commands.whitelist', 'extendedTypesEnabled',
  'jute.maxbuffer', 'znode.container.checkIntervalMs', 'snapCount', 'autopurge.snapRetainCount',
  'autopurge.purgeInterval', 'globalOutstandingLimit', 'admin.enableServer', 'admin.serverPort',
  'standaloneEnabled', 'reconfigEnabled', 'preAllocSize', 'forceSync', 'superDigest',
  'zookeeper.extendedTypesEnabled', 'DigestAuthenticationProvider.superDigest', 'metricsProvider.className',
  // Read by peer/peer-auth.ts (peerAuthSecretFromProperties).
  'quorum.auth.secret', 'quorum.auth.secretFile',
  'electionPortBindRetry', 'cnxTimeout', 'quorumListenOnAllIPs', 'peerType', 'commitLogCount',
  'snapshotSizeFactor',
]);

/** Splits Properties-style text into key/value pairs (`#`/`!` comments, `=` or `:` separators). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const sep = line.search(/[=:]/);
    if (sep < 0) {
      out.set(line, '');
      continue;
    }
    out.set(line.slice(0, sep).trim(), line.slice(sep + 1).trim());
  }
  return out;
}

function intValue(props: Map<string, string>, key: string, fallback: number, min: number, max: number): number {
  const raw = props.get(key);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(key, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(key, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function numberValue(props: Map<string, string>, key: string, fallback: number, min: number, max: number): number {
  const raw = props.get(key);
  if (raw === undefined) return fallback;
  if (!/^-?\d+(\.\d+)?$/.test(raw)) throw new ConfigError(key, `expected a number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(key, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolValue(props: Map<string, string>, key: string, fallback: boolean): boolean {
  const raw = props.get(key);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === 'yes') return true;
  if (raw === 'false' || raw === 'no') return false;
  throw new ConfigError(key, `expected true or false, got "${raw}"`);
}

function parseWhitelist(raw: string | undefined): Set<string> {
  // ZooKeeper's default whitelist is "srvr" only (ZOOKEEPER-2693).
  if (raw === undefined) return new Set(['srvr']);
  const words = raw.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (words.includes('*')) return new Set(fourLetterWords);
  const known = new Set<string>(fourLetterWords);
  return new Set(words.filter((w) => known.has(w)));
}

function parseServerLine(key: string, value: string): QuorumServerSpec {
  const sid = Number(key.slice('server.'.length));
  if (!Number.isInteger(sid) || sid < 0 || sid > 255) throw new ConfigError(key, 'server id must be 0..255');
  const [addresses = '', clientAddress] = value.split(';');
  const parts = addresses.split(':');
  if (parts.length < 3) throw new ConfigError(key, `expected host:quorumPort:electionPort, got "${value}"`);
  const [host = '', quorum = '', election = '', role] = parts;
  const quorumPort = Number(quorum);
  const electionPort = Number(election);
  for (const [name, port] of [['quorum port', quorumPort], ['election port', electionPort]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(key, `bad ${name} in "${value}"`);
  }
  if (role !== undefined && role !== 'participant' && role !== 'observer') {
    throw new ConfigError(key, `role must be participant or observer, got "${role}"`);
  }
  return { sid, host, quorumPort, electionPort, observer: role === 'observer', client: clientAddress === undefined ? null : parseClientAddress(key, clientAddress) };
}

/** The `;[clientHost:]clientPort` part of a server line (ZooKeeper 3.5+). */
function parseClientAddress(key: string, text: string): { readonly host: string | null; readonly port: number } {
  const sep = text.lastIndexOf(':');
  const host = sep < 0 ? null : text.slice(0, sep);
  const port = Number(sep < 0 ? text : text.slice(sep + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(key, `bad client port in "${text}"`);
  return { host, port };
}

/** Ports of the server lines: no two lines (or a line and itself) share a host and port. */
function checkServerPorts(servers: readonly QuorumServerSpec[]): void {
  const used = new Map<string, number>();
  for (const spec of servers) {
    for (const port of [spec.quorumPort, spec.electionPort]) {
      const address = `${spec.host}:${port}`;
      const other = used.get(address);
      if (other !== undefined) throw new ConfigError(`server.${spec.sid}`, `${address} is also used by server.${other}`);
      used.set(address, spec.sid);
    }
  }
}

/** Options that come from outside the file (the myid file, defaults of `npm start`). */
export interface ConfigContext {
  readonly myid?: number | null;
  readonly defaultDataDir?: string;
  /** Reads `quorum.auth.secretFile` (tests pass their own). */
  readonly readFile?: (path: string) => Buffer;
}

/** Builds a ServerConfig from zoo.cfg text. Throws ConfigError naming the bad key. */
export function parseZooCfg(text: string, context: ConfigContext = {}): ServerConfig {
  const props = parseProperties(text);
  const tickTimeMs = intValue(props, 'tickTime', 2000, 1, 3_600_000);
  const dataDir = props.get('dataDir') ?? context.defaultDataDir;
  if (dataDir === undefined || dataDir === '') throw new ConfigError('dataDir', 'is required');
  const minSessionTimeoutMs = intValue(props, 'minSessionTimeout', tickTimeMs * 2, 1, 2 ** 31 - 1);
  const maxSessionTimeoutMs = intValue(props, 'maxSessionTimeout', tickTimeMs * 20, 1, 2 ** 31 - 1);
  if (minSessionTimeoutMs > maxSessionTimeoutMs) {
    throw new ConfigError('minSessionTimeout', `(${minSessionTimeoutMs}) must not exceed maxSessionTimeout (${maxSessionTimeoutMs})`);
  }
  const clientPortAddress = props.get('clientPortAddress') ?? '127.0.0.1';
  if (!/^[\w.:-]+$/.test(clientPortAddress)) throw new ConfigError('clientPortAddress', `bad address "${clientPortAddress}"`);
  const servers: QuorumServerSpec[] = [];
  const unknownKeys: string[] = [];
  for (const key of props.keys()) {
    if (key.startsWith('server.')) servers.push(parseServerLine(key, props.get(key) ?? ''));
    else if (!knownKeys.has(key) && !key.startsWith('group.') && !key.startsWith('weight.')) unknownKeys.push(key);
  }
  checkServerPorts(servers);
  const peerType = props.get('peerType') ?? 'participant';
  if (peerType !== 'participant' && peerType !== 'observer') throw new ConfigError('peerType', `expected participant or observer, got "${peerType}"`);
  const grpcPort = props.has('grpcPort') ? intValue(props, 'grpcPort', 0, 0, 65535) : null;
  const superDigest = props.get('superDigest') ?? props.get('DigestAuthenticationProvider.superDigest') ?? null;
  if (superDigest !== null && !/^[^:]+:[A-Za-z0-9+/=]+$/.test(superDigest)) {
    throw new ConfigError('superDigest', 'expected user:base64(sha1(user:password))');
  }
  return {
    tickTimeMs,
    initLimit: intValue(props, 'initLimit', 10, 1, 10_000),
    syncLimit: intValue(props, 'syncLimit', 5, 1, 10_000),
    dataDir,
    dataLogDir: props.get('dataLogDir') ?? dataDir,
    clientPort: intValue(props, 'clientPort', 2181, 0, 65535),
    clientPortAddress,
    grpcPort,
    maxClientCnxns: intValue(props, 'maxClientCnxns', 60, 0, 1_000_000),
    minSessionTimeoutMs,
    maxSessionTimeoutMs,
    fourLetterWordWhitelist: parseWhitelist(props.get('4lw.commands.whitelist')),
    extendedTypesEnabled: boolValue(props, 'extendedTypesEnabled', boolValue(props, 'zookeeper.extendedTypesEnabled', false)),
    juteMaxBuffer: intValue(props, 'jute.maxbuffer', juteMaxBufferDefault, 1024, juteMaxBufferMax),
    containerCheckIntervalMs: intValue(props, 'znode.container.checkIntervalMs', 60_000, 1, 86_400_000),
    snapCount: intValue(props, 'snapCount', 100_000, 2, 100_000_000),
    snapRetainCount: Math.max(3, intValue(props, 'autopurge.snapRetainCount', 3, 1, 1000)),
    purgeIntervalHours: intValue(props, 'autopurge.purgeInterval', 0, 0, 100_000),
    globalOutstandingLimit: intValue(props, 'globalOutstandingLimit', 1000, 1, 1_000_000),
    superDigest,
    servers,
    myid: context.myid ?? null,
    standaloneEnabled: boolValue(props, 'standaloneEnabled', true),
    reconfigEnabled: boolValue(props, 'reconfigEnabled', false),
    quorumListenOnAllIPs: boolValue(props, 'quorumListenOnAllIPs', false),
    electionPortBindRetry: intValue(props, 'electionPortBindRetry', 3, 0, 1_000_000),
    cnxTimeoutMs: intValue(props, 'cnxTimeout', 5000, 1, 3_600_000),
    peerType,
    commitLogCount: intValue(props, 'commitLogCount', 10_000, 4, 1_000_000),
    snapshotSizeFactor: numberValue(props, 'snapshotSizeFactor', 0.33, -1, 1_000),
    peerAuthSecret: peerAuthSecretFromProperties(props, context.readFile),
    clientPortSet: props.has('clientPort'),
    unknownKeys,
  };
}

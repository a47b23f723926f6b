/**
 * The `membership:` block of `conf` in an ensemble, as Apache 3.8 prints it
 * (QuorumMaj.toString over QuorumPeer.QuorumServer.toString):
 *
 *   server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181
 *   server.4=127.0.0.1:2891:3891:observer
 *   version=0
 *
 * with no newline after the version (its hex value).
 */
import type { ReportedServer } from './ensemble-report.js';

/** HashMap's default capacity and load factor, which decide Apache's line order. */
const javaHashMapCapacityMin = 16;
const javaHashMapLoadFactor = 0.75;

/** InetSocketAddress host as QuorumServer.delimitedHostString prints it: IPv6 in brackets. */
function delimitedHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** One server line's value: `host:quorumPort:electionPort:role[;clientHost:clientPort]`. */
export function serverLineValue(server: ReportedServer): string {
  let text = `${delimitedHost(server.host)}:${server.quorumPort}:${server.electionPort}:${server.observer ? 'observer' : 'participant'}`;
  // Only a client address written on the line is printed (QuorumServer.isClientAddrFromStatic);
  // a bare port is bound on the wildcard address, which Java prints as 0.0.0.0.
  const client = server.client ?? null;
  if (client !== null) text += `;${delimitedHost(client.host ?? '0.0.0.0')}:${client.port}`;
  return text;
}

/**
 * Apache keeps the members in a java.util.HashMap keyed by sid and prints them
 * in its iteration order: by bucket, `sid mod capacity`, the capacity growing
 * from 16 by doubling past 3/4 full. For fewer than 13 servers with sids below
 * 16 that is ascending sid. Within one bucket Java keeps insertion order (from
 * a Hashtable of zoo.cfg's keys); ascending sid stands in for it.
 */
function javaHashMapOrder(servers: readonly ReportedServer[]): ReportedServer[] {
  let capacity = javaHashMapCapacityMin;
  while (servers.length > capacity * javaHashMapLoadFactor) capacity *= 2;
  const bucket = (sid: number): number => sid % capacity;
  return [...servers].sort((a, b) => bucket(a.sid) - bucket(b.sid) || a.sid - b.sid);
}

/** The lines after `membership: `, ending in `version=HEX` without a newline. */
export function membershipText(servers: readonly ReportedServer[], configVersion: bigint): string {
  const lines = javaHashMapOrder(servers).map((server) => `server.${server.sid}=${serverLineValue(server)}\n`);
  return `${lines.join('')}version=${configVersion.toString(16)}`;
}

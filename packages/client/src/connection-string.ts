/**
 * Parses ZooKeeper's connection string: `host:port,host:port/chroot`
 * (ConnectStringParser). The chroot applies to every server; IPv6 hosts are
 * written in brackets (`[::1]:2181`).
 */
import { serversMax } from './limits.js';

/** One server address of a connection string. */
export interface ServerAddress {
  host: string;
  port: number;
}

/** A parsed connection string. */
export interface ConnectionString {
  servers: readonly ServerAddress[];
  /** The chroot without a trailing slash, or '' for none. */
  chroot: string;
}

/** The connection string is malformed. */
export class ConnectionStringError extends Error {
  override readonly name = 'ConnectionStringError';
}

const defaultPort = 2181;

/** Parses `host[:port][,host[:port]...][/chroot]`; a missing port is 2181, as in ZooKeeper. */
export function parseConnectionString(text: string): ConnectionString {
  const slash = text.indexOf('/');
  const hosts = slash < 0 ? text : text.slice(0, slash);
  let chroot = slash < 0 ? '' : text.slice(slash);
  if (chroot === '/') chroot = '';
  if (chroot !== '') validateChroot(chroot);
  const parts = hosts.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new ConnectionStringError(`no server in "${text}"`);
  if (parts.length > serversMax) throw new ConnectionStringError(`${parts.length} servers, more than ${serversMax}`);
  return { servers: parts.map(parseAddress), chroot };
}

function parseAddress(part: string): ServerAddress {
  let host = part;
  let portText: string | undefined;
  if (part.startsWith('[')) {
    const close = part.indexOf(']');
    if (close < 0) throw new ConnectionStringError(`unclosed "[" in "${part}"`);
    host = part.slice(1, close);
    const rest = part.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw new ConnectionStringError(`bad address "${part}"`);
      portText = rest.slice(1);
    }
  } else {
    const colon = part.lastIndexOf(':');
    if (colon >= 0) {
      host = part.slice(0, colon);
      portText = part.slice(colon + 1);
    }
  }
  if (host === '') throw new ConnectionStringError(`empty host in "${part}"`);
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new ConnectionStringError(`bad port in "${part}"`);
  return { host, port };
}

function validateChroot(chroot: string): void {
  if (chroot.endsWith('/')) throw new ConnectionStringError(`chroot "${chroot}" ends with "/"`);
  if (chroot.includes('//')) throw new ConnectionStringError(`chroot "${chroot}" has an empty segment`);
}

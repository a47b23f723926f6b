// Goal: parseConnectionString accepts what ZooKeeper's ConnectStringParser
// accepts (several hosts, default port 2181, IPv6 in brackets, a chroot) and
// refuses malformed strings. Method: a table of inputs and wants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStringError, parseConnectionString } from './connection-string.js';

const good = [
  { name: 'one host', input: '127.0.0.1:2181', want: { servers: [{ host: '127.0.0.1', port: 2181 }], chroot: '' } },
  { name: 'default port', input: 'zk1', want: { servers: [{ host: 'zk1', port: 2181 }], chroot: '' } },
  {
    name: 'several hosts and a chroot',
    input: 'a:1,b:2, c:3/app/one',
    want: { servers: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }, { host: 'c', port: 3 }], chroot: '/app/one' },
  },
  { name: 'root chroot is none', input: 'a:1/', want: { servers: [{ host: 'a', port: 1 }], chroot: '' } },
  { name: 'ipv6', input: '[::1]:2182,[fe80::1]', want: { servers: [{ host: '::1', port: 2182 }, { host: 'fe80::1', port: 2181 }], chroot: '' } },
];

for (const { name, input, want } of good) {
  test(`parses ${name}`, () => assert.deepEqual(parseConnectionString(input), want));
}

for (const input of ['', '/chroot', 'a:0', 'a:65536', 'a:x', '[::1', 'a:1/app/', 'a:1/a//b', ':2181']) {
  test(`refuses "${input}"`, () => assert.throws(() => parseConnectionString(input), ConnectionStringError));
}

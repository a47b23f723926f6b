/**
 * Goal: conf's membership block is Apache 3.8's (QuorumMaj.toString).
 * Method: a block recorded from Apache with client addresses on two lines
 * (testdata/four-letter-words/apache-3.8/client-addresses-conf.txt), and a
 * table of sid sets whose order Java's HashMap decides.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportedServer } from './ensemble-report.js';
import { membershipText, serverLineValue } from './membership-text.js';
import { apacheOutput, recordedServers } from './test-kit.js';

test('server lines print the role and only a client address the line gave, a bare port on 0.0.0.0', () => {
  const servers: ReportedServer[] = recordedServers().map((server) => {
    if (server.sid === 1) return { ...server, client: { host: '127.0.0.1', port: 47181 } };
    if (server.sid === 2) return { ...server, client: { host: null, port: 47182 } };
    return server;
  });
  const apache = apacheOutput('client-addresses', 'conf');
  assert.equal(membershipText(servers, 0n), apache.slice(apache.indexOf('membership: \n') + 'membership: \n'.length));
});

test('an IPv6 host is printed in brackets (QuorumServer.delimitedHostString)', () => {
  const server: ReportedServer = { sid: 1, host: '::1', quorumPort: 2888, electionPort: 3888, observer: false, client: { host: '::1', port: 2181 } };
  assert.equal(serverLineValue(server), '[::1]:2888:3888:participant;[::1]:2181');
});

test('the version is printed in hex without a newline', () => {
  assert.match(membershipText([], 0x1_0000_000an), /^version=10000000a$/);
});

const orderCases: readonly { name: string; sids: number[]; want: number[] }[] = [
  { name: 'sids below 16 come in ascending order', sids: [3, 1, 4, 2], want: [1, 2, 3, 4] },
  { name: 'with 16 buckets, sid 20 (bucket 4) comes before sid 10', sids: [10, 20, 3], want: [3, 20, 10] },
  { name: 'sids sharing a bucket come in ascending order', sids: [17, 1, 2], want: [1, 17, 2] },
  {
    name: 'past 12 members the map has 32 buckets',
    sids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20],
    want: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20],
  },
];

for (const { name, sids, want } of orderCases) {
  test(`membership order follows Java's HashMap: ${name}`, () => {
    const servers = sids.map((sid): ReportedServer => ({ sid, host: '127.0.0.1', quorumPort: 2000 + sid, electionPort: 3000 + sid, observer: false, client: null }));
    const printed = [...membershipText(servers, 0n).matchAll(/^server\.(\d+)=/gm)].map((match) => Number(match[1]));
    assert.deepEqual(printed, want);
  });
}

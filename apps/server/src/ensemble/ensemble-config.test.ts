// The files `corral ensemble` and the real-process tests write: ZooKeeper's
// server.N lines (each member may see its peers elsewhere), myid, and the
// checks that refuse a layout ZooKeeper would refuse. Table-driven, no I/O
// except one temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { connectStringOf, localLayout, memberZooCfg, validateLayout, writeEnsembleFiles } from './ensemble-config.js';
import type { EnsembleLayout, EnsembleMember } from './ensemble-config.js';

const three = localLayout({ size: 3, basePort: 2181, dataDir: '/d', settings: new Map([['tickTime', '200']]) });

test('localLayout: client, quorum and election ports from the base port, one dir per member', () => {
  assert.deepEqual(
    three.members.map((member) => [member.sid, member.clientPort, member.quorumPort, member.electionPort, member.dir]),
    [
      [1, 2181, 2281, 2381, '/d/server1'],
      [2, 2182, 2282, 2382, '/d/server2'],
      [3, 2183, 2283, 2383, '/d/server3'],
    ],
  );
  assert.equal(connectStringOf(three.members), '127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183');
});

test('memberZooCfg: settings override defaults; every member listed with its role and client address; Corral parses it', () => {
  const first = three.members[0] as EnsembleMember;
  const text = memberZooCfg(three, first);
  assert.match(text, /^tickTime=200$/m);
  assert.doesNotMatch(text, /^tickTime=2000$/m);
  assert.match(text, /^server\.2=127\.0\.0\.1:2282:2382:participant;127\.0\.0\.1:2182$/m);
  const config = parseZooCfg(text, { myid: 1 });
  assert.equal(config.clientPort, 2181);
  assert.equal(config.dataDir, '/d/server1/data');
  assert.deepEqual(config.servers.map((server) => [server.sid, server.quorumPort, server.electionPort]), [[1, 2281, 2381], [2, 2282, 2382], [3, 2283, 2383]]);
});

test('memberZooCfg: peerAddress changes how a member sees its peers, never itself', () => {
  const proxied: EnsembleLayout = { ...three, peerAddress: (viewer, peer) => ({ host: '127.0.0.1', quorumPort: 40000 + viewer * 10 + peer, electionPort: 41000 + viewer * 10 + peer }) };
  const text = memberZooCfg(proxied, three.members[1] as EnsembleMember);
  assert.match(text, /^server\.1=127\.0\.0\.1:40021:41021:participant;127\.0\.0\.1:2181$/m);
  assert.match(text, /^server\.2=127\.0\.0\.1:2282:2382:participant;127\.0\.0\.1:2182$/m);
});

const member = (sid: number, base: number, observer = false): EnsembleMember => ({ sid, host: '127.0.0.1', clientPort: base, quorumPort: base + 1, electionPort: base + 2, observer, dir: `/d/${sid}` });
const layoutOf = (members: EnsembleMember[]): EnsembleLayout => ({ members, settings: new Map() });

for (const { name, layout, want } of [
  { name: 'no members', layout: layoutOf([]), want: /1\.\.15 members/ },
  { name: 'sid 0', layout: layoutOf([member(0, 100)]), want: /sid 0 is outside/ },
  { name: 'sid twice', layout: layoutOf([member(1, 100), member(1, 200)]), want: /sid 1 appears twice/ },
  { name: 'port twice', layout: layoutOf([member(1, 100), member(2, 102)]), want: /port 102 is used twice/ },
  { name: 'only observers', layout: layoutOf([member(1, 100, true)]), want: /needs at least one participant/ },
]) {
  test(`validateLayout refuses ${name}`, () => {
    assert.throws(() => validateLayout(layout), want);
  });
}

test('writeEnsembleFiles: zoo.cfg and myid per member', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-ensemble-config-'));
  try {
    const layout = localLayout({ size: 2, basePort: 45000, dataDir: dir });
    writeEnsembleFiles(layout);
    assert.equal(readFileSync(join(dir, 'server2', 'data', 'myid'), 'utf8'), '2\n');
    assert.match(readFileSync(join(dir, 'server1', 'zoo.cfg'), 'utf8'), /^clientPort=45000$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

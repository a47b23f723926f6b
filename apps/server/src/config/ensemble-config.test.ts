// Goal: an ensemble configuration is checked as ZooKeeper's QuorumPeerConfig
// checks it, and a bad one stops start-up with a ConfigError naming the key;
// standalone applies with no server line, or one and standaloneEnabled.
// Method: table-driven over zoo.cfg texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddressOf, ensembleMembership, isStandalone } from './ensemble-config.js';
import { ConfigError, parseZooCfg } from './zoo-cfg.js';

const three = 'server.1=127.0.0.1:42001:43001\nserver.2=127.0.0.1:42002:43002\nserver.3=127.0.0.1:42003:43003:observer;127.0.0.1:44003';

test('standalone: no server line, or one with standaloneEnabled', () => {
  const cases = [
    { name: 'no server line', text: '', want: true },
    { name: 'one line', text: 'server.1=127.0.0.1:42001:43001', want: true },
    { name: 'one line, standaloneEnabled=false', text: 'server.1=127.0.0.1:42001:43001\nstandaloneEnabled=false', want: false },
    { name: 'three lines', text: three, want: false },
  ];
  for (const { name, text, want } of cases) assert.equal(isStandalone(parseZooCfg(`dataDir=/d\n${text}`)), want, name);
});

test('ensemble membership: voters, observers, this server', () => {
  const config = parseZooCfg(`dataDir=/d\n${three}\npeerType=observer`, { myid: 3 });
  const membership = ensembleMembership(config);
  assert.deepEqual(membership.voters, [1, 2]);
  assert.deepEqual(membership.observers, [3]);
  assert.equal(membership.me.sid, 3);
  // No clientPort key: the line's client address applies.
  assert.deepEqual(clientAddressOf(config, membership.me), { port: 44003, host: '127.0.0.1' });
  assert.deepEqual(clientAddressOf(parseZooCfg(`dataDir=/d\nclientPort=45000\n${three}`, { myid: 3 }), membership.me).port, 45000);
});

test('a bad ensemble configuration names its key', () => {
  const cases = [
    { name: 'myid missing', text: three, myid: null, key: 'myid' },
    { name: 'myid without a line', text: three, myid: 7, key: 'myid' },
    { name: 'peerType observer on a participant line', text: `${three}\npeerType=observer`, myid: 1, key: 'peerType' },
    { name: 'a participant on an observer line', text: three, myid: 3, key: 'peerType' },
    { name: 'no participant', text: 'server.1=127.0.0.1:42001:43001:observer\nserver.2=127.0.0.1:42002:43002:observer\npeerType=observer', myid: 1, key: 'server.N' },
  ];
  for (const { name, text, myid, key } of cases) {
    assert.throws(() => ensembleMembership(parseZooCfg(`dataDir=/d\n${text}`, { myid })), (error: unknown) => error instanceof ConfigError && error.key === key, name);
  }
});

test('bad peer keys stop parsing with their key', () => {
  const cases = [
    { name: 'a port used twice', text: 'server.1=127.0.0.1:42001:43001\nserver.2=127.0.0.1:42001:43002', key: 'server.2' },
    { name: 'same quorum and election port', text: 'server.1=127.0.0.1:42001:42001', key: 'server.1' },
    { name: 'bad client port', text: 'server.1=127.0.0.1:42001:43001;127.0.0.1:x', key: 'server.1' },
    { name: 'bad peerType', text: 'peerType=voter', key: 'peerType' },
    { name: 'bad standaloneEnabled', text: 'standaloneEnabled=maybe', key: 'standaloneEnabled' },
    { name: 'bad cnxTimeout', text: 'cnxTimeout=0', key: 'cnxTimeout' },
    { name: 'bad electionPortBindRetry', text: 'electionPortBindRetry=-1', key: 'electionPortBindRetry' },
    { name: 'short secret', text: 'quorum.auth.secret=short', key: 'quorum.auth.secret' },
  ];
  for (const { name, text, key } of cases) {
    assert.throws(() => parseZooCfg(`dataDir=/d\n${text}`), (error: unknown) => error instanceof ConfigError && error.key === key, name);
  }
});

test('peer keys are read', () => {
  const config = parseZooCfg(
    `dataDir=/d\n${three}\nquorumListenOnAllIPs=true\nreconfigEnabled=true\nelectionPortBindRetry=0\ncnxTimeout=700\nquorum.auth.secret=0123456789abcdef`,
  );
  assert.equal(config.quorumListenOnAllIPs, true);
  assert.equal(config.reconfigEnabled, true);
  assert.equal(config.electionPortBindRetry, 0);
  assert.equal(config.cnxTimeoutMs, 700);
  assert.equal(Buffer.from(config.peerAuthSecret ?? []).toString(), '0123456789abcdef');
  assert.deepEqual(config.unknownKeys, []);
});

// Goal: zoo.cfg parsing follows ZooKeeper's keys and defaults, and bad
// values stop start-up with an error naming the key. Table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseZooCfg } from './zoo-cfg.js';

test('defaults follow ZooKeeper: session bounds are 2x and 20x tickTime', () => {
  const config = parseZooCfg('tickTime=1000\ndataDir=/tmp/x\n');
  assert.equal(config.minSessionTimeoutMs, 2000);
  assert.equal(config.maxSessionTimeoutMs, 20000);
  assert.equal(config.clientPort, 2181);
  assert.equal(config.dataLogDir, '/tmp/x');
  assert.deepEqual([...config.fourLetterWordWhitelist], ['srvr']);
  assert.equal(config.juteMaxBuffer, 0xfffff);
});

test('known keys are parsed', () => {
  const config = parseZooCfg([
    '# comment', 'tickTime=500', 'dataDir=/d', 'dataLogDir=/l', 'clientPort=40001', 'clientPortAddress=127.0.0.1',
    '4lw.commands.whitelist=ruok, mntr,srvr', 'extendedTypesEnabled=true', 'jute.maxbuffer=4096',
    'server.1=127.0.0.1:2888:3888', 'server.2=127.0.0.1:2889:3889:observer', 'grpcPort=40002',
  ].join('\n'));
  assert.equal(config.tickTimeMs, 500);
  assert.equal(config.dataLogDir, '/l');
  assert.equal(config.clientPort, 40001);
  assert.deepEqual([...config.fourLetterWordWhitelist].sort(), ['mntr', 'ruok', 'srvr']);
  assert.equal(config.extendedTypesEnabled, true);
  assert.equal(config.juteMaxBuffer, 4096);
  assert.equal(config.servers.length, 2);
  assert.equal(config.servers[1]?.observer, true);
  assert.equal(config.grpcPort, 40002);
});

test('a star whitelist enables every word', () => {
  const config = parseZooCfg('dataDir=/d\n4lw.commands.whitelist=*\n');
  assert.ok(config.fourLetterWordWhitelist.has('mntr'));
  assert.ok(config.fourLetterWordWhitelist.has('ruok'));
});

test('unknown keys are collected, not fatal', () => {
  assert.deepEqual(parseZooCfg('dataDir=/d\nfoo.bar=1\n').unknownKeys, ['foo.bar']);
});

test('invalid values name the key', () => {
  const cases = [
    { text: 'dataDir=/d\ntickTime=abc', key: 'tickTime' },
    { text: 'dataDir=/d\nclientPort=70000', key: 'clientPort' },
    { text: 'dataDir=/d\nminSessionTimeout=5000\nmaxSessionTimeout=4000', key: 'minSessionTimeout' },
    { text: 'dataDir=/d\nextendedTypesEnabled=maybe', key: 'extendedTypesEnabled' },
    { text: 'dataDir=/d\nserver.1=host:1', key: 'server.1' },
    { text: 'tickTime=2000', key: 'dataDir' },
    { text: 'dataDir=/d\nsnapshotSizeFactor=lots', key: 'snapshotSizeFactor' },
    { text: 'dataDir=/d\nsnapshotSizeFactor=-2', key: 'snapshotSizeFactor' },
  ];
  for (const c of cases) {
    assert.throws(() => parseZooCfg(c.text), (error: unknown) => error instanceof ConfigError && error.key === c.key, c.text);
  }
});

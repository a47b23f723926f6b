/** The one zoo.cfg writer: both servers must get the keys the lead's contract names. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyValueLines } from './four-letter.js';
import { apacheSystemProperties, resolveServerOptions, zooCfgText } from './zoo-cfg.js';

describe('zoo.cfg writer', () => {
  it('writes every contract key with the chosen values', () => {
    const text = zooCfgText(resolveServerOptions({ tickTimeMs: 250, juteMaxBufferBytes: 4096 }), '/tmp/d', 41234);
    const keys = parseKeyValueLines(text, /=/);
    const cases: [string, string][] = [
      ['tickTime', '250'],
      ['dataDir', '/tmp/d'],
      ['clientPort', '41234'],
      ['clientPortAddress', '127.0.0.1'],
      ['4lw.commands.whitelist', '*'],
      ['extendedTypesEnabled', 'true'],
      ['maxClientCnxns', '200'],
      ['minSessionTimeout', '1000'],
      ['maxSessionTimeout', '30000'],
      ['znode.container.checkIntervalMs', '500'],
      ['jute.maxbuffer', '4096'],
    ];
    for (const [key, want] of cases) assert.equal(keys.get(key), want, key);
    assert.equal(keys.size, cases.length);
  });

  it('passes the system-property-only settings to Apache with -D', () => {
    const props = apacheSystemProperties(resolveServerOptions({ containerCheckIntervalMs: 100, extendedTypesEnabled: false }));
    assert.ok(props.includes('-Dznode.container.checkIntervalMs=100'));
    assert.ok(props.includes('-Dzookeeper.extendedTypesEnabled=false'));
    assert.ok(props.includes('-Dzookeeper.admin.enableServer=false'));
  });
});

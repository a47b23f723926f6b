/**
 * Interop: Apache's zkCli.sh (the Java CLI, ZooKeeperMain) against the server under test.
 * Each session is one JVM fed a command script on stdin; the printed lines are compared with
 * ZooKeeper 3.8's after masking zxids, times and session ids (they differ per run).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { missingReason, zkCliBin } from './paths.js';
import { describeRun, runClient } from './run-client.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

/** Drops the banner and connection chatter, masks values that differ per run. */
function normalize(stdout: string): string[] {
  const noise = /^(SLF4J|Connecting to|Welcome to ZooKeeper|JLine support|WATCHER::|WatchedEvent|\s*$)/;
  return stdout
    .split('\n')
    .filter((line) => !noise.test(line))
    .map((line) =>
      line
        .replace(/^(cZxid|mZxid|pZxid) = 0x[0-9a-f]+$/, '$1 = ZXID')
        .replace(/^(ctime|mtime) = .*$/, '$1 = TIME')
        .replace(/^ephemeralOwner = 0x[0-9a-f]*[1-9a-f][0-9a-f]*$/, 'ephemeralOwner = SESSION'),
    );
}

const stat = (fields: { cversion: number; dataVersion: number; owner: string; dataLength: number; numChildren: number }): string[] => [
  'cZxid = ZXID',
  'ctime = TIME',
  'mZxid = ZXID',
  'mtime = TIME',
  'pZxid = ZXID',
  `cversion = ${fields.cversion}`,
  `dataVersion = ${fields.dataVersion}`,
  'aclVersion = 0',
  `ephemeralOwner = ${fields.owner}`,
  `dataLength = ${fields.dataLength}`,
  `numChildren = ${fields.numChildren}`,
];

const ownerScript = [
  'create /zc hello',
  'create /zc again',
  'create -e /zc/eph e',
  'create -s /zc/seq- s',
  'create -s /zc/seq- s',
  'ls /zc',
  'get /zc',
  'set /zc world',
  'get /zc',
  'stat /zc',
  'stat /zc/eph',
  'set -v 0 /zc stale',
  'delete /zc',
  'create /zc/d/deep x',
  'create /zc/d d',
  'create /zc/d/e x',
  'deleteall /zc/d',
  'ls /zc',
  'addauth digest u:p',
  'setAcl /zc/seq-0000000001 auth:u:p:cdrwa',
  'getAcl /zc/seq-0000000001',
  'get /nonexistent',
  'delete /zc/eph',
  'ls -s /zc',
  'quit',
];

const ownerWant = [
  'Created /zc',
  'Node already exists: /zc',
  'Created /zc/eph',
  'Created /zc/seq-0000000001',
  'Created /zc/seq-0000000002',
  '[eph, seq-0000000001, seq-0000000002]',
  'hello',
  'world',
  ...stat({ cversion: 3, dataVersion: 1, owner: '0x0', dataLength: 5, numChildren: 3 }),
  ...stat({ cversion: 0, dataVersion: 0, owner: 'SESSION', dataLength: 1, numChildren: 0 }),
  'version No is not valid : /zc',
  'Node not empty: /zc',
  'Node does not exist: /zc/d/deep',
  'Created /zc/d',
  'Created /zc/d/e',
  '[eph, seq-0000000001, seq-0000000002]',
  "'digest,'u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=",
  ': cdrwa',
  'Node does not exist: /nonexistent',
  '[seq-0000000001, seq-0000000002]',
  // deleteall removed /zc/d and /zc/d/e; with eph that is 3 more child changes of /zc
  ...stat({ cversion: 6, dataVersion: 1, owner: '0x0', dataLength: 5, numChildren: 2 }),
];

const strangerScript = [
  'get /zc/seq-0000000001',
  'getAcl /zc/seq-0000000001',
  'set /zc/seq-0000000001 x',
  'get /zc',
  'addauth digest u:p',
  'get /zc/seq-0000000001',
  'quit',
];

const strangerWant = [
  'Insufficient permission : /zc/seq-0000000001',
  'Insufficient permission : /zc/seq-0000000001',
  'Insufficient permission : /zc/seq-0000000001',
  'world',
  's',
];

const skip = missingReason([zkCliBin]);

describe(`zkCli.sh against ${targetKind()}`, { skip }, () => {
  let server: RunningServer | undefined;
  before(async () => {
    server = await startTarget();
  });
  after(async () => {
    await server?.stop();
  });

  const runScript = async (lines: readonly string[]): Promise<string[]> => {
    assert.ok(server);
    const result = await runClient({
      // one fd for both streams keeps results (stdout) and errors (stderr) in order
      command: 'bash',
      args: ['-c', 'exec "$0" "$@" 2>&1', zkCliBin, '-server', server.connectString],
      stdin: lines.join('\n') + '\n',
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, describeRun(result));
    return normalize(result.stdout);
  };

  it('create/ls/get/set/stat/delete/deleteall/setAcl/getAcl/addauth in one session', async () => {
    assert.deepEqual(await runScript(ownerScript), ownerWant);
  });

  it('a second session without auth gets NoAuth, then reads after addauth', async () => {
    assert.deepEqual(await runScript(strangerScript), strangerWant);
  });
});

/**
 * Interop: the C client's CLI (cli_mt, libzookeeper-mt 3.8) against the server under test.
 * Commands are sent one at a time and each reply is matched before the next is sent; the
 * return codes and payloads are those ZooKeeper 3.8 gives.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInteractive } from './interactive.js';
import type { InteractiveClient } from './interactive.js';
import { cliMtBin, missingReason } from './paths.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

/** The `rc = N` cli_mt printed for a reply. */
function rcOf(reply: string): number {
  const match = /rc = (-?\d+)/.exec(reply);
  assert.ok(match?.[1] !== undefined, `no rc in ${reply}`);
  return Number(match[1]);
}

const skip = missingReason([cliMtBin]);

describe(`cli_mt against ${targetKind()}`, { skip }, () => {
  let server: RunningServer | undefined;
  let cli: InteractiveClient | undefined;
  before(async () => {
    server = await startTarget();
    cli = startInteractive(cliMtBin, [server.connectString]);
    await cli.expect(/state = CONNECTED_STATE/);
  });
  after(async () => {
    await cli?.close();
    await server?.stop();
  });

  it('create, get, set, ls, delete with ZooKeeper return codes', async () => {
    assert.ok(cli);
    const c = cli;
    const created = /\]: rc = -?\d+[^\n]*\n(\s*name = \S+\n)?/;
    assert.equal(rcOf(await c.send('create /cm', /\[\/cm\]: rc = -?\d+/)), 0);
    assert.equal(rcOf(await c.send('create /cm', /\[\/cm\]: rc = -?\d+/)), -110, 'NodeExists');
    const set = await c.send('set /cm hello', /version=\d+/);
    assert.equal(rcOf(set), 0);
    assert.match(set, /version=1\b/);
    const got = await c.send('get /cm', /value_len = \d+\s*\n[^\n]*\n/);
    assert.equal(rcOf(got), 0);
    assert.match(got, /value_len = 5\s*\nhello\n/);
    assert.equal(rcOf(await c.send('create +e /cm/e1', /\[\/cm\/e1\]: rc = -?\d+/)), 0);
    const seq = await c.send('create +s /cm/s', created);
    assert.equal(rcOf(seq), 0);
    assert.match(seq, /name = \/cm\/s0000000001/);
    const listing = await c.send('ls /cm', /\/cm: rc = -?\d+\n(?:\t\S+\n)*/);
    assert.equal(rcOf(listing), 0);
    const children = [...listing.matchAll(/^\t(\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(children, ['e1', 's0000000001']);
    assert.equal(rcOf(await c.send('delete /cm', /\/cm: rc = -?\d+/)), -111, 'NotEmpty');
    assert.equal(rcOf(await c.send('get /cm/none', /\/cm\/none: rc = -?\d+/)), -101, 'NoNode');
    assert.equal(rcOf(await c.send('create /cm/e1/x', /\[\/cm\/e1\/x\]: rc = -?\d+/)), -108, 'NoChildrenForEphemerals');
    assert.equal(rcOf(await c.send('delete /cm/e1', /\/cm\/e1: rc = -?\d+/)), 0);
    assert.equal(rcOf(await c.send('delete /cm/s0000000001', /\/cm\/s0000000001: rc = -?\d+/)), 0);
    assert.equal(rcOf(await c.send('delete /cm', /\/cm: rc = -?\d+/)), 0);
    assert.equal(rcOf(await c.send('get /cm', /\/cm: rc = -?\d+/)), -101);
  });
});

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
    // A successful create prints `[path]: rc = 0` then `\tname = <created path>`; wait for
    // the name too, or it would be read as part of the next command's reply.
    const create = async (args: string, path: string, wantRc: number): Promise<string> => {
      const escaped = path.replace(/[/.+*?()[\]]/g, '\\$&');
      const until = wantRc === 0 ? new RegExp(`\\[${escaped}\\]: rc = -?\\d+\\n\\tname = \\S+\\n`) : new RegExp(`\\[${escaped}\\]: rc = -?\\d+\\n`);
      const reply = await c.send(`create ${args}${path}`, until);
      assert.equal(rcOf(reply), wantRc, reply);
      return reply;
    };
    await create('', '/cm', 0);
    await create('', '/cm', -110); // NodeExists
    // replies end with the Stat's ephemeralOwner line; ls replies end with a `time =` line
    const set = await c.send('set /cm hello', /ephemeralOwner = \S+\n/);
    assert.equal(rcOf(set), 0);
    assert.match(set, /version=1\b/);
    const got = await c.send('get /cm', /ephemeralOwner = \S+\n/);
    assert.equal(rcOf(got), 0);
    assert.match(got, /value_len = 5\s*\nhello\n/);
    assert.match(await create('+e ', '/cm/e1', 0), /name = \/cm\/e1\n/);
    assert.match(await create('+s ', '/cm/s', 0), /name = \/cm\/s0000000001\n/);
    const listing = await c.send('ls /cm', /\/cm: rc = -?\d+\n(?:\t\S+\n)*time = \d+ msec\n/);
    assert.equal(rcOf(listing), 0);
    const children = [...listing.matchAll(/^\t(\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(children, ['e1', 's0000000001']);
    assert.equal(rcOf(await c.send('delete /cm', /\/cm: rc = -?\d+/)), -111, 'NotEmpty');
    assert.equal(rcOf(await c.send('get /cm/none', /\/cm\/none: rc = -?\d+/)), -101, 'NoNode');
    await create('', '/cm/e1/x', -108); // NoChildrenForEphemerals
    assert.equal(rcOf(await c.send('delete /cm/e1', /\/cm\/e1: rc = -?\d+/)), 0);
    assert.equal(rcOf(await c.send('delete /cm/s0000000001', /\/cm\/s0000000001: rc = -?\d+/)), 0);
    assert.equal(rcOf(await c.send('delete /cm', /\/cm: rc = -?\d+/)), 0);
    assert.equal(rcOf(await c.send('get /cm', /\/cm: rc = -?\d+/)), -101);
  });
});

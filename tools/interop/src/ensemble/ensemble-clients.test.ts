/**
 * Real clients on different servers of one ensemble: kazoo writes on server
 * 1, the Java client reads it on server 2 (after sync) and writes on server
 * 1, kazoo reads that on server 3; then two Curator clients starting on
 * different servers share an InterProcessMutex while the leader is killed
 * with SIGKILL: no overlap, no lost increment.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient } from '@corral/client';
import { compileJava } from '../java.js';
import { parseTabLines } from '../java-lines.js';
import { curatorClasspath, missingReason, pythonBin, testdataDir, testdataFile } from '../paths.js';
import { describeRun, runClient } from '../run-client.js';
import { ensembleSuite } from './ensemble-suite.js';
import { rotatedConnectString } from './write-load.js';

const skip = missingReason([...curatorClasspath, pythonBin]);
/** Lock turns per Curator client. */
const iterations = 25;

async function kazoo(hosts: string, mode: 'write' | 'read'): Promise<Record<string, unknown>> {
  const result = await runClient({ command: pythonBin, args: [testdataFile('ensemble_kazoo.py'), hosts, mode], cwd: testdataDir, timeoutMs: 60_000 });
  assert.equal(result.code, 0, describeRun(result));
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('kazoo, the Java client and Curator on different servers (real processes)', { skip }, () => {
  const suite = ensembleSuite();

  it('each client sees what the others wrote on other servers; a Curator mutex holds across a leader kill', async (t) => {
    t.diagnostic(suite.note);
    const [ensemble, program] = await Promise.all([suite.start({ size: 3 }), compileJava('EnsembleClientsCheck.java', curatorClasspath)]);
    try {
      const [one, two, three] = ensemble.sids.map((sid) => ensemble.connectStringOf([sid]));
      assert.ok(one !== undefined && two !== undefined && three !== undefined);
      assert.equal((await kazoo(one, 'write'))['created'], '/ens-clients/kazoo');
      const java = await program.run(['java', one, two], 60_000);
      assert.equal(java.code, 0, describeRun(java));
      assert.deepEqual(parseTabLines(java.stdout), {
        'java.readOnB': 'written by java on A',
        'java.kazooOnB': 'written by kazoo',
        'java.sessionsDiffer': 'true',
      });
      assert.deepEqual(await kazoo(three, 'read'), { java: 'written by java on A', children: ['java', 'kazoo'] });

      const leader = await ensemble.waitForQuorum();
      const running = program.run(['curator', rotatedConnectString(ensemble.connectString, 0), rotatedConnectString(ensemble.connectString, 1), String(iterations)], 120_000);
      // Kill the leader once the mutex has changed hands a few times.
      const watcher = await ZkClient.connect(ensemble.connectString, { sessionTimeoutMs: 8_000 });
      try {
        for (let value = 0; value < 5; ) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          const stat = await watcher.exists('/ens-clients/counter');
          if (stat !== null) value = Number(Buffer.from((await watcher.getData('/ens-clients/counter')).data ?? new Uint8Array()).toString());
        }
      } finally {
        await watcher.close();
      }
      await ensemble.kill9(leader);
      t.diagnostic(`${suite.kind}: leader ${leader} killed while Curator clients held the mutex in turns`);
      const curator = await running;
      assert.equal(curator.code, 0, describeRun(curator));
      assert.deepEqual(parseTabLines(curator.stdout), {
        'curator.counter': String(2 * iterations),
        'curator.overlaps': '0',
        'curator.failures': '0',
        'curator.lockNodesLeft': '0',
      }, describeRun(curator));
    } finally {
      program.dispose();
    }
  });
});

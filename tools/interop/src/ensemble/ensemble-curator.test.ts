/**
 * The Curator checks (testdata/CuratorCheck.java, expectations of src/curator.test.ts) on
 * a 3-server ensemble, the two contending clients on the two followers: InterProcessMutex,
 * LeaderLatch and CuratorCache across servers. (The mutex held across a leader kill is
 * ensemble-clients.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curatorWant } from '../curator-expectations.js';
import { compileJava } from '../java.js';
import { parseTabLines } from '../java-lines.js';
import { curatorClasspath, missingReason } from '../paths.js';
import { describeRun } from '../run-client.js';
import { clientCheckEnsembleOptions, leaderAndFollowers } from './client-check-ensemble.js';
import { ensembleSuite } from './ensemble-suite.js';

const skip = missingReason(curatorClasspath);

describe('Curator checks with their clients on different servers of an ensemble (real processes)', { skip }, () => {
  const suite = ensembleSuite();

  it('mutex, leader latch and cache behave as on ZooKeeper 3.8', async (t) => {
    t.diagnostic(suite.note);
    const [ensemble, program] = await Promise.all([suite.start(clientCheckEnsembleOptions), compileJava('CuratorCheck.java', curatorClasspath)]);
    try {
      const { followers } = await leaderAndFollowers(ensemble);
      const result = await program.run(followers.map((sid) => ensemble.connectStringOf([sid])), 120_000);
      assert.equal(result.code, 0, describeRun(result));
      assert.deepEqual(parseTabLines(result.stdout), curatorWant, describeRun(result));
    } finally {
      program.dispose();
    }
  });
});

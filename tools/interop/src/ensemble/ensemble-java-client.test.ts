/**
 * The Java client checks (testdata/JavaClientCheck.java, expectations of
 * src/java-client.test.ts) on a 3-server ensemble: the main client on one follower, the
 * client whose writes it watches on the other follower, and the client whose socket is
 * dropped given the leader and a follower, so that it moves from one to the other and
 * re-registers its watches there (setWatches2). Waits for events sync first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { javaClientWant } from '../java-client-expectations.js';
import { compileJava } from '../java.js';
import { parseTabLines } from '../java-lines.js';
import { missingReason, zookeeperClasspath } from '../paths.js';
import { describeRun } from '../run-client.js';
import { clientCheckEnsembleOptions, leaderAndFollowers } from './client-check-ensemble.js';
import { ensembleSuite } from './ensemble-suite.js';

const skip = missingReason([...zookeeperClasspath]);

describe('Java client checks with their clients on different servers of an ensemble (real processes)', { skip }, () => {
  const suite = ensembleSuite();

  it('every Java API call gives ZooKeeper 3.8 results', async (t) => {
    t.diagnostic(suite.note);
    const [ensemble, program] = await Promise.all([suite.start(clientCheckEnsembleOptions), compileJava('JavaClientCheck.java', zookeeperClasspath)]);
    try {
      const { leader, followers } = await leaderAndFollowers(ensemble);
      const [one, two] = followers;
      assert.ok(one !== undefined && two !== undefined);
      const result = await program.run([ensemble.connectStringOf([one]), ensemble.connectStringOf([two]), ensemble.connectStringOf([leader, one])], 90_000);
      assert.equal(result.code, 0, describeRun(result));
      assert.deepEqual(parseTabLines(result.stdout), javaClientWant, describeRun(result));
    } finally {
      program.dispose();
    }
  });
});

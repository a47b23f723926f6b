/**
 * Interop: kazoo (Python) against the server under test. Each case runs one check of
 * testdata/kazoo_checks.py in its own Python process and compares the observations with
 * what Apache ZooKeeper 3.8 answers (recorded here and re-proven with
 * CORRAL_INTEROP_TARGET=apache). One server serves the whole file; checks use disjoint paths.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { comparableKazooObservations, kazooCases } from './kazoo-expectations.js';
import { missingReason, pythonBin } from './paths.js';
import { runPythonJson } from './python-check.js';
import { startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';

const skip = missingReason([pythonBin]);

describe(`kazoo against ${targetKind()}`, { skip, concurrency: 3 }, () => {
  let server: RunningServer | undefined;
  before(async () => {
    server = await startTarget();
  });
  after(async () => {
    await server?.stop();
  });

  for (const { check, want } of kazooCases(targetKind())) {
    it(check, async () => {
      assert.ok(server);
      const got = (await runPythonJson('kazoo_checks.py', [server.connectString, check])) as Record<string, unknown>;
      assert.deepEqual(comparableKazooObservations(check, got), want);
    });
  }
});

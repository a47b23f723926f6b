/**
 * Differential test: the same op sequences against Apache ZooKeeper 3.8 (the reference)
 * and the target must give the same codes, data, children and Stat fields, step by step
 * (zxids mapped to order of appearance, ephemeralOwner to the session index, times
 * ignored; see diff-normalize.ts). Hand-written scenarios cover each error code and area;
 * a seeded random sequence covers combinations (CORRAL_INTEROP_SEED replays one,
 * CORRAL_INTEROP_OPS sets its length).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { compareRuns, normalizeRun } from './diff-normalize.js';
import type { DiffSequence, DriverOutput, StepMismatch } from './diff-normalize.js';
import { runDriver } from './diff-runner.js';
import { diffFourLetterWhitelist, diffJuteMaxBufferBytes, diffScenarios } from './diff-scenarios.js';
import { missingReason, pythonBin } from './paths.js';
import { randomSequence } from './random-ops.js';
import { startApache, startTarget, targetKind } from './servers.js';
import type { RunningServer } from './servers.js';
import type { ServerOptions } from './zoo-cfg.js';

const serverOptions: ServerOptions = {
  fourLetterWhitelist: diffFourLetterWhitelist,
  juteMaxBufferBytes: diffJuteMaxBufferBytes,
  containerCheckIntervalMs: 500,
};

/** Mismatches shown in one failure message. */
const mismatchesShownMax = 8;

function describeMismatches(mismatches: readonly StepMismatch[], header: string): string {
  const shown = mismatches.slice(0, mismatchesShownMax).map(
    (m) => `step ${m.step}: ${JSON.stringify(m.op)}\n  reference (apache): ${m.reference}\n  target (${targetKind()}): ${m.target}`,
  );
  const more = mismatches.length > shown.length ? `\n... and ${mismatches.length - shown.length} more` : '';
  return `${header}\n${shown.join('\n')}${more}`;
}

const skip = missingReason([pythonBin]);

describe(`differential: apache vs ${targetKind()}`, { skip }, () => {
  let reference: RunningServer | undefined;
  let target: RunningServer | undefined;
  before(async () => {
    [reference, target] = await Promise.all([startApache(serverOptions), startTarget(serverOptions)]);
  });
  after(async () => {
    await Promise.all([reference?.stop(), target?.stop()]);
  });

  /**
   * A crashed server would fail every later scenario with the same message; restart it so
   * each scenario reports its own difference (the crash is still reported by the scenario
   * that caused it, with the server's log).
   */
  const restartIfExited = async (): Promise<void> => {
    if (reference?.hasExited()) {
      await reference.stop(); // removes its data dir
      reference = await startApache(serverOptions);
    }
    if (target?.hasExited()) {
      await target.stop();
      target = await startTarget(serverOptions);
    }
  };

  const runOn = async (server: RunningServer, sequence: DiffSequence): Promise<DriverOutput> => {
    try {
      return await runDriver(server.connectString, sequence);
    } catch (error) {
      const state = server.hasExited() ? 'the server EXITED' : 'the server is still running';
      const detail = error instanceof Error ? error.message.slice(0, 3000) : String(error);
      throw new Error(`${server.kind} run failed (${state})\n${detail}\n--- server log tail ---\n${server.logTail()}`, { cause: error });
    }
  };

  const compare = async (sequence: DiffSequence): Promise<StepMismatch[]> => {
    await restartIfExited();
    assert.ok(reference && target);
    const [want, got] = await Promise.all([runOn(reference, sequence), runOn(target, sequence)]);
    return compareRuns(sequence, normalizeRun(sequence, want), normalizeRun(sequence, got), target.kind === 'corral');
  };

  for (const { name, sequence } of diffScenarios) {
    it(name, async () => {
      const mismatches = await compare(sequence);
      assert.deepEqual(mismatches, [], describeMismatches(mismatches, `scenario "${name}" differs`));
    });
  }

  it('seeded random sequence over a small path space, two sessions', async (t) => {
    const seedText = process.env['CORRAL_INTEROP_SEED'];
    const seed = seedText === undefined ? randomInt(0, 2 ** 31) : Number(seedText);
    const count = Number(process.env['CORRAL_INTEROP_OPS'] ?? 300);
    t.diagnostic(`seed ${seed} (replay: CORRAL_INTEROP_SEED=${seed}), ${count} ops`);
    const sequence = randomSequence(seed, count);
    const mismatches = await compare(sequence);
    const first = mismatches.slice(0, 1);
    assert.deepEqual(
      first,
      [],
      describeMismatches(first, `random sequence differs (seed ${seed}; replay with CORRAL_INTEROP_SEED=${seed})`),
    );
  });
});

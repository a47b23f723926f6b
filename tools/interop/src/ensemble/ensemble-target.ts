/**
 * Which implementation the ensemble suites run against. `CORRAL_ENSEMBLE_TARGET`
 * picks `corral` (the default) or `apache`. Until Corral's ensemble mode lands
 * (issue 9), a Corral member given `server.N` lines still serves standalone;
 * the suites detect that once per file (three members, `srvr` says
 * `Mode: standalone`) and run against Apache ZooKeeper instead, saying so, so
 * the harness and every expectation stay proven. Remove the fallback once
 * Corral answers `leader`/`follower`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ServerKind } from '../servers.js';
import { TestEnsemble } from './test-ensemble.js';

/** The kind asked for by the environment. */
export function ensembleTargetKind(): ServerKind {
  const target = process.env['CORRAL_ENSEMBLE_TARGET'] ?? 'corral';
  if (target !== 'corral' && target !== 'apache') throw new Error(`CORRAL_ENSEMBLE_TARGET must be corral or apache, not ${target}`);
  return target;
}

/** How long the probe waits for Corral members to report a role. */
const probeTimeoutMs = 10_000;

/** True when three Corral members given server lines report leader/follower rather than standalone. */
export async function corralHasEnsembleMode(): Promise<boolean> {
  const probe = await TestEnsemble.startWithoutQuorum({ kind: 'corral', size: 3 });
  try {
    const deadline = Date.now() + probeTimeoutMs;
    while (Date.now() < deadline) {
      const modes = [...(await probe.modes()).values()];
      if (modes.includes('leader')) return true;
      if (modes.length > 0 && modes.every((mode) => mode === 'standalone')) return false;
      await delay(100);
    }
    return false;
  } finally {
    await probe.close();
  }
}

/** The kind to run against and a note for the TAP output. */
export async function resolveEnsembleTarget(): Promise<{ kind: ServerKind; note: string }> {
  const wanted = ensembleTargetKind();
  if (wanted === 'apache') return { kind: 'apache', note: 'ensemble target: apache (CORRAL_ENSEMBLE_TARGET)' };
  if (await corralHasEnsembleMode()) return { kind: 'corral', note: 'ensemble target: corral' };
  return { kind: 'apache', note: 'ensemble target: apache (corral has no ensemble mode yet: its members serve standalone)' };
}

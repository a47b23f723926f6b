/**
 * Which implementation the ensemble suites run against: `CORRAL_ENSEMBLE_TARGET`
 * picks `corral` (the default) or `apache`, so every expectation can be
 * proven against Apache ZooKeeper 3.8 run the same way.
 */
import type { ServerKind } from '../servers.js';

/** The kind asked for by the environment. */
export function ensembleTargetKind(): ServerKind {
  const target = process.env['CORRAL_ENSEMBLE_TARGET'] ?? 'corral';
  if (target !== 'corral' && target !== 'apache') throw new Error(`CORRAL_ENSEMBLE_TARGET must be corral or apache, not ${target}`);
  return target;
}

/** The kind to run against and a note for the TAP output. */
export function resolveEnsembleTarget(): { kind: ServerKind; note: string } {
  const kind = ensembleTargetKind();
  return { kind, note: `ensemble target: ${kind}${process.env['CORRAL_ENSEMBLE_TARGET'] === undefined ? '' : ' (CORRAL_ENSEMBLE_TARGET)'}` };
}

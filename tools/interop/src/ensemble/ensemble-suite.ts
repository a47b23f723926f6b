/**
 * What every ensemble test file needs: the target resolved once (before),
 * ensembles started for that target, and every one of them stopped by PID
 * after the file's tests, whether they passed or not.
 */
import { after, before } from 'node:test';
import type { ServerKind } from '../servers.js';
import { resolveEnsembleTarget } from './ensemble-target.js';
import { TestEnsemble } from './test-ensemble.js';
import type { TestEnsembleOptions } from './test-ensemble.js';

/** The suite's view of its target. */
export interface EnsembleSuite {
  /** Valid once the suite's before hook ran. */
  readonly kind: ServerKind;
  /** Which target and why, for a TAP diagnostic. */
  readonly note: string;
  /** Starts an ensemble of the target kind, closed after the suite at the latest. */
  start(options: Omit<TestEnsembleOptions, 'kind'>): Promise<TestEnsemble>;
}

/** Registers the hooks in the current describe block. */
export function ensembleSuite(): EnsembleSuite {
  let target: { kind: ServerKind; note: string } | null = null;
  const started: TestEnsemble[] = [];
  before(async () => {
    target = resolveEnsembleTarget();
  });
  after(async () => {
    await Promise.all(started.map((ensemble) => ensemble.close()));
  });
  const resolved = (): { kind: ServerKind; note: string } => {
    if (target === null) throw new Error('the ensemble target is not resolved yet (use the suite inside a test)');
    return target;
  };
  return {
    get kind() {
      return resolved().kind;
    },
    get note() {
      return resolved().note;
    },
    async start(options) {
      const ensemble = await TestEnsemble.start({ ...options, kind: resolved().kind });
      started.push(ensemble);
      return ensemble;
    },
  };
}

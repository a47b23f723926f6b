/**
 * The ensemble the client interop checks (kazoo, Java client, Curator) run on: three
 * members with the settings the standalone suites give their one server (TTL nodes,
 * containers checked every 500 ms), and helpers that put each client of a check on
 * another member.
 */
import type { TestEnsemble, TestEnsembleOptions } from './test-ensemble.js';

/** How often containers and TTL nodes are checked (as the standalone suites: src/zoo-cfg.ts). */
const containerCheckIntervalMs = 500;

/** Options for ensembleSuite().start(). */
export const clientCheckEnsembleOptions: Omit<TestEnsembleOptions, 'kind'> = {
  size: 3,
  settings: {
    extendedTypesEnabled: 'true',
    'znode.container.checkIntervalMs': String(containerCheckIntervalMs),
  },
  // Apache reads the container interval only as a system property (src/zoo-cfg.ts).
  apacheProperties: ['-Dzookeeper.extendedTypesEnabled=true', `-Dznode.container.checkIntervalMs=${containerCheckIntervalMs}`],
};

/** One single-member connect string per member, starting at member `first` (0-based, wraps). */
export function memberConnectStrings(ensemble: TestEnsemble, first: number): string[] {
  const sids = ensemble.sids;
  return sids.map((_, index) => ensemble.connectStringOf([sids[(first + index) % sids.length] ?? 0]));
}

/** The leader's sid and the followers' sids (every member serving under one leader). */
export async function leaderAndFollowers(ensemble: TestEnsemble): Promise<{ leader: number; followers: number[] }> {
  const leader = await ensemble.waitForQuorum();
  return { leader, followers: ensemble.sids.filter((sid) => sid !== leader) };
}

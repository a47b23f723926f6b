/**
 * @corral/fuzz: a black-box fuzzer for the client port. See README.md.
 */
export {
  /** Runs a fuzz campaign against a fresh server process. */
  runCampaign,
} from './campaign.js';
export {
  /** Replays saved cases on a fresh server, checking the oracles after each. */
  replayCases,
} from './replay.js';
export {
  /** Campaign defaults. */
  defaultLimits,
} from './limits.js';
export {
  /** The seeded PRNG the generator draws from. */
  Prng,
} from './prng.js';
export type { CampaignOptions, CampaignReport, Finding } from './campaign.js';
export type { FuzzCase, Step } from './cases.js';
export type { ReplayResult, SavedFinding } from './replay.js';

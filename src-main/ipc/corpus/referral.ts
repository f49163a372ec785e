import type { CorpusArea } from './area.js';

/** Referral channels (issue 8). */
export const referralArea: CorpusArea = {
  samples: {},
};

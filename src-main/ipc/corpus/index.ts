import type { CorpusArea } from './area.js';
import { billingArea } from './billing.js';
import { interopArea } from './interop.js';
import { referralArea } from './referral.js';

export const AREAS: readonly CorpusArea[] = [billingArea, interopArea, referralArea];

import type { CorpusArea } from './area.js';

/** Billing (issue 7). */
export const billingArea: CorpusArea = {
  samples: {
    'billing.verifyLedger': { as: 'admin', payload: () => ({}) },
  },
  watched: ['ledger_entries'],
};

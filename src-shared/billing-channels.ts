/** The billing channels' names (see channels.ts: no zod here, the preload bundles this). */
export const BILLING_CHANNEL_NAMES = ['billing.verifyLedger'] as const;

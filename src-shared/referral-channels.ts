/** The referral channels' names (see channels.ts: no zod here, the preload bundles this). */
export const REFERRAL_CHANNEL_NAMES = [] as const;

/** The referral channels' names (see channels.ts: no zod here, the preload bundles this). */
export const REFERRAL_CHANNEL_NAMES = [
  'referrals.clinicCard',
  'referrals.importCard',
  'referrals.confirmCard',
  'referrals.listClinics',
  'referrals.send',
  'referrals.inbox',
  'referrals.open',
  'referrals.accept',
] as const;

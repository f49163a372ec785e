import type { ChannelDef } from './channel-def.js';

/** Encrypted referrals between clinics (issue 8). */
export const referralContract = {} as const satisfies Record<string, ChannelDef>;

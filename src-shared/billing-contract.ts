import type { LedgerCheck } from './billing.js';
import { type ChannelDef, channel } from './channel-def.js';
import { emptyInput } from './text.js';

/** Billing channels (issue 7): price list, invoices, payments, receipts, reports, ledger. */
export const billingContract = {
  'billing.verifyLedger': channel<LedgerCheck>()({
    input: emptyInput,
    access: ['admin'],
    description: 'Check every workstation’s billing ledger chain and name the first bad entry.',
    audit: 'admin',
    perMinute: 10,
  }),
} as const satisfies Record<string, ChannelDef>;

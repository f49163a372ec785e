/** The billing channels' names (see channels.ts: no zod here, the preload bundles this). */
export const BILLING_CHANNEL_NAMES = [
  'prices.list',
  'prices.save',
  'prices.retire',
  'invoices.forVisit',
  'invoices.get',
  'invoices.list',
  'invoices.saveDraft',
  'invoices.issue',
  'invoices.void',
  'payments.record',
  'payments.refund',
  'billing.balance',
  'invoices.receipt',
  'billing.dailyReport',
  'billing.dailyReportCsv',
  'billing.verifyLedger',
] as const;

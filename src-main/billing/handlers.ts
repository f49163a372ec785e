import { Failure } from '../ipc/failure.js';
import type { Handlers } from '../ipc/handler-types.js';
import { verifyLedger } from './ledger.js';

type BillingChannel =
  | 'prices.list'
  | 'prices.save'
  | 'prices.retire'
  | 'invoices.forVisit'
  | 'invoices.get'
  | 'invoices.list'
  | 'invoices.saveDraft'
  | 'invoices.issue'
  | 'invoices.void'
  | 'payments.record'
  | 'payments.refund'
  | 'billing.balance'
  | 'invoices.receipt'
  | 'billing.dailyReport'
  | 'billing.dailyReportCsv';

// Placeholder while the billing store is built (issue 7): the contract is committed first so
// the screens can typecheck against it.
const notYet = (): never => {
  throw new Failure('UNAVAILABLE', 'Billing is not available yet.');
};

export const billingHandlers: Pick<Handlers, 'billing.verifyLedger' | BillingChannel> = {
  'prices.list': notYet,
  'prices.save': notYet,
  'prices.retire': notYet,
  'invoices.forVisit': notYet,
  'invoices.get': notYet,
  'invoices.list': notYet,
  'invoices.saveDraft': notYet,
  'invoices.issue': notYet,
  'invoices.void': notYet,
  'payments.record': notYet,
  'payments.refund': notYet,
  'billing.balance': notYet,
  'invoices.receipt': notYet,
  'billing.dailyReport': notYet,
  'billing.dailyReportCsv': notYet,
  'billing.verifyLedger': (ctx) => {
    const result = verifyLedger(ctx.services.db);
    ctx.subject('ledger', 'all', {
      ok: result.ok,
      chains: result.chains.length,
      ...(result.ok ? {} : { workstation: result.workstationId, seq: result.seq, reason: result.reason }),
    });
    return result;
  },
};

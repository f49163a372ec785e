import type { Handlers } from '../ipc/handler-types.js';
import { verifyLedger } from './ledger.js';

export const billingHandlers: Pick<Handlers, 'billing.verifyLedger'> = {
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

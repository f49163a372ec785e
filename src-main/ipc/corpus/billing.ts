import type { Invoice, PriceItem } from '../../../src-shared/billing.js';
import type { Connection } from '../../core-types.js';
import { call, must } from '../../testing/core-harness.js';
import type { CorpusArea, CorpusFixtures } from './area.js';

const NONE = '00000000-0000-4000-8000-000000000000';
/** Ids the set-up made; the samples read them when they run (after the set-up). */
const made = {
  priceItemId: NONE,
  retireItemId: NONE,
  draftId: NONE,
  toIssueId: NONE,
  issuedId: NONE,
  toVoidId: NONE,
  paymentId: NONE,
};
let patientId = NONE;
let visitId = NONE;
const FUTURE = '2099-01-01';
const READ_BACK = new Set([
  'prices.save',
  'invoices.saveDraft',
  'invoices.void',
  'payments.record',
  'payments.refund',
]);
let reader: Connection | null = null;

const line = (description: string) => ({
  priceItemId: null,
  description,
  quantity: '1',
  unitPrice: '100',
  discount: '0',
});

async function draft(f: CorpusFixtures, visit: string): Promise<string> {
  const tara = await f.connectAs('tara');
  return must(
    await call(tara, 'invoices.saveDraft', { visitId: visit, invoiceId: null, lines: [line('Dressing')] }),
  ).id;
}

/** Billing (issue 7). */
export const billingArea: CorpusArea = {
  samples: {
    'prices.list': { as: 'tara', payload: () => ({ on: null, includeInactive: true }) },
    'prices.save': {
      as: 'admin',
      payload: () => ({
        id: made.priceItemId,
        code: 'CORPUS-CONS',
        name: 'General consultation',
        category: 'consultation',
        doctorId: null,
        department: 'General',
        price: '500',
        taxBp: 0,
        effectiveFrom: FUTURE,
      }),
    },
    'prices.retire': { as: 'admin', payload: () => ({ id: made.retireItemId, from: '2099-06-01' }) },
    'invoices.forVisit': { as: 'tara', payload: () => ({ visitId }) },
    'invoices.get': { as: 'tara', payload: () => ({ id: made.issuedId }) },
    'invoices.list': { as: 'tara', payload: () => ({ date: null, patientId: null, status: 'all' }) },
    'invoices.saveDraft': {
      as: 'tara',
      payload: () => ({ visitId, invoiceId: made.draftId, lines: [line('Dressing, left forearm')] }),
    },
    'invoices.issue': { as: 'tara', payload: () => ({ id: made.toIssueId }) },
    'invoices.void': {
      as: 'tara',
      payload: () => ({ id: made.toVoidId, reason: 'Billed to the wrong visit' }),
    },
    'payments.record': {
      as: 'tara',
      payload: () => ({
        invoiceId: made.issuedId,
        method: 'card',
        amount: '1',
        tendered: '',
        reference: '4242',
      }),
    },
    'payments.refund': {
      as: 'tara',
      payload: () => ({ paymentId: made.paymentId, amount: '1', reason: 'Overcharged' }),
    },
    'billing.balance': { as: 'docd', payload: () => ({ patientId }) },
    'invoices.receipt': { as: 'tara', payload: () => ({ invoiceId: made.issuedId, paymentId: null }) },
    'billing.dailyReport': { as: 'tara', payload: () => ({ date: '2026-01-15', workstation: 'this' }) },
    'billing.dailyReportCsv': { as: 'admin', payload: () => ({ date: '2026-01-15', workstation: 'all' }) },
    'billing.verifyLedger': { as: 'admin', payload: () => ({}) },
  },
  async setup(f) {
    patientId = f.patientId;
    visitId = f.visitId;
    const admin = await f.connectAs('admin');
    const tara = await f.connectAs('tara');
    const item = (code: string) => ({
      id: null,
      code,
      name: 'Consultation',
      category: 'consultation' as const,
      doctorId: null,
      department: '',
      price: '500',
      taxBp: 0 as const,
      effectiveFrom: '2020-01-01',
    });
    made.priceItemId = must(await call(admin, 'prices.save', item('CORPUS-CONS'))).id;
    made.retireItemId = must(await call(admin, 'prices.save', item('CORPUS-RETIRE'))).id;
    // A patient is in today's queue once: each extra invoice needs its own patient's visit.
    let serial = 0;
    const checkIn = async () => {
      serial++;
      const registered = must(
        await call(tara, 'patients.register', {
          patient: {
            givenNames: serial === 1 ? 'Devika' : 'Harish',
            familyName: serial === 1 ? 'Raman' : 'Kulkarni',
            sex: serial === 1 ? 'female' : 'male',
            birth: { kind: 'exact', date: serial === 1 ? '1979-08-30' : '1966-01-05' },
            phones: [{ number: serial === 1 ? '9447123450' : '9447987650', label: 'mobile' }],
            allergies: [],
          },
          decision: 'register-new',
        }),
      );
      if (registered.status !== 'registered') throw new Error('billing corpus: registration refused');
      return must(
        await call(tara, 'visits.checkIn', {
          patientId: registered.id,
          doctorId: null,
          reason: 'Dressing',
          priority: 'routine',
        }),
      ).id;
    };
    made.draftId = await draft(f, visitId);
    made.toIssueId = await draft(f, await checkIn());
    // An issued invoice of ₹1,000 with ₹200 paid in cash: room for many ₹1 payments and refunds.
    const issued = must(
      await call(tara, 'invoices.saveDraft', {
        visitId: f.finishVisitId,
        invoiceId: null,
        lines: [
          { priceItemId: made.priceItemId, description: '', quantity: '2', unitPrice: '', discount: '0' },
        ],
      }),
    );
    must(await call(tara, 'invoices.issue', { id: issued.id }));
    made.issuedId = issued.id;
    made.paymentId = must(
      await call(tara, 'payments.record', {
        invoiceId: issued.id,
        method: 'cash',
        amount: '200',
        tendered: '500',
        reference: '',
      }),
    ).payment.id;
    const toVoid = await draft(f, await checkIn());
    must(await call(tara, 'invoices.issue', { id: toVoid }));
    made.toVoidId = toVoid;
  },
  async readBack(channel, result, f) {
    if (!result.ok || !READ_BACK.has(channel)) return undefined;
    // One reader per run: a login costs an argon2id hash.
    reader ??= await f.connectAs('admin');
    const conn = reader;
    const invoice = async (id: string): Promise<Invoice> => must(await call(conn, 'invoices.get', { id }));
    if (channel === 'prices.save') {
      const saved = result.value as PriceItem;
      const list = must(await call(conn, 'prices.list', { on: saved.effectiveFrom, includeInactive: true }));
      const v = list.find((p) => p.id === saved.id && p.effectiveFrom === saved.effectiveFrom);
      return v && { code: v.code, name: v.name, department: v.department };
    }
    if (channel === 'invoices.saveDraft') {
      const inv = await invoice((result.value as Invoice).id);
      return {
        visitId: inv.visitId,
        invoiceId: inv.id,
        lines: inv.lines.map((l) => ({ description: l.description })),
      };
    }
    if (channel === 'invoices.void') {
      const inv = await invoice((result.value as Invoice).id);
      return { reason: inv.voidReason };
    }
    if (channel === 'payments.record') {
      const { payment } = result.value as { payment: { id: string; invoiceId: string } };
      const stored = (await invoice(payment.invoiceId)).payments.find((p) => p.id === payment.id);
      return stored && { reference: stored.reference };
    }
    if (channel === 'payments.refund') {
      const refunds = (await invoice((result.value as Invoice).id)).payments.filter(
        (p) => p.kind === 'refund',
      );
      return { reason: refunds.at(-1)?.reference };
    }
    return undefined;
  },
  // saveDraft's invoiceId is null to start a new draft (the spec's only nullable field whose
  // sample is not already null).
  nullable: ['invoiceId'],
  watched: ['price_items', 'invoices', 'invoice_lines', 'payments', 'ledger_entries'],
};

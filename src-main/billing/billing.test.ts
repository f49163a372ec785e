import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invoice, PaymentMethod } from '../../src-shared/billing.js';
import type { Channel, InputOf } from '../../src-shared/contract.js';
import { todayIso } from '../../src-shared/patient.js';
import { addDays } from '../../src-shared/schedule.js';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';

// One core for the whole file (logins cost ~0.3 s each); the tests run in order and build
// on one another like a day at the desk.
let h: HarnessCore;
let admin: Connection;
let desk: Connection;
let desk2: Connection;
let doctor: Connection;
let doctorId: string;
let deskId: string;
let desk2Id: string;
let patientId: string;
let visitId: string;
let patient2Id: string;
let visit2Id: string;
let today: string;
const ids: Record<string, string> = {};

/** Every payment and refund the tests took: [user, method, kind, rupees as typed]. */
const recorded: { userId: string; method: PaymentMethod; kind: 'payment' | 'refund'; rupees: string }[] = [];

/** The test's own rupees → paise, from the typed string (not the app's money.ts). */
function paiseOf(rupees: string): number {
  const [whole, frac = ''] = rupees.split('.');
  return Number(whole) * 100 + Number(`${frac}00`.slice(0, 2));
}

const LINE_DESCRIPTION = 'Suturing of scalp laceration 4cm';
const CLAIM = 'STARHLTH-CLM-88213-KX';
const UPI_REF = '412398765501';
const VOID_REASON = 'Entered for the wrong brother';
const BILLING_TABLES = ['price_items', 'invoices', 'invoice_lines', 'payments', 'ledger_entries'];

const adminId = () =>
  readDb(
    (db) => (db.prepare('SELECT id FROM users WHERE username = ?').get(ADMIN.username) as { id: string }).id,
  );

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Every row of every billing table, blobs as hex: byte-identical or not. */
const snapshot = () =>
  readDb((db) =>
    JSON.stringify(
      BILLING_TABLES.map((t) =>
        db
          .prepare(`SELECT * FROM ${t} ORDER BY rowid`)
          .all()
          .map((r) =>
            Object.fromEntries(
              Object.entries(r as Record<string, unknown>).map(([k, v]) => [
                k,
                Buffer.isBuffer(v) ? v.toString('hex') : v,
              ]),
            ),
          ),
      ),
    ),
  );

async function refusedWith<C extends Channel>(
  conn: Connection,
  channel: C,
  payload: InputOf<C>,
  code: string,
  fields?: Record<string, string | RegExp>,
) {
  const before = snapshot();
  const r = await call(conn, channel, payload);
  expect(r.ok, `${channel} should be refused`).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe(code);
  for (const [f, m] of Object.entries(fields ?? {})) {
    if (typeof m === 'string') expect(r.error.fields?.[f]).toBe(m);
    else expect(r.error.fields?.[f]).toMatch(m);
  }
  expect(snapshot()).toBe(before);
}

async function pay(
  invoiceId: string,
  method: PaymentMethod,
  amount: string,
  extra: { tendered?: string; reference?: string; as?: Connection; userId?: string } = {},
) {
  const r = must(
    await call(extra.as ?? desk, 'payments.record', {
      invoiceId,
      method,
      amount,
      tendered: extra.tendered ?? '',
      reference: extra.reference ?? '',
    }),
  );
  recorded.push({ userId: extra.userId ?? deskId, method, kind: 'payment', rupees: amount });
  return r;
}

async function refund(paymentId: string, amount: string, method: PaymentMethod, as = desk, userId = deskId) {
  const r = must(
    await call(as, 'payments.refund', { paymentId, amount, reason: 'Overcharged, returned at desk' }),
  );
  recorded.push({ userId, method, kind: 'refund', rupees: amount });
  return r;
}

beforeAll(async () => {
  h = await startCore();
  today = todayIso(h.clock.now());
  admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  deskId = must(
    await call(admin, 'staff.create', {
      username: 'desk',
      displayName: 'Front Desk',
      role: 'receptionist',
      password: 'marigold-window-5',
    }),
  ).id;
  // A name a spreadsheet would run as a formula: the CSV must neutralise it.
  desk2Id = must(
    await call(admin, 'staff.create', {
      username: 'desk2',
      displayName: '@SUM(1+1) Desk',
      role: 'receptionist',
      password: 'tamarind-gate-8',
    }),
  ).id;
  doctorId = must(
    await call(admin, 'staff.create', {
      username: 'dr.rao',
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      password: 'banyan-river-77',
      doctor: {
        department: 'General',
        specialization: '',
        yearsOfExperience: 9,
        contactNumber: '',
        availabilityNote: '',
        registrationNumber: 'KMC-1234',
      },
    }),
  ).id;
  desk = await loginAs(h.core, 'desk', 'marigold-window-5');
  desk2 = await loginAs(h.core, 'desk2', 'tamarind-gate-8');
  doctor = await loginAs(h.core, 'dr.rao', 'banyan-river-77');
  const register = async (givenNames: string, phone: string) =>
    must(
      await call(desk, 'patients.register', {
        patient: {
          givenNames,
          familyName: 'Pillai',
          sex: 'male',
          birth: { kind: 'exact', date: '1984-02-11' },
          phones: [{ number: phone, label: 'mobile' }],
          allergies: [],
        },
        decision: 'register-new',
      }),
    );
  const a = await register('Arjun', '9847012345');
  const b = await register('Gopal', '9847054321');
  if (a.status !== 'registered' || b.status !== 'registered') throw new Error('registration refused');
  patientId = a.id;
  patient2Id = b.id;
  const checkIn = async (pid: string) =>
    must(
      await call(desk, 'visits.checkIn', { patientId: pid, doctorId, reason: 'Injury', priority: 'routine' }),
    ).id;
  visitId = await checkIn(patientId);
  visit2Id = await checkIn(patient2Id);
});
afterAll(async () => {
  await h?.close();
});

const price = (over: Partial<InputOf<'prices.save'>>): InputOf<'prices.save'> => ({
  id: null,
  code: 'CONS-GEN',
  name: 'General consultation',
  category: 'consultation',
  doctorId: null,
  department: '',
  price: '500',
  taxBp: 0,
  effectiveFrom: addDays(today, -30),
  ...over,
});

describe('price list', () => {
  it('keeps versions by date: a later price starts a version, the earlier one ends the day before', async () => {
    const cons = must(await call(admin, 'prices.save', price({})));
    ids.cons = cons.id;
    expect(cons).toMatchObject({ pricePaise: 50_000, active: true, effectiveTo: null });
    const future = addDays(today, 5);
    must(await call(admin, 'prices.save', price({ id: cons.id, price: '600', effectiveFrom: future })));
    // The same future date again corrects that version instead of adding a third.
    must(await call(admin, 'prices.save', price({ id: cons.id, price: '650.50', effectiveFrom: future })));
    const onToday = must(await call(desk, 'prices.list', { on: null, includeInactive: false }));
    expect(onToday.filter((p) => p.id === cons.id).map((p) => p.pricePaise)).toEqual([50_000]);
    const later = must(await call(doctor, 'prices.list', { on: future, includeInactive: false }));
    expect(later.filter((p) => p.id === cons.id).map((p) => p.pricePaise)).toEqual([65_050]);
    const all = must(await call(admin, 'prices.list', { on: today, includeInactive: true }));
    expect(
      all
        .filter((p) => p.id === cons.id)
        .map((p) => [p.effectiveFrom, p.effectiveTo, p.pricePaise, p.active]),
    ).toEqual([
      [addDays(today, -30), addDays(today, 4), 50_000, true],
      [future, null, 65_050, false],
    ]);
    await refusedWith(
      admin,
      'prices.save',
      price({ id: cons.id, price: '550', effectiveFrom: addDays(today, -2) }),
      'VALIDATION',
      {
        effectiveFrom: new RegExp(`A version from ${future} already exists`),
      },
    );
    await refusedWith(admin, 'prices.save', price({ code: 'CONS-GEN', name: 'Duplicate' }), 'VALIDATION', {
      code: 'Another item has this code',
    });
    await refusedWith(desk, 'prices.save', price({ code: 'X1' }), 'FORBIDDEN');

    ids.lab = must(
      await call(
        admin,
        'prices.save',
        price({ code: 'LAB-HBA1C', name: 'HbA1c', category: 'lab', price: '450', taxBp: 1800 }),
      ),
    ).id;
    const old = must(
      await call(
        admin,
        'prices.save',
        price({ code: 'PROC-OLD', name: 'Old dressing', category: 'procedure' }),
      ),
    );
    must(await call(admin, 'prices.retire', { id: old.id, from: addDays(today, 1) }));
    const tomorrow = must(
      await call(admin, 'prices.list', { on: addDays(today, 1), includeInactive: false }),
    );
    expect(tomorrow.some((p) => p.id === old.id)).toBe(false);
    expect(
      must(await call(admin, 'prices.list', { on: null, includeInactive: false })).some(
        (p) => p.id === old.id,
      ),
    ).toBe(true);
  });
});

let inv: Invoice;
// The test's own arithmetic: consultation 500; HbA1c 2 × 450 − 50 = 850 + 18 % = 153 → 1003;
// free line 120.50 untaxed. Total 1623.50.
const EXPECTED_TOTAL = 50_000 + 85_000 + 15_300 + 12_050;

describe('an invoice from draft to paid, refund and void', () => {
  it('drafts with the price of the visit’s day, issues with a number and takes cash with change, then UPI', async () => {
    inv = must(
      await call(desk, 'invoices.saveDraft', {
        visitId,
        invoiceId: null,
        lines: [
          { priceItemId: ids.cons!, description: '', quantity: '1', unitPrice: '', discount: '0' },
          { priceItemId: ids.lab!, description: 'ignored', quantity: '2', unitPrice: '', discount: '50' },
          {
            priceItemId: null,
            description: LINE_DESCRIPTION,
            quantity: '1',
            unitPrice: '120.50',
            discount: '0',
          },
        ],
      }),
    );
    expect(inv.status).toBe('draft');
    expect(inv.number).toBe('');
    expect(inv.lines.map((l) => [l.description, l.totalPaise])).toEqual([
      ['General consultation', 50_000],
      ['HbA1c', 100_300],
      [LINE_DESCRIPTION, 12_050],
    ]);
    expect(inv.totalPaise).toBe(EXPECTED_TOTAL);
    expect(inv.balancePaise).toBe(0);
    await refusedWith(
      desk,
      'invoices.saveDraft',
      {
        visitId,
        invoiceId: null,
        lines: [{ priceItemId: ids.cons!, description: '', quantity: '1', unitPrice: '', discount: '0' }],
      },
      'CONFLICT',
    );
    await refusedWith(
      desk,
      'payments.record',
      { invoiceId: inv.id, method: 'cash', amount: '10', tendered: '', reference: '' },
      'CONFLICT',
    );

    inv = must(await call(desk, 'invoices.issue', { id: inv.id }));
    expect(inv.number).toMatch(/^INV-[0-9A-Z]{5}-000001$/);
    expect(inv).toMatchObject({ status: 'issued', balancePaise: EXPECTED_TOTAL, paidPaise: 0 });
    await refusedWith(
      desk,
      'invoices.saveDraft',
      {
        visitId,
        invoiceId: inv.id,
        lines: [{ priceItemId: ids.cons!, description: '', quantity: '1', unitPrice: '', discount: '0' }],
      },
      'CONFLICT',
    );

    const cash = await pay(inv.id, 'cash', '1000', { tendered: '1100' });
    expect(cash.changePaise).toBe(10_000);
    expect(cash.payment).toMatchObject({
      method: 'cash',
      amountPaise: 100_000,
      tenderedPaise: 110_000,
      userName: 'Front Desk',
    });
    expect(cash.invoice).toMatchObject({
      status: 'partly-paid',
      paidPaise: 100_000,
      balancePaise: EXPECTED_TOTAL - 100_000,
    });
    ids.cash = cash.payment.id;
    const upi = await pay(inv.id, 'upi', '623.50', { reference: UPI_REF });
    expect(upi.changePaise).toBe(0);
    expect(upi.invoice).toMatchObject({ status: 'paid', balancePaise: 0, paidPaise: EXPECTED_TOTAL });
    ids.upi = upi.payment.id;
    inv = upi.invoice;
    // The doctor sees the visit's invoice read-only.
    expect(must(await call(doctor, 'invoices.forVisit', { visitId }))?.status).toBe('paid');
  });

  it('a refund makes it partly paid; void is refused until everything is refunded', async () => {
    inv = await refund(ids.upi!, '200', 'upi');
    expect(inv).toMatchObject({ status: 'partly-paid', balancePaise: 20_000 });
    expect(inv.payments.at(-1)).toMatchObject({
      kind: 'refund',
      method: 'upi',
      amountPaise: 20_000,
      refundOf: ids.upi,
    });
    await refusedWith(
      desk,
      'payments.refund',
      { paymentId: ids.upi!, amount: '423.51', reason: 'x' },
      'VALIDATION',
      {
        amount: 'More than the ₹423.50 left on this payment',
      },
    );
    await refusedWith(desk, 'invoices.void', { id: inv.id, reason: VOID_REASON }, 'CONFLICT');
    const voidRefused = await call(admin, 'invoices.void', { id: inv.id, reason: VOID_REASON });
    expect(voidRefused.ok ? '' : voidRefused.error.message).toMatch(/^Refund the payments first/);
    await refund(ids.upi!, '423.50', 'upi');
    inv = await refund(ids.cash!, '1000', 'cash', admin, adminId());
    expect(inv).toMatchObject({ status: 'issued', paidPaise: 0, balancePaise: EXPECTED_TOTAL });
    inv = must(await call(desk, 'invoices.void', { id: inv.id, reason: VOID_REASON }));
    expect(inv).toMatchObject({ status: 'void', balancePaise: 0, voidReason: VOID_REASON });
    // A new invoice may now be drafted for the visit.
    expect(must(await call(desk, 'invoices.forVisit', { visitId }))).toBeNull();
  });
});

let second: Invoice;

describe('bad input', () => {
  it('each gives its field error and leaves every billing table and the ledger byte-identical', async () => {
    const line = { priceItemId: ids.cons!, description: '', quantity: '1', unitPrice: '', discount: '0' };
    await refusedWith(
      desk,
      'invoices.saveDraft',
      { visitId: visit2Id, invoiceId: null, lines: [{ ...line, quantity: '-1' }] },
      'VALIDATION',
      {
        'lines.0.quantity': 'Quantity must be at least 1',
      },
    );
    await refusedWith(
      desk,
      'invoices.saveDraft',
      { visitId: visit2Id, invoiceId: null, lines: [{ ...line, quantity: '0' }] },
      'VALIDATION',
      {
        'lines.0.quantity': 'Quantity must be at least 1',
      },
    );
    await refusedWith(
      desk,
      'invoices.saveDraft',
      { visitId: visit2Id, invoiceId: null, lines: [line, { ...line, quantity: '2', discount: '1000.01' }] },
      'VALIDATION',
      { 'lines.1.discount': 'Discount is larger than the line' },
    );
    await refusedWith(
      desk,
      'invoices.saveDraft',
      {
        visitId: visit2Id,
        invoiceId: null,
        lines: [{ ...line, quantity: '9999', unitPrice: '99999999.99' }],
      },
      'VALIDATION',
      { 'lines.0.quantity': 'The line comes to more than ₹9,99,99,999.99' },
    );
    await refusedWith(
      desk,
      'invoices.saveDraft',
      { visitId: visit2Id, invoiceId: null, lines: [{ ...line, unitPrice: '-5' }] },
      'VALIDATION',
      {
        'lines.0.unitPrice': 'Must not be negative',
      },
    );

    second = must(
      await call(desk, 'invoices.saveDraft', {
        visitId: visit2Id,
        invoiceId: null,
        lines: [
          { priceItemId: ids.cons!, description: '', quantity: '1', unitPrice: '', discount: '0' },
          { priceItemId: ids.lab!, description: '', quantity: '1', unitPrice: '', discount: '0' },
        ],
      }),
    );
    second = must(await call(desk, 'invoices.issue', { id: second.id }));
    expect(second.number).toMatch(/-000002$/);
    expect(second.totalPaise).toBe(50_000 + 45_000 + 8_100);
    const base = {
      invoiceId: second.id,
      method: 'cash' as const,
      amount: '100',
      tendered: '',
      reference: '',
    };
    await refusedWith(desk, 'payments.record', { ...base, amount: '1031.01' }, 'VALIDATION', {
      amount: 'More than the balance of ₹1,031.00',
    });
    await refusedWith(desk, 'payments.record', { ...base, tendered: '99.99' }, 'VALIDATION', {
      tendered: 'Less than the amount (₹100.00)',
    });
    await refusedWith(desk, 'payments.record', { ...base, amount: '10.005' }, 'VALIDATION', {
      amount: 'Use at most two decimals (paise)',
    });
    await refusedWith(desk, 'payments.record', { ...base, method: 'insurance' }, 'VALIDATION', {
      reference: "Enter the insurer's claim number",
    });
    await refusedWith(desk, 'payments.record', { ...base, method: 'card', tendered: '100' }, 'VALIDATION', {
      tendered: 'Only for cash',
    });
    await refusedWith(desk, 'payments.record', { ...base, amount: '0' }, 'VALIDATION', {
      amount: 'Must be more than zero',
    });
  });
});

const oneLine = () => ({
  priceItemId: ids.cons!,
  description: '',
  quantity: '1',
  unitPrice: '',
  discount: '0',
});

describe('access', () => {
  it('receptionist, doctor and admin each reach only their channels', async () => {
    const forbidden = async <C extends Channel>(conn: Connection, channel: C, payload: InputOf<C>) => {
      const r = await call(conn, channel, payload);
      expect(r.ok ? 'ok' : r.error.code, `${channel}`).toBe('FORBIDDEN');
    };
    // The doctor reads the balance and the visit's invoice, and writes nothing.
    const balance = must(await call(doctor, 'billing.balance', { patientId: patient2Id }));
    expect(balance).toMatchObject({
      outstandingPaise: second.totalPaise,
      invoices: [{ id: second.id, balancePaise: second.totalPaise }],
    });
    expect(must(await call(doctor, 'invoices.get', { id: second.id })).number).toBe(second.number);
    await forbidden(doctor, 'invoices.saveDraft', {
      visitId: visit2Id,
      invoiceId: second.id,
      lines: [oneLine()],
    });
    await forbidden(doctor, 'invoices.issue', { id: second.id });
    await forbidden(doctor, 'invoices.void', { id: second.id, reason: 'x' });
    await forbidden(doctor, 'payments.record', {
      invoiceId: second.id,
      method: 'cash',
      amount: '1',
      tendered: '',
      reference: '',
    });
    await forbidden(doctor, 'payments.refund', { paymentId: ids.cash!, amount: '1', reason: 'x' });
    await forbidden(doctor, 'invoices.list', { date: null, patientId: null, status: 'all' });
    await forbidden(doctor, 'invoices.receipt', { invoiceId: second.id, paymentId: null });
    await forbidden(doctor, 'billing.dailyReport', { date: today, workstation: 'this' });
    await forbidden(doctor, 'prices.save', price({ code: 'D1' }));
    await forbidden(desk, 'prices.save', price({ code: 'D2' }));
    await forbidden(desk, 'prices.retire', { id: ids.cons!, from: today });
    await forbidden(desk, 'billing.dailyReportCsv', { date: today, workstation: 'this' });
    await forbidden(desk, 'billing.verifyLedger', {});
    await forbidden(admin, 'invoices.saveDraft', {
      visitId: visit2Id,
      invoiceId: second.id,
      lines: [oneLine()],
    });
    await forbidden(admin, 'invoices.issue', { id: second.id });
    await forbidden(admin, 'payments.record', {
      invoiceId: second.id,
      method: 'cash',
      amount: '1',
      tendered: '',
      reference: '',
    });
    await forbidden(admin, 'billing.balance', { patientId: patient2Id });
    await forbidden(admin, 'invoices.forVisit', { visitId: visit2Id });
    expect(
      must(await call(desk, 'invoices.list', { date: today, patientId: null, status: 'open' })).map(
        (i) => i.id,
      ),
    ).toEqual([second.id]);
    expect(
      must(await call(admin, 'invoices.list', { date: null, patientId: patientId, status: 'void' })).map(
        (i) => i.id,
      ),
    ).toEqual([inv.id]);
  });
});

describe('receipts, the report, the ledger and the file', () => {
  it('takes insurance, card and a second user’s cash; the receipt reads back', async () => {
    await pay(second.id, 'insurance', '500', { reference: CLAIM });
    const card = await pay(second.id, 'card', '31', { reference: '4111111111111234' });
    const last = await pay(second.id, 'cash', '500', { tendered: '2000', as: desk2, userId: desk2Id });
    expect(last.invoice.status).toBe('paid');
    expect(last.changePaise).toBe(150_000);
    await refund(card.payment.id, '1.25', 'card', desk2, desk2Id);

    const dir = mkdtempSync(join(tmpdir(), 'kavach-receipt-'));
    try {
      const doc = must(
        await call(desk, 'invoices.receipt', { invoiceId: second.id, paymentId: last.payment.id }),
      );
      expect(doc.mime).toBe('application/pdf');
      const file = join(dir, doc.fileName);
      writeFileSync(file, Buffer.from(doc.base64, 'base64'));
      const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      if (run.error) throw new Error('pdftotext could not run: install poppler-utils');
      const text = run.stdout;
      expect(text).toContain('Sushrut Clinic');
      expect(text).toContain(second.number);
      expect(text).toContain(`${second.number}-P3`);
      expect(text).toContain('Gopal Pillai');
      expect(text).toContain('₹1,031.00');
      expect(text).toContain('xxxx1234');
      expect(text).not.toContain('4111111111111234');
      expect(text).toContain(CLAIM);
      expect(text).toMatch(/Change given\s+₹1,500.00/);
      expect(text).toMatch(/Refund · Card/);
      const hash = readDb(
        (db) =>
          (
            db
              .prepare("SELECT hash FROM ledger_entries WHERE kind = 'payment' AND ref_id = ?")
              .get(last.payment.id) as { hash: string }
          ).hash,
      );
      expect(text).toContain(hash.slice(0, 16));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the daily report adds up to what was taken, per user and method, and its CSV is neutralised', async () => {
    const report = must(await call(admin, 'billing.dailyReport', { date: today, workstation: 'this' }));
    const expected = new Map<string, number>();
    for (const r of recorded) {
      const sign = r.kind === 'payment' ? 1 : -1;
      expected.set(r.method, (expected.get(r.method) ?? 0) + sign * paiseOf(r.rupees));
    }
    expect(Object.fromEntries(report.totals.map((t) => [t.method, t.netPaise]))).toEqual(
      Object.fromEntries(expected),
    );
    const grand = recorded.reduce((n, r) => n + (r.kind === 'payment' ? 1 : -1) * paiseOf(r.rupees), 0);
    expect(report.grandTotalPaise).toBe(grand);
    for (const row of report.rows) {
      const mine = recorded.filter((r) => r.userId === row.userId && r.method === row.method);
      expect(row.payments).toBe(mine.filter((r) => r.kind === 'payment').length);
      expect(row.netPaise).toBe(
        mine.reduce((n, r) => n + (r.kind === 'payment' ? 1 : -1) * paiseOf(r.rupees), 0),
      );
    }
    expect(report.rows.length).toBe(new Set(recorded.map((r) => `${r.userId}|${r.method}`)).size);
    expect(report).toMatchObject({ invoicesIssued: 2, invoicesVoided: 1 });
    expect(
      must(await call(desk, 'billing.dailyReport', { date: addDays(today, 1), workstation: 'all' })).rows,
    ).toEqual([]);

    const { csv, fileName } = must(
      await call(admin, 'billing.dailyReportCsv', { date: today, workstation: 'all' }),
    );
    expect(fileName).toBe(`kavach-daily-${today}-all.csv`);
    expect(csv).toContain(`"'@SUM(1+1) Desk"`);
    expect(csv).not.toMatch(/(^|,)"@/m);
    const rupees = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
    const cash = recorded.filter((r) => r.method === 'cash');
    const cashPaid = cash.filter((r) => r.kind === 'payment').reduce((n, r) => n + paiseOf(r.rupees), 0);
    const cashRefunded = cash.filter((r) => r.kind === 'refund').reduce((n, r) => n + paiseOf(r.rupees), 0);
    expect(csv).toContain(
      `"total","","","cash",,${rupees(cashPaid)},${rupees(cashRefunded)},${rupees(cashPaid - cashRefunded)}\r\n`,
    );
  });

  it('the ledger verifies, one entry per issue, payment, refund and void', async () => {
    const check = must(await call(admin, 'billing.verifyLedger', {}));
    expect(check.ok).toBe(true);
    const entries = 2 /* issues */ + recorded.length + 1; /* void */
    expect(check.chains.map((c) => c.entries)).toEqual([entries]);
    const kinds = readDb((db) =>
      db.prepare('SELECT kind, count(*) AS n FROM ledger_entries GROUP BY kind ORDER BY kind').all(),
    );
    expect(kinds).toEqual([
      { kind: 'invoice-issued', n: 2 },
      { kind: 'payment', n: recorded.filter((r) => r.kind === 'payment').length },
      { kind: 'refund', n: recorded.filter((r) => r.kind === 'refund').length },
      { kind: 'void', n: 1 },
    ]);
    // Every ledger entry's content names ids and paise only.
    const contents = readDb(
      (db) => db.prepare('SELECT content FROM ledger_entries').all() as { content: string }[],
    );
    for (const { content } of contents) expect(content).not.toMatch(/Pillai|Arjun|Gopal|Desk/);
  });

  it('the database file holds no line description, claim number, UPI reference or void reason in plaintext', async () => {
    await h.reopen();
    const bytes = Buffer.concat(
      ['', '-wal']
        .filter((s) => existsSync(join(h.dataDir, `kavach.db${s}`)))
        .map((s) => readFileSync(join(h.dataDir, `kavach.db${s}`))),
    );
    for (const secret of [LINE_DESCRIPTION, CLAIM, UPI_REF, VOID_REASON, 'Overcharged, returned at desk']) {
      expect(bytes.includes(Buffer.from(secret, 'utf8')), 'a secret in plaintext').toBe(false);
      expect(bytes.includes(Buffer.from(secret, 'utf16le')), 'a secret in plaintext').toBe(false);
    }
    // …while the amounts reports add up are there in plaintext.
    expect(
      readDb((db) => (db.prepare('SELECT sum(amount_paise) AS n FROM payments').get() as { n: number }).n),
    ).toBeGreaterThan(0);
  });
});

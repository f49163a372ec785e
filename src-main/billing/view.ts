import type { Invoice, InvoiceStatus, InvoiceSummary, Payment } from '../../src-shared/billing.js';
import { Failure } from '../ipc/failure.js';
import type { Services } from '../ipc/handler-types.js';
import type { InvoiceRow } from './repo.js';

/**
 * The invoice as the screens see it. The stored status is draft/issued/void; partly-paid and
 * paid come from the payments (payments minus refunds), so concurrent payments taken on two
 * workstations offline add up instead of overwriting one another.
 */
export function derivedStatus(
  row: Pick<InvoiceRow, 'status' | 'totalPaise'>,
  paidPaise: number,
): InvoiceStatus {
  if (row.status !== 'issued') return row.status;
  if (paidPaise <= 0) return row.totalPaise === 0 ? 'paid' : 'issued';
  return paidPaise >= row.totalPaise ? 'paid' : 'partly-paid';
}

export function balanceOf(row: Pick<InvoiceRow, 'status' | 'totalPaise'>, paidPaise: number): number {
  return row.status === 'issued' ? row.totalPaise - paidPaise : 0;
}

export function patientNames(s: Services, ids: string[]): Map<string, { name: string; number: string }> {
  const out = new Map<string, { name: string; number: string }>();
  for (const p of s.patients.summariesByIds([...new Set(ids)]))
    out.set(p.id, { name: [p.givenNames, p.familyName].filter(Boolean).join(' '), number: p.patientNumber });
  return out;
}

export function staffName(s: Services, cache: Map<string, string>, id: string | null): string | null {
  if (id === null) return null;
  let name = cache.get(id);
  if (name === undefined) {
    name = s.users.byId(id)?.displayName ?? 'Unknown user';
    cache.set(id, name);
  }
  return name;
}

export function requireInvoice(s: Services, id: string): InvoiceRow {
  const row = s.billing.invoice(id);
  if (!row) throw new Failure('NOT_FOUND', 'No invoice with that id.');
  return row;
}

export function toInvoice(s: Services, row: InvoiceRow): Invoice {
  const names = new Map<string, string>();
  const payments: Payment[] = s.billing.payments(row.id).map(({ ledgerEntryId: _l, ...p }) => ({
    ...p,
    userName: staffName(s, names, p.userId) ?? '',
  }));
  const paidPaise = payments.reduce(
    (sum, p) => sum + (p.kind === 'payment' ? p.amountPaise : -p.amountPaise),
    0,
  );
  const patient = patientNames(s, [row.patientId]).get(row.patientId);
  return {
    id: row.id,
    number: row.number,
    visitId: row.visitId,
    patientId: row.patientId,
    patientName: patient?.name ?? '',
    patientNumber: patient?.number ?? '',
    doctorName: staffName(s, names, row.doctorId),
    status: derivedStatus(row, paidPaise),
    lines: s.billing.lines(row.id),
    subtotalPaise: row.subtotalPaise,
    discountPaise: row.discountPaise,
    taxPaise: row.taxPaise,
    totalPaise: row.totalPaise,
    paidPaise,
    balancePaise: balanceOf(row, paidPaise),
    createdAt: row.createdAt,
    issuedAt: row.issuedAt,
    voidedAt: row.voidedAt,
    voidReason: s.billing.voidReason(row),
    payments,
  };
}

export function toSummaries(s: Services, rows: InvoiceRow[]): InvoiceSummary[] {
  const paid = s.billing.paidByInvoice(rows.map((r) => r.id));
  const names = patientNames(
    s,
    rows.map((r) => r.patientId),
  );
  return rows.map((r) => {
    const p = paid.get(r.id) ?? 0;
    const who = names.get(r.patientId);
    return {
      id: r.id,
      number: r.number,
      patientName: who?.name ?? '',
      patientNumber: who?.number ?? '',
      status: derivedStatus(r, p),
      totalPaise: r.totalPaise,
      balancePaise: balanceOf(r, p),
      createdAt: r.createdAt,
    };
  });
}

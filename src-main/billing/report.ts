import type { DailyReport, DailyReportCsv, PaymentMethod } from '../../src-shared/billing.js';
import { PAYMENT_METHODS } from '../../src-shared/billing.js';
import { paiseToRupees } from '../../src-shared/money.js';
import { csvCell } from '../audit/csv.js';
import type { Services } from '../ipc/handler-types.js';
import { staffName } from './view.js';

/**
 * A day's takings (issue 7): payments minus refunds by workstation, user and method, for the
 * day in the clinic's zone as each payment recorded it (todayIso when it was taken). Summed
 * in SQL over the plaintext amounts; no envelope is opened.
 */
export function dailyReport(s: Services, date: string, workstation: 'this' | 'all'): DailyReport {
  const ws = workstation === 'this' ? s.billing.workstationId : null;
  const names = new Map<string, string>();
  const rows = s.billing.dayTotals(date, ws).map((r) => {
    const paidPaise = Number(r.paidPaise);
    const refundedPaise = Number(r.refundedPaise);
    return {
      workstationId: r.workstationId,
      userId: r.userId,
      userName: staffName(s, names, r.userId) ?? '',
      method: r.method,
      payments: Number(r.payments),
      paidPaise,
      refundedPaise,
      netPaise: paidPaise - refundedPaise,
    };
  });
  const totals = PAYMENT_METHODS.map((method: PaymentMethod) => {
    const mine = rows.filter((r) => r.method === method);
    const paidPaise = mine.reduce((n, r) => n + r.paidPaise, 0);
    const refundedPaise = mine.reduce((n, r) => n + r.refundedPaise, 0);
    return { method, paidPaise, refundedPaise, netPaise: paidPaise - refundedPaise };
  }).filter((t) => t.paidPaise > 0 || t.refundedPaise > 0);
  const counts = s.billing.dayCounts(date, ws);
  return {
    date,
    workstation,
    rows,
    totals,
    grandTotalPaise: totals.reduce((n, t) => n + t.netPaise, 0),
    invoicesIssued: counts.issued,
    invoicesVoided: counts.voided,
  };
}

const HEADER = [
  'date',
  'workstation',
  'user',
  'user_id',
  'method',
  'payments',
  'paid_rupees',
  'refunded_rupees',
  'net_rupees',
];

/**
 * The report as CSV: text cells quoted and neutralised against formulas exactly as the audit
 * export does (audit/csv.ts); amounts are rupees with two decimals written by code from
 * integer paise, so they are plain numbers (a net refund prints as -12.50, not as text).
 */
export function dailyReportCsv(r: DailyReport): DailyReportCsv {
  const amount = (paise: number) => paiseToRupees(paise);
  const lines = [HEADER.map(csvCell).join(',')];
  for (const row of r.rows)
    lines.push(
      [
        csvCell(r.date),
        csvCell(row.workstationId),
        csvCell(row.userName),
        csvCell(row.userId),
        csvCell(row.method),
        String(row.payments),
        amount(row.paidPaise),
        amount(row.refundedPaise),
        amount(row.netPaise),
      ].join(','),
    );
  for (const t of r.totals)
    lines.push(
      [
        csvCell(r.date),
        csvCell('total'),
        csvCell(''),
        csvCell(''),
        csvCell(t.method),
        '',
        amount(t.paidPaise),
        amount(t.refundedPaise),
        amount(t.netPaise),
      ].join(','),
    );
  lines.push(
    [
      csvCell(r.date),
      csvCell('grand total'),
      csvCell(''),
      csvCell(''),
      csvCell(''),
      '',
      '',
      '',
      amount(r.grandTotalPaise),
    ].join(','),
  );
  return { fileName: `kavach-daily-${r.date}-${r.workstation}.csv`, csv: `${lines.join('\r\n')}\r\n` };
}

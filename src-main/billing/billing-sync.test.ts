import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HybridClock } from '../../src-shared/hlc.js';
import { invoiceTotals, lineAmounts } from '../../src-shared/money.js';
import { KeyRing } from '../crypto/keyring.js';
import { ChangeCapture } from '../store/change-capture.js';
import { openStore } from '../store/db.js';
import { FieldCodec } from '../store/fields.js';
import { MetaRepo } from '../store/meta-repo.js';
import { PatientsRepo } from '../store/patients-repo.js';
import { SecurityRepo } from '../store/security-repo.js';
import { SyncRepo } from '../store/sync-repo.js';
import { applyPage, type IncomingChange } from '../sync/apply.js';
import { verifyLedger } from './ledger.js';
import { BillingRepo, type PricedLine } from './repo.js';
import { balanceOf, derivedStatus } from './view.js';

// Two workstations' stores (the app's openStore and migrations, the real change capture and
// sync applier) sharing one clinic key ring, without the full core: what matters here is
// what travels between them. Node ids sort A before B.
const A = '0a0a0a0a0a0a0a0a';
const B = 'fbfbfbfbfbfbfbfb';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ring = KeyRing.generate().ring;
let t = 1_765_000_000_000;
const now = () => t++;

function workstation(nodeId: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kavach-billing-sync-'));
  dirs.push(dir);
  const store = openStore(dir, now);
  const codec = new FieldCodec(ring, () => {});
  const meta = new MetaRepo(store.db);
  const hlc = new HybridClock(nodeId, now);
  const capture = new ChangeCapture(store.db, hlc, codec, meta, now);
  const deps = {
    db: store.db,
    repo: new SyncRepo(store.db),
    codec,
    hlc,
    capture,
    patients: new PatientsRepo(store.db, codec, capture, meta, ring.blindIndexKey(), nodeId.slice(0, 5), now),
    security: new SecurityRepo(store.db, now),
    meta,
    now,
    deviceId: nodeId,
  };
  const billing = new BillingRepo(store.db, codec, capture, nodeId, nodeId.slice(0, 5).toUpperCase(), now);
  let sent = 0;
  return {
    store,
    billing,
    deps,
    /** This workstation's outbox since the last call, as a pulled page would carry it. */
    outgoing(): IncomingChange[] {
      const rows = store.sqlite
        .prepare(
          'SELECT rowid AS n, change_id, tbl, row_id, col, clock, value FROM outbox WHERE rowid > ? ORDER BY rowid',
        )
        .all(sent) as {
        n: number;
        change_id: string;
        tbl: string;
        row_id: string;
        col: string;
        clock: string;
        value: Buffer;
      }[];
      sent = rows.at(-1)?.n ?? sent;
      return rows.map((r, i) => ({
        changeId: r.change_id,
        tbl: r.tbl,
        rowId: r.row_id,
        col: r.col,
        clock: r.clock,
        value: r.value,
        seq: i + 1,
        deviceId: nodeId,
      }));
    },
    receive(changes: IncomingChange[]) {
      const after = deps.repo.cursor();
      const report = applyPage(deps, after, after + changes.length, after + changes.length, changes);
      expect(report?.rejected).toBe(0);
      expect(report?.unstorable).toBe(0);
      return report;
    },
  };
}

const line = (description: string, quantity: number, unitPricePaise: number, taxBp: number): PricedLine => {
  const a = lineAmounts({ quantity, unitPricePaise, discountPaise: 0, taxBp });
  return {
    priceItemId: null,
    description,
    category: 'procedure',
    quantity,
    unitPricePaise,
    discountPaise: 0,
    taxBp,
    ...a,
  };
};

describe('billing between two workstations', () => {
  it('payments taken offline on both add up, and both ledger chains travel and verify on each side', () => {
    const a = workstation(A);
    const b = workstation(B);
    try {
      const lines = [line('Wound dressing', 1, 30_000, 0), line('Tetanus toxoid', 1, 10_000, 1200)];
      const id = a.billing.saveDraft(
        { visitId: 'visit-1', patientId: 'patient-1', doctorId: null, by: 'desk-a' },
        null,
        lines,
        invoiceTotals(lines),
      );
      a.billing.issue(a.billing.invoice(id)!, '2025-12-06');
      b.receive(a.outgoing());
      const onB = b.billing.invoice(id)!;
      expect(onB).toMatchObject({
        status: 'issued',
        totalPaise: 41_200,
        number: `INV-${A.slice(0, 5).toUpperCase()}-000001`,
      });
      expect(b.billing.lines(id).map((l) => l.description)).toEqual(['Wound dressing', 'Tetanus toxoid']);

      // Offline, each desk takes part of the bill.
      const pay = (w: typeof a, amountPaise: number, method: 'cash' | 'upi') =>
        w.billing.addPayment({
          invoiceId: id,
          kind: 'payment',
          method,
          amountPaise,
          tenderedPaise: method === 'cash' ? amountPaise : null,
          changePaise: 0,
          reference: method === 'upi' ? 'UPI-77' : '',
          refundOf: null,
          userId: 'desk',
          day: '2025-12-06',
        });
      pay(a, 20_000, 'cash');
      pay(b, 21_200, 'upi');
      const fromA = a.outgoing();
      const fromB = b.outgoing();
      a.receive(fromB);
      b.receive(fromA);
      // The same page again is stale on both: payments and ledger entries are never rewritten.
      expect(b.receive(fromA)?.applied).toBe(0);

      for (const w of [a, b]) {
        const row = w.billing.invoice(id)!;
        const paid = w.billing.paidByInvoice([id]).get(id)!;
        expect(paid).toBe(41_200);
        expect(derivedStatus(row, paid)).toBe('paid');
        expect(balanceOf(row, paid)).toBe(0);
        expect(
          w.billing
            .payments(id)
            .map((p) => p.workstationId)
            .sort(),
        ).toEqual([A, B]);
        expect(verifyLedger(w.store.db)).toEqual({
          ok: true,
          chains: [
            { workstationId: A, entries: 2 },
            { workstationId: B, entries: 1 },
          ],
        });
      }
      const tables = ['invoices', 'invoice_lines', 'payments', 'ledger_entries'];
      const dump = (w: typeof a) =>
        tables.map((tb) => w.store.sqlite.prepare(`SELECT count(*) AS n FROM ${tb}`).get());
      expect(dump(a)).toEqual(dump(b));
    } finally {
      a.store.sqlite.close();
      b.store.sqlite.close();
    }
  });
});

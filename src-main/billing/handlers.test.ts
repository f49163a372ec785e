import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, type HarnessCore, loginAs, must, startCore } from '../testing/core-harness.js';
import { entryHash, GENESIS_HASH } from './ledger.js';

let h: HarnessCore;

beforeEach(async () => {
  h = await startCore();
});
afterEach(async () => {
  await h.close();
});

/** Writes ledger rows straight into the closed database file (as sync or an attacker would). */
async function withRows(
  rows: { ws: string; seq: number; prev: string; hash?: string; amount: number }[],
): Promise<string[]> {
  await h.core.close();
  const db = new Database(join(h.dataDir, 'kavach.db'));
  const hashes: string[] = [];
  try {
    for (const r of rows) {
      const e = {
        workstationId: r.ws,
        seq: r.seq,
        kind: 'payment',
        refId: `pay-${r.seq}`,
        content: `{"amountPaise":${r.amount},"method":"cash"}`,
        prevHash: r.prev,
        createdAt: 1_700_000_000_000 + r.seq,
      };
      const hash = r.hash ?? entryHash(e);
      hashes.push(hash);
      db.prepare(
        'INSERT INTO ledger_entries (id, workstation_id, seq, kind, ref_id, content, prev_hash, hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(
        `${e.workstationId}:${e.seq}`,
        e.workstationId,
        e.seq,
        e.kind,
        e.refId,
        e.content,
        e.prevHash,
        hash,
        e.createdAt,
        e.createdAt,
      );
    }
  } finally {
    db.close();
  }
  await h.reopen();
  return hashes;
}

describe('billing.verifyLedger', () => {
  it('is for admins only, reports every chain, and names the first bad entry', async () => {
    const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
    must(
      await call(admin, 'staff.create', {
        username: 'desk',
        displayName: 'Front Desk',
        role: 'receptionist',
        password: 'marigold-window-5',
      }),
    );
    const desk = await loginAs(h.core, 'desk', 'marigold-window-5');
    const refused = await call(desk, 'billing.verifyLedger', {});
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('FORBIDDEN');
    expect(must(await call(admin, 'billing.verifyLedger', {}))).toEqual({ ok: true, chains: [] });

    const [first] = await withRows([{ ws: 'aaaa', seq: 1, prev: GENESIS_HASH, amount: 50_000 }]);
    await withRows([
      { ws: 'aaaa', seq: 2, prev: first!, amount: 20_000 },
      { ws: 'bbbb', seq: 1, prev: GENESIS_HASH, amount: 10_000, hash: 'f'.repeat(64) },
    ]);
    const again = await loginAs(h.core, ADMIN.username, ADMIN.password);
    const result = must(await call(again, 'billing.verifyLedger', {}));
    expect(result).toEqual({
      ok: false,
      workstationId: 'bbbb',
      seq: 1,
      reason: 'hash-mismatch',
      chains: [
        { workstationId: 'aaaa', entries: 2 },
        { workstationId: 'bbbb', entries: 0 },
      ],
    });
  });
});

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Connection } from '../core-types.js';
import { ADMIN, call, type HarnessCore, loginAs, must } from '../testing/core-harness.js';

/** Test support for the interop tests (not used by the application). */

export const DOCTOR_PASSWORD = 'banyan-river-77';

/** Rows per table (audit and security events aside: a refusal is audited) and the number
 *  of attachment files: equal before and after, nothing was written. */
export function rowCounts(h: HarnessCore): Record<string, number> {
  const db = new Database(join(h.dataDir, 'kavach.db'), { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    const counts = Object.fromEntries(
      tables
        .filter((t) => t.name !== 'audit_events' && t.name !== 'security_events')
        .map((t) => [t.name, (db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]),
    );
    let files = 0;
    try {
      files = readdirSync(join(h.dataDir, 'attachments')).length;
    } catch {
      files = 0;
    }
    return { ...counts, '(attachment files)': files };
  } finally {
    db.close();
  }
}

/** A receptionist 'desk' and a doctor 'dr.rao' on a fresh clinic. */
export async function staff(h: HarnessCore): Promise<{ desk: Connection; doctor: Connection }> {
  const admin = await loginAs(h.core, ADMIN.username, ADMIN.password);
  must(
    await call(admin, 'staff.create', {
      username: 'desk',
      displayName: 'Front Desk',
      role: 'receptionist',
      password: 'marigold-window-5',
    }),
  );
  must(
    await call(admin, 'staff.create', {
      username: 'dr.rao',
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      password: DOCTOR_PASSWORD,
      doctor: {
        department: 'General',
        specialization: '',
        yearsOfExperience: 9,
        contactNumber: '',
        availabilityNote: '',
        registrationNumber: 'KMC-1234',
      },
    }),
  );
  admin.close();
  return {
    desk: await loginAs(h.core, 'desk', 'marigold-window-5'),
    doctor: await loginAs(h.core, 'dr.rao', DOCTOR_PASSWORD),
  };
}

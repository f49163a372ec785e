import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Core } from '../core-types.js';
import { decryptAttachment } from '../crypto/attachment-stream.js';
import { KeyRing } from '../crypto/keyring.js';
import { openStore } from '../store/db.js';
import { MetaRepo } from '../store/meta-repo.js';
import { ADMIN, call, loginAs, must } from '../testing/core-harness.js';
import { readRingKeys } from '../vault/device-key.js';
import type { SecretStore } from '../vault/secret-store.js';
import { envelopeTables } from './catalog.js';

/** Test support for key rotation: a clinic with every kind of record, and a full decrypted census. */

export const DOCTOR = { username: 'dr.rao', password: 'banyan-river-77' };
const DESK = { username: 'desk', password: 'marigold-window-5' };
// The smallest PNG: signature, IHDR, IDAT, IEND.
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

export interface Seeded {
  patientIds: string[];
  visitIds: string[];
  prescriptionIds: string[];
  attachmentIds: string[];
}

const NO_VITALS = {
  systolicMmHg: '128',
  diastolicMmHg: '84',
  pulsePerMin: '92',
  temperatureC: '',
  spo2Percent: '',
  respiratoryRatePerMin: '',
  weightKg: '71.5',
  heightCm: '172',
};

/** Staff, `patients` registered patients (one corrected), and for the first `treated` of them
 *  a visit with a finished consultation, a signed prescription and an attachment. */
export async function seedClinic(core: Core, patients: number, treated = 2): Promise<Seeded> {
  const admin = await loginAs(core, ADMIN.username, ADMIN.password);
  must(
    await call(admin, 'staff.create', {
      username: DESK.username,
      displayName: 'Front Desk',
      role: 'receptionist',
      password: DESK.password,
    }),
  );
  const doctorId = must(
    await call(admin, 'staff.create', {
      username: DOCTOR.username,
      displayName: 'Dr Anjali Rao',
      role: 'doctor',
      password: DOCTOR.password,
      doctor: {
        registrationNumber: 'KMC-1234',
        department: 'General',
        specialization: '',
        yearsOfExperience: 9,
        contactNumber: '',
        availabilityNote: '',
      },
    }),
  ).id;
  const desk = await loginAs(core, DESK.username, DESK.password);
  const doctor = await loginAs(core, DOCTOR.username, DOCTOR.password);
  const out: Seeded = { patientIds: [], visitIds: [], prescriptionIds: [], attachmentIds: [] };
  const patient = (i: number) => ({
    givenNames: `Lakshmi ${String.fromCharCode(65 + (i % 26))}${i}`,
    familyName: 'Menon',
    sex: 'female' as const,
    birth: { kind: 'exact' as const, date: '1990-05-17' },
    phones: [{ number: `98470${String(10000 + i).padStart(5, '0')}`, label: 'mobile' }],
    allergies: [],
  });
  for (let i = 0; i < patients; i++) {
    const r = must(
      await call(desk, 'patients.register', { patient: patient(i), decision: 'register-new' } as never),
    );
    if (r.status !== 'registered') throw new Error('seed: not registered');
    out.patientIds.push(r.id);
  }
  // A correction, so patient_history holds more than the registration.
  must(
    await call(desk, 'patients.update', {
      id: out.patientIds[0]!,
      patient: { ...patient(0), notes: 'Prefers mornings' },
      keepNationalId: true,
    } as never),
  );
  for (const patientId of out.patientIds.slice(0, treated)) {
    const visit = must(
      await call(desk, 'visits.checkIn', { patientId, doctorId, reason: 'Fever', priority: 'routine' }),
    );
    out.visitIds.push(visit.id);
    const c = {
      visitId: visit.id,
      complaints: 'Fever for three days',
      history: 'None',
      examination: 'Tonsils enlarged',
      vitals: NO_VITALS,
      diagnosis: 'Acute tonsillitis',
      icd10: 'J03.9',
      advice: 'Gargles',
      followUp: '',
    };
    must(await call(doctor, 'consultations.finish', c));
    const rx = must(
      await call(doctor, 'prescriptions.sign', {
        visitId: visit.id,
        previousId: null,
        items: [
          {
            medicineId: 'paracetamol',
            name: '',
            form: 'tablet',
            strength: '500 mg',
            dose: '1 tablet',
            route: 'oral',
            frequency: 'SOS',
            durationDays: null,
            quantity: '10 tablets',
            instructions: 'after food',
          },
        ],
        advice: 'Rest',
        followUp: '',
        overrides: [],
        password: DOCTOR.password,
      } as never),
    );
    out.prescriptionIds.push(rx.id);
    const { uploadId } = must(
      await call(doctor, 'attachments.begin', {
        patientId,
        visitId: visit.id,
        name: 'lab-report.png',
        bytes: PNG.length,
      }),
    );
    must(await call(doctor, 'attachments.upload', { uploadId, index: 0, base64: PNG.toString('base64') }));
    out.attachmentIds.push(must(await call(doctor, 'attachments.finish', { uploadId })).id);
  }
  for (const c of [admin, desk, doctor]) c.close();
  return out;
}

export interface Census {
  /** place -> sha256 of the plaintext (never the plaintext itself). */
  values: Map<string, string>;
  /** Envelope and attachment file counts by key version. */
  versions: Map<number, number>;
  unreadable: number;
}

/** Opens every envelope and attachment file in a data folder with the keys its keychain holds. */
export async function census(dataDir: string, secrets: SecretStore): Promise<Census> {
  const store = openStore(dataDir, Date.now);
  const ring = new KeyRing();
  try {
    for (const k of await readRingKeys(store.db, new MetaRepo(store.db), secrets)) ring.add(k.version, k.cdk);
    const out: Census = { values: new Map(), versions: new Map(), unreadable: 0 };
    const bump = (v: number) => out.versions.set(v, (out.versions.get(v) ?? 0) + 1);
    for (const t of envelopeTables()) {
      const cols = [...new Set([...t.placeColumns, ...t.columns])].map((c) => sql.identifier(c));
      const rows = store.db.all<Record<string, unknown>>(
        sql`SELECT ${sql.join(cols, sql`, `)} FROM ${sql.identifier(t.name)}`,
      );
      for (const row of rows) {
        for (const column of t.columns) {
          const value = row[column] as Buffer | null;
          if (!value) continue;
          bump((value[1]! << 8) | value[2]!);
          const place = t.place(row, column);
          try {
            out.values.set(
              `${t.name}|${place.table}|${place.column}|${place.rowId}|${column}`,
              sha(ring.openField(place, value)),
            );
          } catch {
            out.unreadable++;
          }
        }
      }
    }
    for (const { id } of store.db.all<{ id: string }>(sql`SELECT id FROM attachments`)) {
      const file = readFileSync(join(dataDir, 'attachments', `${id}.kva`));
      bump(file.readUInt16BE(4));
      try {
        out.values.set(
          `file|${id}`,
          sha(decryptAttachment(file, { keyForVersion: (v) => ring.attachmentKey(v), attachmentId: id })),
        );
      } catch {
        out.unreadable++;
      }
    }
    return out;
  } finally {
    ring.wipe();
    store.sqlite.close();
  }
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
